"""`/api/v1/dues-bases/`, `/api/v1/dues-payments/`, `/api/v1/dues-unpaid/`: the same services, selectors and
scoping as the dues pages. Out of scope is 404; a rule that forbids it now is 409."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from branches.models import Organization
from partyadmin.workdays import china_today

from . import rules, selectors, services
from .models import DuesBase, DuesCategory, DuesPayment, PaymentMethod
from .services import MAX_YEAR, MIN_YEAR


class DuesBaseSerializer(serializers.ModelSerializer):
    category = serializers.CharField()
    category_display = serializers.CharField(source="get_category_display")
    member_name = serializers.CharField(source="member.person.name")
    organization_name = serializers.CharField(source="organization.name")
    approved_by = serializers.CharField(source="approved_by.get_username", default=None)

    class Meta:
        model = DuesBase
        fields = ["id", "organization", "organization_name", "member", "member_name", "year", "category",
                  "category_display", "monthly_income_base", "rate", "monthly_amount", "note", "approved_by",
                  "approved_at"]
        read_only_fields = fields


class DuesBaseInputSerializer(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, label="党员")
    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR, label="年度")
    category = serializers.ChoiceField(choices=DuesCategory.choices, label="交纳类别")
    monthly_income_base = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False,
                                                   default=0, label="月计算基数（元）")
    fixed_amount = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, required=False,
                                            allow_null=True, default=None, label="每月固定金额（元）")
    declared_amount = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, required=False,
                                               allow_null=True, default=None, label="自愿多交（每月，元）")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="", label="说明")


class DuesPaymentSerializer(serializers.ModelSerializer):
    method = serializers.CharField()
    method_display = serializers.CharField(source="get_method_display")
    member_name = serializers.CharField(source="member.person.name")
    organization_name = serializers.CharField(source="organization.name")
    recorded_by = serializers.CharField(source="recorded_by.get_username", default=None)

    class Meta:
        model = DuesPayment
        fields = ["id", "organization", "organization_name", "member", "member_name", "year", "from_month",
                  "to_month", "paid_on", "amount", "expected_amount", "method", "method_display", "note",
                  "recorded_by", "created_at", "cancelled_at", "cancel_reason"]
        read_only_fields = fields


class DuesPaymentInputSerializer(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, label="党员")
    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR, label="年度")
    from_month = serializers.IntegerField(min_value=1, max_value=12, label="起始月份")
    to_month = serializers.IntegerField(min_value=1, max_value=12, label="截止月份")
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, label="实交金额（元）")
    paid_on = serializers.DateField(label="交纳日期")
    method = serializers.ChoiceField(choices=PaymentMethod.choices, label="交纳方式")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="", label="备注")


class _DuesFilter(django_filters.FilterSet):
    organization = django_filters.NumberFilter(method="filter_organization", label="党组织（含下级）")
    year = django_filters.NumberFilter()
    member = django_filters.NumberFilter()

    def filter_organization(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        organization = selectors.organization_get(user=self.request.user, pk=value)  # 404 out of scope
        return queryset.filter(organization__path__startswith=organization.path)


class DuesBaseFilter(_DuesFilter):
    class Meta:
        model = DuesBase
        fields = ["organization", "year", "member"]


class DuesPaymentFilter(_DuesFilter):
    class Meta:
        model = DuesPayment
        fields = ["organization", "year", "member"]


class _CreateInScope:
    """Create: the member is resolved through the scope (404), then the permission to write (403)."""

    request: Request

    def _member(self, data: dict[str, Any]) -> Any:
        member = selectors.member_get(user=self.request.user, pk=data.pop("member"))
        if not selectors.may_manage_dues(user=self.request.user, organization=member.organization):
            raise PermissionDenied("无权登记党费。")
        return member


class DuesBaseViewSet(_CreateInScope, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      viewsets.GenericViewSet):
    filterset_class = DuesBaseFilter

    def get_queryset(self) -> QuerySet[DuesBase]:
        return selectors.base_list(user=self.request.user)

    def get_object(self) -> DuesBase:
        return selectors.base_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return DuesBaseInputSerializer if self.action == "create" else DuesBaseSerializer

    @extend_schema(request=DuesBaseInputSerializer, responses={201: DuesBaseSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = DuesBaseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        base = services.dues_base_set(acting_user=request.user, member=self._member(data), **data)
        return Response(DuesBaseSerializer(selectors.base_get(user=request.user, pk=base.pk)).data,
                        status=status.HTTP_201_CREATED)


class DuesPaymentViewSet(_CreateInScope, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         mixins.CreateModelMixin, viewsets.GenericViewSet):
    filterset_class = DuesPaymentFilter

    def get_queryset(self) -> QuerySet[DuesPayment]:
        return selectors.payment_list(user=self.request.user)

    def get_object(self) -> DuesPayment:
        return selectors.payment_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return DuesPaymentInputSerializer if self.action == "create" else DuesPaymentSerializer

    @extend_schema(request=DuesPaymentInputSerializer, responses={201: DuesPaymentSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = DuesPaymentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        payment = services.dues_payment_record(acting_user=request.user, member=self._member(data), **data)
        return Response(DuesPaymentSerializer(selectors.payment_get(user=request.user, pk=payment.pk)).data,
                        status=status.HTTP_201_CREATED)


class UnpaidRowSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="member.pk")
    member_name = serializers.CharField(source="member.person.name")
    monthly_amount = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    base_year = serializers.IntegerField(allow_null=True)
    owed_in_year = serializers.IntegerField()
    amount_owed_in_year = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    owed_before = serializers.IntegerField()
    unpaid_run = serializers.IntegerField()
    run_since = serializers.DateField(allow_null=True)
    is_lapse_candidate = serializers.BooleanField()


class UnpaidQuerySerializer(serializers.Serializer):
    organization = serializers.IntegerField(min_value=1, label="党支部")
    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR, required=False, label="年度")
    month = serializers.IntegerField(min_value=0, max_value=12, required=False, label="截至月份")


class DuesUnpaidViewSet(viewsets.ViewSet):
    """Members of a branch who owe dues up to a month (default: this year, up to the last completed month)."""

    serializer_class = UnpaidRowSerializer

    @extend_schema(
        parameters=[OpenApiParameter("organization", int, required=True, description="党支部编号"),
                    OpenApiParameter("year", int, description="年度"),
                    OpenApiParameter("month", int, description="截至月份（0–12）")],
        responses=UnpaidRowSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        query = UnpaidQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = china_today()
        organization: Organization = selectors.branch_get(user=request.user, pk=query.validated_data["organization"])
        year = query.validated_data.get("year") or today.year
        month = query.validated_data.get("month")
        if month is None:
            month = rules.reference_month(year=year, today=today)
        rows = selectors.unpaid_list(user=request.user, organization=organization, year=year, up_to_month=month)
        return Response(UnpaidRowSerializer(rows, many=True).data)


def register(router: DefaultRouter) -> None:
    router.register("dues-bases", DuesBaseViewSet, basename="dues-base")
    router.register("dues-payments", DuesPaymentViewSet, basename="dues-payment")
    router.register("dues-unpaid", DuesUnpaidViewSet, basename="dues-unpaid")
