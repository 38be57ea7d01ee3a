"""`/api/v1/filings/`: the same services, selectors and scoping as the pages.

list / retrieve (sender or receiver side in scope), create (multipart, with materials), and the
actions decide, resubmit, withdraw, extend, and a material download. Out of scope is 404; a rule
that forbids the transition now is 409 (`partyadmin.api.exception_handler`); an in-scope user without
the right to act is 403.
"""

from datetime import date
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from branches.models import Organization
from partyadmin.files import stored_file_response
from partyadmin.workdays import china_today

from . import selectors, services
from .models import Filing, FilingKind, FilingMaterial, FilingRound, FilingStatus
from .uploads import MaterialUpload

# Codes of choice fields are plain strings in responses (their labels are beside them as *_display), so
# that each choice set appears as an enum once, on the input serializer that accepts it.


class FilingRoundSerializer(serializers.ModelSerializer):
    status = serializers.CharField()
    submitted_by = serializers.CharField(source="submitted_by.get_username", default=None)
    decided_by = serializers.CharField(source="decided_by.get_username", default=None)
    status_display = serializers.CharField(source="get_status_display")

    class Meta:
        model = FilingRound
        fields = ["revision", "note", "submitted_by", "submitted_at", "due_on", "status", "status_display",
                  "decided_by", "decided_at", "opinion"]
        read_only_fields = fields


class FilingMaterialSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = FilingMaterial
        fields = ["id", "revision", "title", "original_name", "file_type", "size", "uploaded_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, obj: FilingMaterial) -> str:
        return reverse("filing-material", args=[obj.filing_id, obj.pk])


class FilingSerializer(serializers.ModelSerializer):
    kind = serializers.CharField()
    status = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    status_display = serializers.CharField(source="get_status_display")
    from_organization_name = serializers.CharField(source="from_organization.name")
    to_organization_name = serializers.CharField(source="to_organization.name")
    submitted_by = serializers.CharField(source="submitted_by.get_username", default=None)
    decided_by = serializers.CharField(source="decided_by.get_username", default=None)
    deadline = serializers.DateField()
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Filing
        fields = [
            "id", "kind", "kind_display", "status", "status_display", "from_organization", "from_organization_name",
            "to_organization", "to_organization_name", "township", "subject_type", "subject_id", "subject_label",
            "title", "note", "submitted_by", "submitted_at", "submitted_on", "due_on", "extended_until", "deadline",
            "is_overdue", "revision", "decided_by", "decided_at", "opinion",
        ]
        read_only_fields = fields

    def get_is_overdue(self, obj: Filing) -> bool:
        today: date = self.context.get("today") or china_today()
        return obj.is_pending and today > obj.deadline


class FilingDetailSerializer(FilingSerializer):
    rounds = FilingRoundSerializer(many=True, read_only=True)
    materials = FilingMaterialSerializer(many=True, read_only=True)

    class Meta(FilingSerializer.Meta):
        fields = [*FilingSerializer.Meta.fields, "rounds", "materials"]
        read_only_fields = fields


class FilingCreateSerializer(serializers.Serializer):
    from_organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none(), label="报送组织")
    kind = serializers.ChoiceField(choices=FilingKind.choices, label="类别")
    title = serializers.CharField(max_length=200, label="标题")
    note = serializers.CharField(required=False, allow_blank=True, default="", label="报送说明")
    subject_type = serializers.CharField(required=False, max_length=64, default="", label="事项类型")
    subject_id = serializers.CharField(required=False, max_length=64, default="", label="事项编号")
    subject_label = serializers.CharField(required=False, max_length=200, default="", label="事项")
    to_organization = serializers.IntegerField(required=False, allow_null=True, default=None,
                                               label="受理组织（不填则按规则确定）")
    materials = serializers.ListField(child=serializers.FileField(), required=False, default=list, label="材料")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["from_organization"].queryset = selectors.organizations_for_submit(user=request.user)

    def validate(self, attrs: dict) -> dict:
        origin: Organization = attrs["from_organization"]
        if attrs.get("to_organization") is not None:
            ancestors = {a.pk: a for a in services.ancestors_of(origin)}
            target = ancestors.get(attrs["to_organization"])
            if target is None:
                raise serializers.ValidationError({"to_organization": "只能报送上级党组织。"})
            attrs["to_organization"] = target
        if bool(attrs["subject_type"]) != bool(attrs["subject_id"]):
            raise serializers.ValidationError({"subject_id": "事项类型和事项编号须同时填写。"})
        if not attrs["subject_type"]:
            attrs.update(subject_type="branches.organization", subject_id=str(origin.pk),
                         subject_label=attrs["subject_label"] or origin.name)
        elif not attrs["subject_label"]:
            raise serializers.ValidationError({"subject_label": "请填写事项名称。"})
        return attrs


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("approve", "通过"), ("return", "退回")], label="办理结果")
    opinion = serializers.CharField(required=False, allow_blank=True, default="", label="办理意见")

    def validate(self, attrs: dict) -> dict:
        if attrs["decision"] == "return" and not attrs["opinion"].strip():
            raise serializers.ValidationError({"opinion": "退回时必须填写意见。"})
        return attrs


class ResubmitSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", label="重新报送说明")
    materials = serializers.ListField(child=serializers.FileField(), required=False, default=list, label="补充材料")


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300, label="撤回原因")


class ExtendSerializer(serializers.Serializer):
    until = serializers.DateField(label="延长至")
    reason = serializers.CharField(max_length=300, label="延长理由")


