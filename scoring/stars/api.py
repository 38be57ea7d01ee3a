"""`/api/v1/stars/…`: frozen quarter rankings, year-end proposals and decisions, consequences and
democratic evaluations.

The same services and scoping as the pages: 404 out of scope, 403 for an action on a row the user sees
but may not change (branch secretary and committee only), 400 with field messages for bad input, 409 for
a rule (RuleViolation).
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from branches.scoping import scoped
from membership.models import Member

from . import rules, selectors, services
from .models import (
    Consequence,
    ConsequenceKind,
    DemocraticEvaluation,
    EvaluationResult,
    ProposalStatus,
    QuarterFreeze,
    QuarterResult,
    StarProposal,
    StarRow,
)


class QuarterResultSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = QuarterResult
        fields = ["person", "name", "base", "bonus", "deduction", "vetoed", "total", "rank", "is_member"]
        read_only_fields = fields


class QuarterFreezeSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = QuarterFreeze
        fields = ["id", "organization", "organization_name", "year", "quarter", "frozen_at", "people", "analysis",
                  "publicity_id"]
        read_only_fields = fields


class StarRowSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = StarRow
        fields = ["id", "person", "name", "base", "bonus", "deduction", "vetoed", "total", "branch_rank", "rank",
                  "exclusion", "is_member", "is_probationary", "is_secretary", "proposed_level", "tie", "notes",
                  "level", "reason"]
        read_only_fields = fields


class StarProposalSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    status = serializers.CharField(read_only=True, help_text=" / ".join(f"{v} {lb}" for v, lb in ProposalStatus.choices))
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = StarProposal
        fields = ["id", "organization", "organization_name", "year", "status", "status_display", "participants",
                  "quotas", "warnings", "raised", "meeting_on", "decision_note", "publicity_id", "computed_at",
                  "finalized_at"]
        read_only_fields = fields


class DecisionRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="StarRow id")
    level = serializers.IntegerField(allow_null=True, min_value=0, max_value=5)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class DecisionSerializer(serializers.Serializer):
    meeting_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    rows = DecisionRowSerializer(many=True, required=False, default=list)


class ConsequenceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="person.name", read_only=True)
    kind = serializers.CharField(read_only=True, help_text=" / ".join(f"{v} {lb}" for v, lb in ConsequenceKind.choices))
    status = serializers.CharField(read_only=True, help_text="open 待办 / done 已办结")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Consequence
        fields = ["id", "person", "name", "organization", "kind", "kind_display", "year", "star_level", "star_label",
                  "owner", "owner_label", "due_on", "status", "resolved_note", "resolved_at"]
        read_only_fields = fields


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class EvaluationResultSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = EvaluationResult
        fields = ["person", "name", "self_grade", "excellent", "qualified", "basic", "unqualified", "mass_good",
                  "mass_fair", "mass_poor", "grade", "grade_reason", "entry_id"]
        read_only_fields = fields


class EvaluationSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="open 评议中 / closed 已完成")

    class Meta:
        model = DemocraticEvaluation
        fields = ["id", "organization", "year", "held_on", "status", "note", "closed_at"]
        read_only_fields = fields


class StarsActionSerializer(serializers.Serializer):
    """No body: the action needs nothing but the URL."""


class EvaluationRecordSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    self_grade = serializers.ChoiceField(choices=["", *rules.EVALUATION_GRADES], required=False, default="")
    excellent = serializers.IntegerField(min_value=0, default=0)
    qualified = serializers.IntegerField(min_value=0, default=0)
    basic = serializers.IntegerField(min_value=0, default=0)
    unqualified = serializers.IntegerField(min_value=0, default=0)
    mass_good = serializers.IntegerField(min_value=0, default=0)
    mass_fair = serializers.IntegerField(min_value=0, default=0)
    mass_poor = serializers.IntegerField(min_value=0, default=0)


def _require_manage(request: Request, organization) -> None:
    if not selectors.may_manage(user=request.user, organization=organization):
        raise PermissionDenied("只有支部书记、支部委员可以办理。")


class QuarterViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = QuarterFreezeSerializer

    def get_queryset(self) -> QuerySet[QuarterFreeze]:
        return scoped(QuarterFreeze.objects.select_related("organization"), self.request.user, selectors.READ,
                      path_field="organization__path").order_by("-year", "-quarter", "organization_id")

    @action(detail=True, methods=["get"], pagination_class=None)
    def results(self, request: Request, pk: str | None = None) -> Response:
        freeze = selectors.freeze_get(user=request.user, pk=pk)
        return Response(QuarterResultSerializer(selectors.freeze_results(freeze), many=True).data)


class ProposalViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = StarProposalSerializer

    def get_queryset(self) -> QuerySet[StarProposal]:
        return scoped(StarProposal.objects.select_related("organization"), self.request.user, selectors.READ,
                      path_field="organization__path").order_by("-year", "organization_id")

    def get_object(self) -> StarProposal:
        return selectors.proposal_get(user=self.request.user, pk=self.kwargs["pk"])

    @action(detail=True, methods=["get"], pagination_class=None)
    def rows(self, request: Request, pk: str | None = None) -> Response:
        return Response(StarRowSerializer(selectors.proposal_rows(self.get_object()), many=True).data)

    @action(detail=True, methods=["post"], serializer_class=DecisionSerializer)
    def decide(self, request: Request, pk: str | None = None) -> Response:
        proposal = self.get_object()
        _require_manage(request, proposal.organization)
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rows = data.validated_data["rows"]
        proposal = services.proposal_decide(
            acting_user=request.user, proposal=proposal, meeting_on=data.validated_data["meeting_on"],
            levels={r["row"]: r["level"] for r in rows}, reasons={r["row"]: r["reason"] for r in rows},
            note=data.validated_data["note"])
        return Response(StarProposalSerializer(proposal).data)

    @action(detail=True, methods=["post"], serializer_class=StarsActionSerializer)
    def publicize(self, request: Request, pk: str | None = None) -> Response:
        proposal = self.get_object()
        _require_manage(request, proposal.organization)
        window = services.proposal_publicize(acting_user=request.user, proposal=proposal)
        proposal.refresh_from_db()
        return Response({**StarProposalSerializer(proposal).data, "publicity_ends_on": window.ends_on})

    @action(detail=True, methods=["post"], serializer_class=StarsActionSerializer)
    def finalize(self, request: Request, pk: str | None = None) -> Response:
        proposal = self.get_object()
        _require_manage(request, proposal.organization)
        proposal = services.proposal_finalize(acting_user=request.user, proposal=proposal)
        return Response(StarProposalSerializer(proposal).data)


class ConsequenceViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ConsequenceSerializer

    def get_queryset(self) -> QuerySet[Consequence]:
        qs = scoped(Consequence.objects.select_related("person"), self.request.user, selectors.READ,
                    path_field="organization__path")
        status = self.request.query_params.get("status")
        if status:
            qs = qs.filter(status=status)
        return qs.order_by("status", "due_on", "pk")

    @action(detail=True, methods=["post"], serializer_class=NoteSerializer)
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        item = selectors.consequence_get(user=request.user, pk=pk, action=selectors.READ)
        _require_manage(request, item.organization)
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.consequence_resolve(acting_user=request.user, consequence=item, note=data.validated_data["note"])
        return Response(ConsequenceSerializer(item).data)


class EvaluationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = EvaluationSerializer

    def get_queryset(self) -> QuerySet[DemocraticEvaluation]:
        return scoped(DemocraticEvaluation.objects.all(), self.request.user, selectors.READ,
                      path_field="organization__path").order_by("-year", "organization_id")

    def get_object(self) -> DemocraticEvaluation:
        return selectors.evaluation_get(user=self.request.user, pk=self.kwargs["pk"])

    @action(detail=True, methods=["get"], pagination_class=None)
    def results(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        return Response(EvaluationResultSerializer(item.results.select_related("person"), many=True).data)

    @action(detail=True, methods=["post"], serializer_class=EvaluationRecordSerializer)
    def record(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        _require_manage(request, item.organization)
        data = EvaluationRecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d: dict[str, Any] = data.validated_data
        member = Member.objects.filter(person_id=d["person"], organization=item.organization,
                                       is_active=True).select_related("person").first()
        if member is None:
            raise Http404("对象不存在或无权访问。")
        result = services.evaluation_record(
            acting_user=request.user, evaluation=item, person=member.person, self_grade=d["self_grade"],
            member_votes={"优秀": d["excellent"], "合格": d["qualified"], "基本合格": d["basic"],
                          "不合格": d["unqualified"]},
            mass_opinions={"好": d["mass_good"], "一般": d["mass_fair"], "差": d["mass_poor"]})
        return Response(EvaluationResultSerializer(result).data)

    @action(detail=True, methods=["post"], serializer_class=StarsActionSerializer)
    def close(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        _require_manage(request, item.organization)
        return Response(EvaluationSerializer(services.evaluation_close(acting_user=request.user, evaluation=item)).data)


def register(router: DefaultRouter) -> None:
    """Registers this app's viewsets (called by partyadmin/api_urls.py)."""
    router.register("stars/quarters", QuarterViewSet, basename="stars-quarter")
    router.register("stars/proposals", ProposalViewSet, basename="stars-proposal")
    router.register("stars/consequences", ConsequenceViewSet, basename="stars-consequence")
    router.register("stars/evaluations", EvaluationViewSet, basename="stars-evaluation")
