"""`/api/v1/accountability-cases/`: the same services and scoping as the pages (reviewers only).

list / retrieve / create, and the actions parties (add a responsible party), extend (county
department), close. Out of scope is 404; a rule that forbids it now is 409.
"""

from datetime import date
from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from branches.models import Organization
from partyadmin.workdays import china_today

from . import selectors, services
from .models import AccountabilityCase, CaseStatus, Outcome, PartyRole, ResponsibleParty, ViolationType

# Codes of choice fields are plain strings in responses (their labels are beside them as *_display), so
# that each choice set appears as an enum once, on the input serializer that accepts it.


class PartySerializer(serializers.ModelSerializer):
    role = serializers.CharField(read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = ResponsibleParty
        fields = ["id", "role", "role_display", "name", "member_id", "note", "added_at"]
        read_only_fields = fields


class CaseSerializer(serializers.ModelSerializer):
    violation_type = serializers.CharField()
    status = serializers.CharField()
    outcome = serializers.CharField()
    organization_name = serializers.CharField(source="organization.name")
    violation_type_display = serializers.CharField(source="get_violation_type_display")
    status_display = serializers.CharField(source="get_status_display")
    outcome_display = serializers.CharField(source="get_outcome_display")
    deadline = serializers.DateField()
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = AccountabilityCase
        fields = [
            "id", "organization", "organization_name", "township", "subject_type", "subject_id", "subject_label",
            "violation_type", "violation_type_display", "description", "discovered_on", "due_on", "extended_until",
            "extension_reason", "deadline", "is_overdue", "status", "status_display", "outcome", "outcome_display",
            "outcome_note", "admission_not_recognized", "announced_on", "opened_at", "closed_at",
        ]
        read_only_fields = fields

    def get_is_overdue(self, obj: AccountabilityCase) -> bool:
        today: date = self.context.get("today") or china_today()
        return obj.is_open and today > obj.deadline


class CaseDetailSerializer(CaseSerializer):
    parties = PartySerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "parties"]
        read_only_fields = fields


class CaseOpenSerializer(serializers.Serializer):
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none(), label="发生问题的党组织")
    subject_type = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)
    subject_id = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)
    subject_label = serializers.CharField(max_length=200, label="涉及事项")
    violation_type = serializers.ChoiceField(choices=ViolationType.choices, label="问题类型")
    description = serializers.CharField(label="问题描述")
    discovered_on = serializers.DateField(label="发现日期")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["organization"].queryset = selectors.organizations_for_open(user=request.user)


class PartyInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=PartyRole.choices, label="责任身份")
    name = serializers.CharField(max_length=100, label="姓名或组织名称")
    member_id = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class CaseExtendSerializer(serializers.Serializer):
    until = serializers.DateField(label="延长至")
    reason = serializers.CharField(max_length=300, label="特殊情况说明")


class CaseCloseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices, label="处理结果")
    outcome_note = serializers.CharField(required=False, allow_blank=True, default="")
    admission_not_recognized = serializers.BooleanField(required=False, default=False)
    announced_on = serializers.DateField(required=False, allow_null=True, default=None)


class CaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices)
    violation_type = django_filters.ChoiceFilter(choices=ViolationType.choices)
    township = django_filters.ModelChoiceFilter(queryset=Organization.objects.none(), label="乡镇（街道）")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="只看超期")

    class Meta:
        model = AccountabilityCase
        fields = ["status", "violation_type", "township", "overdue"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["township"].queryset = selectors.townships_for_filter(user=self.request.user)

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        q = services.overdue_q(china_today())
        return queryset.filter(q) if value else queryset.exclude(q)


class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  viewsets.GenericViewSet):
    filterset_class = CaseFilter

    def get_queryset(self) -> QuerySet[AccountabilityCase]:
        return selectors.case_list(user=self.request.user, today=china_today())

    def get_object(self) -> AccountabilityCase:
        return selectors.case_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return {
            "retrieve": CaseDetailSerializer, "create": CaseOpenSerializer, "parties": PartyInputSerializer,
            "extend": CaseExtendSerializer, "close": CaseCloseSerializer,
        }.get(self.action, CaseSerializer)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": china_today()}

    def _input(self, request: Request) -> dict:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _detail(self, case: AccountabilityCase, code: int = status.HTTP_200_OK) -> Response:
        case = selectors.case_get(user=self.request.user, pk=case.pk)
        return Response(CaseDetailSerializer(case, context=self.get_serializer_context()).data, status=code)

    def _manageable(self, request: Request) -> AccountabilityCase:
        case = self.get_object()
        if not selectors.may_manage(user=request.user, case=case):
            raise PermissionDenied("无权修改此案件。")
        return case

    @extend_schema(request=CaseOpenSerializer, responses={201: CaseDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._input(request)
        case = services.case_open(acting_user=request.user, **data)
        return self._detail(case, status.HTTP_201_CREATED)

    @extend_schema(request=PartyInputSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def parties(self, request: Request, pk: str | None = None) -> Response:
        case = self._manageable(request)
        services.party_add(acting_user=request.user, case=case, **self._input(request))
        return self._detail(case)

    @extend_schema(request=CaseExtendSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()
        if not selectors.may_extend(user=request.user, case=case):
            raise PermissionDenied("延长办理期限须经县（市、区）委组织部同意。")
        services.case_extend(acting_user=request.user, case=case, **self._input(request))
        return self._detail(case)

    @extend_schema(request=CaseCloseSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        case = self._manageable(request)
        services.case_close(acting_user=request.user, case=case, **self._input(request))
        return self._detail(case)


def register(router: DefaultRouter) -> None:
    """Registers this part's viewsets."""
    router.register("accountability-cases", CaseViewSet, basename="accountability-case")
