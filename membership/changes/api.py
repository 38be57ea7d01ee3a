"""`/api/v1/member-transfers/`, `member-flows/`, `member-exemptions/`, `member-disposals/`,
`member-status-changes/`: the same services, selectors and scoping as the pages. Out of scope is 404, a
visible row the user may not act on 403, a rule that forbids the action now 409 (with its code)."""

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from membership.models import Member
from membership.selectors import member_get

from . import rules, selectors, services
from .models import (
    AnnouncementMethod,
    ApplicationSource,
    DecisionBody,
    DisposalCase,
    Exemption,
    ExemptionReason,
    FlowDirection,
    FlowRecord,
    Measure,
    StatusChange,
    Transfer,
    TransferKind,
)

# --- output ------------------------------------------------------------------------------------------


class TransferSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.person.name")
    from_organization_name = serializers.CharField(source="from_organization.name")
    letter_number = serializers.CharField()

    class Meta:
        model = Transfer
        fields = ["id", "member", "member_name", "kind", "status", "from_organization", "from_organization_name",
                  "to_organization", "destination", "reason", "member_status", "requested_on", "decided_on",
                  "refusal_reason", "letter_number", "letter_valid_until", "dues_paid_until", "receipt_on",
                  "void_reason"]
        read_only_fields = fields


class FlowReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reported_on = serializers.DateField()
    content = serializers.CharField()


class FlowSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.person.name")
    advice = serializers.SerializerMethodField()

    class Meta:
        model = FlowRecord
        fields = ["id", "member", "member_name", "organization", "direction", "other_organization", "place",
                  "certificate_no", "started_on", "ends_on", "fixed_place", "returned_on", "end_note", "advice"]
        read_only_fields = fields

    def get_advice(self, obj: FlowRecord) -> list[str]:
        return [rules.ADVICE_TEXT[key] for key in rules.flow_advice(
            direction=obj.direction, started_on=obj.started_on, ends_on=obj.ends_on, fixed_place=obj.fixed_place)]


class ExemptionSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.person.name")

    class Meta:
        model = Exemption
        fields = ["id", "member", "member_name", "organization", "status", "reason_kind", "reason", "source",
                  "applied_on", "body", "decided_on", "decision_note", "filing_id", "filing_opinion", "effective_on",
                  "ended_on", "end_reason"]
        read_only_fields = fields


class DisposalSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.person.name")
    step_display = serializers.CharField(source="get_step_display")

    class Meta:
        model = DisposalCase
        fields = ["id", "member", "member_name", "organization", "measure", "step", "step_display", "outcome",
                  "follows", "finding_on", "finding", "lapse_grounds", "extend_probation", "investigated_on",
                  "proposal", "pre_review_filing_id", "pre_review_county_filing_id", "pre_reviewed_on",
                  "meeting_on", "votes_eligible", "votes_attended", "votes_for", "votes_against", "votes_abstained",
                  "approval_filing_id", "approval_county_filing_id", "approved_on", "filing_returned",
                  "filing_opinion", "rectify_until", "probation_extended_until", "announced_on", "closed_on",
                  "closing_note"]
        read_only_fields = fields


class StatusChangeSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.person.name")

    class Meta:
        model = StatusChange
        fields = ["id", "member", "member_name", "organization", "kind", "effective_on", "details"]
        read_only_fields = fields


# --- input -------------------------------------------------------------------------------------------


class MemberInput(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, label="党员")


class TransferInput(MemberInput):
    kind = serializers.ChoiceField(choices=TransferKind.choices, label="转接方式")
    to_organization_code = serializers.CharField(max_length=32, required=False, default="", label="接收党支部组织代码")
    destination = serializers.CharField(max_length=200, required=False, default="", label="接收党组织（转出本系统）")
    reason = serializers.CharField(max_length=200, label="转接原因")


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500, label="理由")


class DateInput(serializers.Serializer):
    date = serializers.DateField(label="日期")