class FilingFilter(django_filters.FilterSet):
    side = django_filters.ChoiceFilter(choices=[("queue", "待我方受理"), ("sent", "我方报送")], method="filter_side",
                                       label="范围")
    kind = django_filters.ChoiceFilter(choices=FilingKind.choices)
    status = django_filters.ChoiceFilter(choices=FilingStatus.choices)
    township = django_filters.ModelChoiceFilter(queryset=Organization.objects.none(), label="乡镇（街道）")
    organization = django_filters.ModelChoiceFilter(queryset=Organization.objects.none(), method="filter_sender",
                                                    label="报送组织（含下级）")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="只看超期")

    class Meta:
        model = Filing
        fields = ["side", "kind", "status", "township", "organization", "overdue"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = self.request.user
        # Only organizations in view can be named: a foreign id is a validation error, never a probe.
        self.filters["township"].queryset = selectors.townships_for_filter(user=user)
        self.filters["organization"].queryset = selectors.senders_for_filter(user=user)

    def filter_side(self, queryset: QuerySet[Filing], name: str, value: str) -> QuerySet[Filing]:
        user = self.request.user
        return queryset.filter(selectors.receiving_q(user) if value == "queue" else selectors.sending_q(user))

    def filter_sender(self, queryset: QuerySet[Filing], name: str, value: Organization) -> QuerySet[Filing]:
        return queryset.filter(from_organization__path__startswith=value.path)

    def filter_overdue(self, queryset: QuerySet[Filing], name: str, value: bool) -> QuerySet[Filing]:
        q = services.overdue_q(china_today())
        return queryset.filter(q) if value else queryset.exclude(q)


class FilingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                    viewsets.GenericViewSet):
    filterset_class = FilingFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[Filing]:
        return selectors.filing_list(user=self.request.user, today=china_today())

    def get_object(self) -> Filing:
        if self.action == "retrieve":
            return selectors.filing_with_history_get(user=self.request.user, pk=self.kwargs["pk"])
        return selectors.filing_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return {
            "retrieve": FilingDetailSerializer, "create": FilingCreateSerializer, "decide": DecideSerializer,
            "resubmit": ResubmitSerializer, "withdraw": WithdrawSerializer, "extend": ExtendSerializer,
        }.get(self.action, FilingSerializer)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": china_today()}

    def _detail(self, filing: Filing, code: int = status.HTTP_200_OK) -> Response:
        filing = selectors.filing_with_history_get(user=self.request.user, pk=filing.pk)
        return Response(FilingDetailSerializer(filing, context=self.get_serializer_context()).data, status=code)

    def _input(self, request: Request) -> dict:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(request=FilingCreateSerializer, responses={201: FilingDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._input(request)
        filing = services.filing_submit(
            acting_user=request.user, from_organization=data["from_organization"], kind=data["kind"],
            subject_type=data["subject_type"], subject_id=data["subject_id"], subject_label=data["subject_label"],
            title=data["title"], note=data["note"], to_organization=data["to_organization"],
            materials=[MaterialUpload(title="", file=item) for item in data["materials"]],
        )
        return self._detail(filing, status.HTTP_201_CREATED)

    @extend_schema(request=DecideSerializer, responses=FilingDetailSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        filing = self.get_object()
        if not selectors.may_decide(user=request.user, filing=filing):
            raise PermissionDenied("无权办理此事项。")
        data = self._input(request)
        services.filing_decide(acting_user=request.user, filing=filing, decision=data["decision"],
                               opinion=data["opinion"])
        return self._detail(filing)

    @extend_schema(request=ResubmitSerializer, responses=FilingDetailSerializer)
    @action(detail=True, methods=["post"])
    def resubmit(self, request: Request, pk: str | None = None) -> Response:
        filing = self.get_object()
        if not selectors.may_submit(user=request.user, organization=filing.from_organization):
            raise PermissionDenied("无权重新报送此事项。")
        data = self._input(request)
        services.filing_resubmit(acting_user=request.user, filing=filing, note=data["note"],
                                 materials=[MaterialUpload(title="", file=item) for item in data["materials"]])
        return self._detail(filing)

    @extend_schema(request=WithdrawSerializer, responses=FilingDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        filing = self.get_object()
        if not selectors.may_submit(user=request.user, organization=filing.from_organization):
            raise PermissionDenied("无权撤回此事项。")
        data = self._input(request)
        services.filing_withdraw(acting_user=request.user, filing=filing, reason=data["reason"])
        return self._detail(filing)

    @extend_schema(request=ExtendSerializer, responses=FilingDetailSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request: Request, pk: str | None = None) -> Response:
        filing = self.get_object()
        if not selectors.may_decide(user=request.user, filing=filing):
            raise PermissionDenied("无权延长此事项的期限。")
        data = self._input(request)
        services.filing_extend(acting_user=request.user, filing=filing, until=data["until"], reason=data["reason"])
        return self._detail(filing)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"], url_path=r"materials/(?P<material_pk>\d+)", url_name="material")
    def material(self, request: Request, pk: str | None = None, material_pk: str | None = None) -> FileResponse:
        material = selectors.material_get(user=request.user, pk=material_pk)
        if str(material.filing_id) != str(pk):
            raise Http404("对象不存在或无权访问。")
        response = stored_file_response(material.file, content_type=material.content_type,
                                        filename=material.original_name)
        services.material_download_record(acting_user=request.user, material=material)
        return response


def register(router: DefaultRouter) -> None:
    """Registers this part's viewsets."""
    router.register("filings", FilingViewSet, basename="filing")
