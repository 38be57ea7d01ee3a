"""`/api/v1/standards/…`: templates, rounds, assessments (self-assessment, review, flow) and 合格支部.

The same services and scoping as the pages: 404 out of scope, 403 for an action on an assessment the
user sees but may not take, 400 with field messages for bad input, 409 for a rule (RuleViolation).
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from branches import scoping
from branches.scoping import Action

from . import selectors, services
from .models import (
    Assessment,
    AssessmentItem,
    AssessmentRound,
    AssessmentStatus,
    AssessmentVeto,
    ChecklistTemplate,
    Rectification,
)


class TemplateSerializer(serializers.ModelSerializer):
    county_name = serializers.CharField(source="county.name", default="", read_only=True)

    class Meta:
        model = ChecklistTemplate
        fields = ["id", "code", "version", "name", "issuer", "county", "county_name", "pass_mark", "total_points",
                  "notes", "source"]
        read_only_fields = fields


class TemplateLoadSerializer(serializers.Serializer):
    county = serializers.IntegerField(help_text="县（市、区）委组织部")
    data = serializers.JSONField(help_text="考核细则（格式同系统内置细则的 source）")


class RoundSerializer(serializers.ModelSerializer):
    county_name = serializers.CharField(source="county.name", read_only=True)

    class Meta:
        model = AssessmentRound
        fields = ["id", "county", "county_name", "year", "template", "submit_by"]
        read_only_fields = fields


class RoundCreateSerializer(serializers.Serializer):
    county = serializers.IntegerField()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    template = serializers.IntegerField()
    submit_by = serializers.DateField()


class ItemSerializer(serializers.ModelSerializer):
    key = serializers.CharField(source="item.key", read_only=True)
    section = serializers.CharField(source="item.section.title", read_only=True)
    requirement = serializers.CharField(source="item.requirement", read_only=True)
    standard = serializers.CharField(source="item.standard", read_only=True)
    points = serializers.DecimalField(source="item.points", max_digits=5, decimal_places=1, read_only=True)
    differs = serializers.BooleanField(read_only=True)

    class Meta:
        model = AssessmentItem
        fields = ["id", "key", "section", "requirement", "standard", "points", "self_score", "self_note",
                  "review_score", "review_note", "prefill_score", "prefill_met", "prefill_note", "prefill_evidence",
                  "disagrees", "disagree_reason", "differs"]
        read_only_fields = fields


class VetoSerializer(serializers.ModelSerializer):
    key = serializers.CharField(source="veto.key", read_only=True)
    text = serializers.CharField(source="veto.text", read_only=True)
    from_records = serializers.SerializerMethodField()
    applies = serializers.BooleanField(read_only=True)

    class Meta:
        model = AssessmentVeto
        fields = ["id", "key", "text", "from_records", "found", "note", "review_found", "review_note", "applies"]
        read_only_fields = fields

    def get_from_records(self, obj: AssessmentVeto) -> bool:
        return bool(obj.veto.record_check)


class AssessmentListSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    status = serializers.CharField(read_only=True, help_text=" / ".join(f"{v} {lbl}" for v, lbl in
                                                                       AssessmentStatus.choices))
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    is_qualified = serializers.BooleanField(read_only=True)

    class Meta:
        model = Assessment
        fields = ["id", "round", "year", "organization", "organization_name", "status", "status_display",
                  "self_total", "review_total", "vetoed", "passed", "is_qualified"]
        read_only_fields = fields


class EvidenceOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    item = serializers.CharField(source="item.key", default="")
    veto = serializers.CharField(source="veto.key", default="")
    url = serializers.SerializerMethodField()

    def get_url(self, obj: Any) -> str:
        return reverse("standards:evidence", args=[obj.pk]) if obj.file else obj.url


class RectificationOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rectification
        fields = ["id", "requirement", "due_on", "status", "overdue_since", "report", "done_on"]
        read_only_fields = fields


class AssessmentSerializer(AssessmentListSerializer):
    items = serializers.SerializerMethodField()
    vetoes = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()
    rectification = serializers.SerializerMethodField()

    class Meta(AssessmentListSerializer.Meta):
        fields = [*AssessmentListSerializer.Meta.fields, "committee_opinion", "county_opinion", "committee_filing",
                  "county_filing", "publicity", "items", "vetoes", "evidence", "rectification"]
        read_only_fields = fields

    @extend_schema(responses=EvidenceOutSerializer(many=True))
    def get_evidence(self, obj: Assessment) -> list[dict[str, Any]]:
        rows = obj.evidence.select_related("item", "veto").order_by("pk")
        return EvidenceOutSerializer(rows, many=True).data

    @extend_schema(responses=RectificationOutSerializer)
    def get_rectification(self, obj: Assessment) -> dict[str, Any] | None:
        task = Rectification.objects.filter(assessment=obj).first()
        return RectificationOutSerializer(task).data if task else None

    @extend_schema(responses=ItemSerializer(many=True))
    def get_items(self, obj: Assessment) -> list[dict[str, Any]]:
        return ItemSerializer(selectors.items_of(obj), many=True).data

    @extend_schema(responses=VetoSerializer(many=True))
    def get_vetoes(self, obj: Assessment) -> list[dict[str, Any]]:
        return VetoSerializer(selectors.vetoes_of(obj), many=True).data


class ScoreInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="评分行编号（items[].id）")
    score = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="",
                                   help_text="自评分与记录预填不同的理由")


class ScoresSerializer(serializers.Serializer):
    scores = ScoreInputSerializer(many=True, allow_empty=False)


class VetoInputSerializer(serializers.Serializer):
    veto = serializers.IntegerField(help_text="vetoes[].id")
    found = serializers.BooleanField(allow_null=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class OpinionSerializer(serializers.Serializer):
    opinion = serializers.CharField(required=False, allow_blank=True, default="")


class EvidenceSerializer(serializers.Serializer):
    item = serializers.CharField(required=False, allow_blank=True, default="", help_text="考核标准标识（items[].key）")
    veto = serializers.CharField(required=False, allow_blank=True, default="", help_text="一票否决标识（vetoes[].key）")
    title = serializers.CharField(max_length=200)
    url = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    file = serializers.FileField(required=False, allow_null=True, default=None)


class RectificationReportSerializer(serializers.Serializer):
    report = serializers.CharField()


class QualifiedSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    year = serializers.IntegerField()
    qualified = serializers.BooleanField()


def _entries(request: Request) -> list[services.ScoreInput]:
    serializer = ScoresSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    return [services.ScoreInput(row["item"], row["score"], row["note"], row["reason"])
            for row in serializer.validated_data["scores"]]


class TemplateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = TemplateSerializer
    filterset_class = None

    def get_queryset(self) -> QuerySet[ChecklistTemplate]:
        return selectors.templates_for(user=self.request.user).select_related("county")

    @extend_schema(request=TemplateLoadSerializer, responses={201: TemplateSerializer})
    def create(self, request: Request) -> Response:
        serializer = TemplateLoadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        county = next((c for c in selectors.counties_for_manage(user=request.user)
                       if c.pk == serializer.validated_data["county"]), None)
        if county is None:
            scoping.organization_get_for_user(request.user, serializer.validated_data["county"])
            raise PermissionDenied("无权为该县导入考核细则。")
        template = services.template_load(acting_user=request.user, data=serializer.validated_data["data"],
                                          county=county)
        return Response(TemplateSerializer(template).data, status=status.HTTP_201_CREATED)


class RoundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = RoundSerializer
    filterset_class = None

    def get_queryset(self) -> QuerySet[AssessmentRound]:
        return selectors.rounds_for(user=self.request.user)

    @extend_schema(request=RoundCreateSerializer, responses={201: RoundSerializer})
    def create(self, request: Request) -> Response:
        serializer = RoundCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        county = next((c for c in selectors.counties_for_manage(user=request.user) if c.pk == data["county"]), None)
        if county is None:
            scoping.organization_get_for_user(request.user, data["county"])
            raise PermissionDenied("无权发起该县的考核。")
        template = selectors.template_get(user=request.user, pk=data["template"])
        round_ = services.round_open(acting_user=request.user, county=county, year=data["year"], template=template,
                                     submit_by=data["submit_by"])
        return Response(RoundSerializer(round_).data, status=status.HTTP_201_CREATED)


class AssessmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    filterset_class = None

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return AssessmentListSerializer if self.action in ("list", "queue") else AssessmentSerializer

    @extend_schema(parameters=[OpenApiParameter("year", int), OpenApiParameter("round", int),
                               OpenApiParameter("status", str)])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Assessment]:
        params = self.request.query_params
        year = params.get("year", "")
        rows = selectors.assessment_list(user=self.request.user, year=int(year) if year.isdigit() else None,
                                         status=params.get("status", ""))
        round_id = params.get("round", "")
        if round_id.isdigit():
            rows = rows.filter(round_id=int(round_id))
        return rows

    def get_object(self) -> Assessment:
        return selectors.assessment_get(user=self.request.user, pk=self.kwargs["pk"])

    def _self(self) -> Assessment:
        assessment = self.get_object()
        if not scoping.can(self.request.user, Action.CHANGE_MEMBER, assessment.organization):
            raise PermissionDenied("无权修改该支部的自评。")
        return assessment

    def _review(self) -> Assessment:
        assessment = self.get_object()
        if not selectors.may_review(user=self.request.user, assessment=assessment):
            raise PermissionDenied("无权考核评分。")
        return assessment

    def _detail(self, assessment: Assessment) -> Response:
        return Response(AssessmentSerializer(selectors.assessment_get(user=self.request.user, pk=assessment.pk)).data)

    @extend_schema(responses=AssessmentListSerializer(many=True))
    @action(detail=False, methods=["get"])
    def queue(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.queue(user=request.user))
        return self.get_paginated_response(AssessmentListSerializer(page, many=True).data)

    @extend_schema(request=None, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def prefill(self, request: Request, pk: str | None = None) -> Response:
        assessment = self._self()
        services.assessment_prefill(acting_user=request.user, assessment=assessment)
        return self._detail(assessment)

    @extend_schema(request=ScoresSerializer, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"], url_path="self-scores")
    def self_scores(self, request: Request, pk: str | None = None) -> Response:
        assessment = self._self()
        services.self_scores_save(acting_user=request.user, assessment=assessment, entries=_entries(request))
        return self._detail(assessment)

    @extend_schema(request=ScoresSerializer, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"], url_path="review-scores")
    def review_scores(self, request: Request, pk: str | None = None) -> Response:
        assessment = self._review()
        services.review_scores_save(acting_user=request.user, assessment=assessment, entries=_entries(request))
        return self._detail(assessment)

    def _veto_row(self, assessment: Assessment, data: dict[str, Any]) -> AssessmentVeto:
        row = assessment.vetoes.select_related("veto").filter(pk=data["veto"]).first()
        if row is None:
            raise serializers.ValidationError({"veto": ["一票否决情形不属于本次考核。"]})
        return row

    @extend_schema(request=VetoInputSerializer, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"], url_path="veto-declare")
    def veto_declare(self, request: Request, pk: str | None = None) -> Response:
        assessment = self._self()
        serializer = VetoInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["found"] is None:
            raise serializers.ValidationError({"found": ["请选择是否存在该情形。"]})
        services.veto_declare(acting_user=request.user, assessment=assessment,
                              veto_row=self._veto_row(assessment, data), found=data["found"], note=data["note"])
        return self._detail(assessment)

    @extend_schema(request=VetoInputSerializer, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"], url_path="veto-review")
    def veto_review(self, request: Request, pk: str | None = None) -> Response:
        assessment = self._review()
        serializer = VetoInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.review_veto_set(acting_user=request.user, assessment=assessment,
                                 veto_row=self._veto_row(assessment, data), found=data["found"], note=data["note"])
        return self._detail(assessment)

    @extend_schema(request={"multipart/form-data": EvidenceSerializer}, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def evidence(self, request: Request, pk: str | None = None) -> Response:
        """A file (PDF, image, Office document; checked by content) or a link for an item or a veto case."""
        assessment = self._self()
        serializer = EvidenceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        template = assessment.round.template
        item = template.items.filter(key=data["item"]).first() if data["item"] else None
        veto = template.vetoes.filter(key=data["veto"]).first() if data["veto"] else None
        if item is None and veto is None:
            raise serializers.ValidationError({"item": ["请指明对应的考核标准或一票否决情形。"]})
        services.evidence_add(acting_user=request.user, assessment=assessment, title=data["title"], item=item,
                              veto=veto, url=data["url"], upload=data["file"])
        return self._detail(assessment)

    @extend_schema(request=RectificationReportSerializer, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def rectification(self, request: Request, pk: str | None = None) -> Response:
        """The branch reports its rectification done."""
        assessment = self._self()
        task = Rectification.objects.filter(assessment=assessment).first()
        if task is None:
            raise Http404("该考核没有整改任务。")
        serializer = RectificationReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.rectification_report(acting_user=request.user, task=task, report=serializer.validated_data["report"])
        return self._detail(assessment)

    @extend_schema(request=OpinionSerializer, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        assessment = self._self()
        serializer = OpinionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.assessment_submit(acting_user=request.user, assessment=assessment,
                                   note=serializer.validated_data["opinion"])
        return self._detail(assessment)

    def _decide(self, request: Request, service: Any, *, needs_opinion: bool = False) -> Response:
        assessment = self._review()
        serializer = OpinionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        opinion = serializer.validated_data["opinion"]
        if needs_opinion and not opinion.strip():
            raise serializers.ValidationError({"opinion": ["退回须填写意见。"]})
        service(acting_user=request.user, assessment=assessment, opinion=opinion)
        return self._detail(assessment)

    @extend_schema(request=OpinionSerializer, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def report(self, request: Request, pk: str | None = None) -> Response:
        return self._decide(request, services.committee_report)

    @extend_schema(request=OpinionSerializer, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: Request, pk: str | None = None) -> Response:
        return self._decide(request, services.committee_return, needs_opinion=True)

    @extend_schema(request=OpinionSerializer, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def rate(self, request: Request, pk: str | None = None) -> Response:
        return self._decide(request, services.county_rate)

    @extend_schema(request=OpinionSerializer, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"], url_path="county-return")
    def county_return(self, request: Request, pk: str | None = None) -> Response:
        return self._decide(request, services.county_return, needs_opinion=True)

    @extend_schema(parameters=[OpenApiParameter("organization", int, required=True),
                               OpenApiParameter("year", int, required=True)],
                   responses=QualifiedSerializer)
    @action(detail=False, methods=["get"])
    def qualified(self, request: Request) -> Response:
        """合格支部: the award-eligibility check (404 for a branch out of scope)."""
        raw_org, raw_year = request.query_params.get("organization", ""), request.query_params.get("year", "")
        if not raw_org.isdigit() or not raw_year.isdigit():
            raise serializers.ValidationError({"organization": ["请提供党支部和年度。"]})
        organization = scoping.organization_get_for_user(request.user, int(raw_org), Action.VIEW_MEMBER)
        year = int(raw_year)
        return Response({"organization": organization.pk, "year": year,
                         "qualified": selectors.is_qualified(organization=organization, year=year)})


def register(router: DefaultRouter) -> None:
    """Registers this app's viewsets (called by partyadmin/api_urls.py)."""
    router.register("standards/templates", TemplateViewSet, basename="standards-template")
    router.register("standards/rounds", RoundViewSet, basename="standards-round")
    router.register("standards/assessments", AssessmentViewSet, basename="standards-assessment")