class FlowInput(MemberInput):
    direction = serializers.ChoiceField(choices=FlowDirection.choices, label="流向")
    other_organization = serializers.CharField(max_length=100, label="流入地（流出地）党组织")
    place = serializers.CharField(max_length=100, required=False, default="", label="外出地点")
    started_on = serializers.DateField(label="外出（流入）日期")
    ends_on = serializers.DateField(required=False, allow_null=True, default=None, label="预计返回日期")
    fixed_place = serializers.BooleanField(required=False, default=False, label="地点固定")
    certificate_no = serializers.CharField(max_length=40, required=False, default="", label="活动证号")
    contact = serializers.CharField(max_length=100, required=False, default="", label="在外联系方式")


class FlowReportInput(serializers.Serializer):
    reported_on = serializers.DateField(label="汇报日期")
    content = serializers.CharField(max_length=2000, label="汇报内容")


class FlowEndInput(serializers.Serializer):
    returned_on = serializers.DateField(label="返回日期")
    note = serializers.CharField(max_length=200, required=False, default="", label="说明")


class ExemptionInput(MemberInput):
    reason_kind = serializers.ChoiceField(choices=ExemptionReason.choices, label="申请原因")
    reason = serializers.CharField(max_length=200, label="具体情况")
    applied_on = serializers.DateField(label="申请日期")


class ExemptionDecideInput(serializers.Serializer):
    agreed = serializers.BooleanField(label="同意")
    body = serializers.ChoiceField(choices=DecisionBody.choices, label="研究机构")
    decided_on = serializers.DateField(label="研究日期")
    note = serializers.CharField(max_length=500, required=False, default="", label="研究意见")


class ExemptionEndInput(serializers.Serializer):
    ended_on = serializers.DateField(label="恢复日期")
    reason = serializers.CharField(max_length=200, label="恢复原因")


class DisposalInput(MemberInput):
    measure = serializers.ChoiceField(choices=Measure.choices, label="处置方式")
    finding_on = serializers.DateField(label="支委会认定日期")
    finding = serializers.CharField(max_length=2000, label="不合格表现及初步认定")
    lapse_grounds = serializers.ListField(child=serializers.ChoiceField(choices=list(rules.LAPSE_GROUNDS)),
                                          required=False, default=list, label="自行脱党情形")
    education = serializers.CharField(max_length=2000, required=False, default="", label="批评教育情况")
    extend_probation = serializers.BooleanField(required=False, default=False, label="同时延长预备期")
    lapse = serializers.CharField(max_length=80, required=False, default="", label="自行脱党提示（来源:编号）")


class InvestigateInput(serializers.Serializer):
    investigated_on = serializers.DateField()
    investigation = serializers.CharField(max_length=2000)
    proposal = serializers.CharField(max_length=2000)
    measure = serializers.ChoiceField(choices=Measure.choices, required=False)
    extend_probation = serializers.BooleanField(required=False)


class NoteInput(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, default="", label="报送说明")


class VoteInput(serializers.Serializer):
    meeting_on = serializers.DateField()
    eligible = serializers.IntegerField(min_value=0, max_value=10000)
    attended = serializers.IntegerField(min_value=0, max_value=10000)
    in_favour = serializers.IntegerField(min_value=0, max_value=10000)
    against = serializers.IntegerField(min_value=0, max_value=10000)
    abstained = serializers.IntegerField(min_value=0, max_value=10000)
    member_statement = serializers.CharField(max_length=2000, required=False, default="")


class AnnounceInput(serializers.Serializer):
    announced_on = serializers.DateField()
    member_notified_on = serializers.DateField()
    method = serializers.ChoiceField(choices=AnnouncementMethod.choices)
    publish = serializers.BooleanField(required=False, default=False)


class ConcludeInput(serializers.Serializer):
    corrected = serializers.BooleanField()
    concluded_on = serializers.DateField()
    note = serializers.CharField(max_length=500)


class PersuasionInput(serializers.Serializer):
    quit = serializers.BooleanField()
    on = serializers.DateField()
    note = serializers.CharField(max_length=500, required=False, default="")


class MakeFullInput(MemberInput):
    meeting_on = serializers.DateField(label="支部大会讨论日期")
    approved_on = serializers.DateField(label="上级党委审批日期")
    approval = serializers.CharField(max_length=100, required=False, default="", label="审批文件或意见")


class DeathInput(MemberInput):
    died_on = serializers.DateField(label="去世日期")
    note = serializers.CharField(max_length=300, required=False, default="", label="说明")


# --- helpers -----------------------------------------------------------------------------------------


def _valid(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _member_for_change(request: Request, data: dict[str, Any]) -> Member:
    member = member_get(user=request.user, pk=data.pop("member"))
    if not selectors.may_change(user=request.user, organization=member.organization):
        raise PermissionDenied("无权办理此党员的变动。")
    return member


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied("无权办理此事项。")


class _ChangeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    getter: Callable[..., Model]

    def get_object(self) -> Any:
        return type(self).getter(user=self.request.user, pk=self.kwargs["pk"])

    def _act(self, request: Request, input_class: type[serializers.Serializer] | None,
             allowed: Callable[[Any], bool], call: Callable[[Any, dict[str, Any]], Any]) -> Response:
        obj = self.get_object()
        _require(allowed(obj))
        data = _valid(input_class, request) if input_class is not None else {}
        call(obj, data)
        return Response(self.get_serializer(self.get_object()).data)


# --- transfers ---------------------------------------------------------------------------------------


class TransferViewSet(_ChangeViewSet):
    serializer_class = TransferSerializer
    getter = staticmethod(selectors.transfer_get)

    def get_queryset(self) -> QuerySet[Transfer]:
        return selectors.transfer_list(user=self.request.user,
                                       direction=self.request.query_params.get("direction", ""))

    @extend_schema(request=TransferInput, responses={201: TransferSerializer})
    def create(self, request: Request) -> Response:
        data = _valid(TransferInput, request)
        member = _member_for_change(request, data)
        if data["kind"] == TransferKind.INTERNAL:
            receiver = selectors.receiving_branch_by_code(data["to_organization_code"])
            if receiver is None:
                raise serializers.ValidationError({"to_organization_code": ["未找到该组织代码对应的党支部，请核对。"]})
            transfer = services.transfer_request(acting_user=request.user, member=member, to_organization=receiver,
                                                 reason=data["reason"])
        else:
            transfer = services.transfer_out_issue(acting_user=request.user, member=member,
                                                   destination=data["destination"], reason=data["reason"])
        return Response(TransferSerializer(selectors.transfer_get(user=request.user, pk=transfer.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        return self._act(request, None, lambda t: selectors.may_receive(user=request.user, transfer=t),
                         lambda t, d: services.transfer_accept(acting_user=request.user, transfer=t))

    @extend_schema(request=ReasonInput, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk: str) -> Response:
        return self._act(request, ReasonInput, lambda t: selectors.may_receive(user=request.user, transfer=t),
                         lambda t, d: services.transfer_refuse(acting_user=request.user, transfer=t,
                                                               reason=d["reason"]))

    @extend_schema(request=ReasonInput, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        return self._act(request, ReasonInput, lambda t: selectors.may_manage_sent(user=request.user, transfer=t),
                         lambda t, d: services.transfer_cancel(acting_user=request.user, transfer=t,
                                                               reason=d["reason"]))

    @extend_schema(request=DateInput, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def receipt(self, request: Request, pk: str) -> Response:
        return self._act(request, DateInput, lambda t: selectors.may_manage_sent(user=request.user, transfer=t),
                         lambda t, d: services.transfer_receipt_record(acting_user=request.user, transfer=t,
                                                                       received_on=d["date"]))

    @extend_schema(request=ReasonInput, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request: Request, pk: str) -> Response:
        return self._act(request, ReasonInput, lambda t: selectors.may_manage_sent(user=request.user, transfer=t),
                         lambda t, d: services.transfer_void(acting_user=request.user, transfer=t,
                                                             reason=d["reason"]))


# --- floating members --------------------------------------------------------------------------------


class FlowViewSet(_ChangeViewSet):
    serializer_class = FlowSerializer
    getter = staticmethod(selectors.flow_get)

    def get_queryset(self) -> QuerySet[FlowRecord]:
        return selectors.flow_list(user=self.request.user, open_only=self.request.query_params.get("open") == "1")

    @extend_schema(request=FlowInput, responses={201: FlowSerializer})
    def create(self, request: Request) -> Response:
        data = _valid(FlowInput, request)
        member = _member_for_change(request, data)
        flow = services.flow_register(acting_user=request.user, member=member, **data)
        return Response(FlowSerializer(selectors.flow_get(user=request.user, pk=flow.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=FlowReportInput, responses={201: FlowReportSerializer})
    @action(detail=True, methods=["post"])
    def reports(self, request: Request, pk: str) -> Response:
        flow = self.get_object()
        _require(selectors.may_report(user=request.user, flow=flow))
        report = services.flow_report_add(acting_user=request.user, flow=flow, **_valid(FlowReportInput, request))
        return Response(FlowReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=FlowEndInput, responses=FlowSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str) -> Response:
        return self._act(request, FlowEndInput,
                         lambda f: selectors.may_change(user=request.user, organization=f.organization),
                         lambda f, d: services.flow_end(acting_user=request.user, flow=f, **d))


# --- exemptions --------------------------------------------------------------------------------------


class ExemptionViewSet(_ChangeViewSet):
    serializer_class = ExemptionSerializer
    getter = staticmethod(selectors.exemption_get)

    def get_queryset(self) -> QuerySet[Exemption]:
        return selectors.exemption_list(user=self.request.user, status=self.request.query_params.get("status", ""))

    @extend_schema(request=ExemptionInput, responses={201: ExemptionSerializer})
    def create(self, request: Request) -> Response:
        """The member's own application, or an officer entering it for them."""
        data = _valid(ExemptionInput, request)
        member = member_get(user=request.user, pk=data.pop("member"))
        _require(selectors.may_apply_exemption(user=request.user, member=member))
        own = selectors.is_own(user=request.user, member=member)
        exemption = services.exemption_apply(
            acting_user=request.user, member=member,
            source=ApplicationSource.SELF if own else ApplicationSource.SECRETARY, **data)
        return Response(ExemptionSerializer(selectors.exemption_get(user=request.user, pk=exemption.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=ExemptionDecideInput, responses=ExemptionSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str) -> Response:
        return self._act(request, ExemptionDecideInput,
                         lambda e: selectors.may_change(user=request.user, organization=e.organization),
                         lambda e, d: services.exemption_decide(acting_user=request.user, exemption=e, **d))

    @extend_schema(request=ExemptionEndInput, responses=ExemptionSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str) -> Response:
        return self._act(request, ExemptionEndInput,
                         lambda e: selectors.may_change(user=request.user, organization=e.organization),
                         lambda e, d: services.exemption_end(acting_user=request.user, exemption=e, **d))


# --- disposal ----------------------------------------------------------------------------------------


class DisposalViewSet(_ChangeViewSet):
    serializer_class = DisposalSerializer
    getter = staticmethod(selectors.disposal_get)

    def get_queryset(self) -> QuerySet[DisposalCase]:
        return selectors.disposal_list(user=self.request.user, open_only=self.request.query_params.get("open") == "1")

    @extend_schema(request=DisposalInput, responses={201: DisposalSerializer})
    def create(self, request: Request) -> Response:
        data = _valid(DisposalInput, request)
        member = _member_for_change(request, data)
        source, _, reference = data.pop("lapse").partition(":")
        if source and selectors.lapse_candidate_get(user=request.user, source=source, reference=reference) is None:
            raise serializers.ValidationError({"lapse": ["该提示不存在或已处理。"]})
        case = services.disposal_open(acting_user=request.user, member=member, lapse_source=source,
                                      lapse_reference=reference, **data)
        return Response(DisposalSerializer(selectors.disposal_get(user=request.user, pk=case.pk)).data,
                        status=status.HTTP_201_CREATED)

    def _step(self, request: Request, input_class: type[serializers.Serializer] | None,
              call: Callable[[DisposalCase, dict[str, Any]], Any]) -> Response:
        return self._act(request, input_class,
                         lambda c: selectors.may_change(user=request.user, organization=c.organization), call)

    @extend_schema(request=InvestigateInput, responses=DisposalSerializer)
    @action(detail=True, methods=["post"])
    def investigate(self, request: Request, pk: str) -> Response:
        return self._step(request, InvestigateInput,
                          lambda c, d: services.disposal_investigate(acting_user=request.user, case=c, **d))

    @extend_schema(request=NoteInput, responses=DisposalSerializer)
    @action(detail=True, methods=["post"], url_path="pre-review")
    def pre_review(self, request: Request, pk: str) -> Response:
        return self._step(request, NoteInput,
                          lambda c, d: services.disposal_submit_pre_review(acting_user=request.user, case=c, **d))

    @extend_schema(request=VoteInput, responses=DisposalSerializer)
    @action(detail=True, methods=["post"])
    def vote(self, request: Request, pk: str) -> Response:
        return self._step(request, VoteInput,
                          lambda c, d: services.disposal_record_vote(acting_user=request.user, case=c, **d))

    @extend_schema(request=NoteInput, responses=DisposalSerializer)
    @action(detail=True, methods=["post"])
    def approval(self, request: Request, pk: str) -> Response:
        return self._step(request, NoteInput,
                          lambda c, d: services.disposal_submit_approval(acting_user=request.user, case=c, **d))

    @extend_schema(request=AnnounceInput, responses=DisposalSerializer)
    @action(detail=True, methods=["post"])
    def announce(self, request: Request, pk: str) -> Response:
        return self._step(request, AnnounceInput,
                          lambda c, d: services.disposal_announce(acting_user=request.user, case=c, **d))

    @extend_schema(request=ConcludeInput, responses=DisposalSerializer)
    @action(detail=True, methods=["post"])
    def conclude(self, request: Request, pk: str) -> Response:
        return self._step(request, ConcludeInput,
                          lambda c, d: services.disposal_conclude_rectification(acting_user=request.user, case=c, **d))

    @extend_schema(request=PersuasionInput, responses=DisposalSerializer)
    @action(detail=True, methods=["post"])
    def persuasion(self, request: Request, pk: str) -> Response:
        return self._step(request, PersuasionInput,
                          lambda c, d: services.disposal_record_persuasion(acting_user=request.user, case=c, **d))

    @extend_schema(request=ReasonInput, responses=DisposalSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        return self._step(request, ReasonInput,
                          lambda c, d: services.disposal_withdraw(acting_user=request.user, case=c,
                                                                  reason=d["reason"]))


# --- status changes ----------------------------------------------------------------------------------


class StatusChangeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The history of status changes; `make-full` and `death` record new ones for a member."""

    serializer_class = StatusChangeSerializer

    def get_queryset(self) -> QuerySet[StatusChange]:
        return selectors.status_change_list(user=self.request.user)

    def _member_response(self, request: Request, member: Member) -> Response:
        change = selectors.status_change_list(user=request.user).filter(member=member).order_by("-pk").first()
        return Response(StatusChangeSerializer(change).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MakeFullInput, responses={201: StatusChangeSerializer})
    @action(detail=False, methods=["post"], url_path="make-full")
    def make_full(self, request: Request) -> Response:
        data = _valid(MakeFullInput, request)
        member = _member_for_change(request, data)
        services.member_make_full(acting_user=request.user, member=member, **data)
        return self._member_response(request, member)

    @extend_schema(request=DeathInput, responses={201: StatusChangeSerializer})
    @action(detail=False, methods=["post"])
    def death(self, request: Request) -> Response:
        data = _valid(DeathInput, request)
        member = _member_for_change(request, data)
        services.member_record_death(acting_user=request.user, member=member, **data)
        return self._member_response(request, member)


def register(router: DefaultRouter) -> None:
    router.register("member-transfers", TransferViewSet, basename="member-transfer")
    router.register("member-flows", FlowViewSet, basename="member-flow")
    router.register("member-exemptions", ExemptionViewSet, basename="member-exemption")
    router.register("member-disposals", DisposalViewSet, basename="member-disposal")
    router.register("member-status-changes", StatusChangeViewSet, basename="member-status-change")
