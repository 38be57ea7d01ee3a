"""`/api/v1/development-plans/`, `/form-numbers/`, `/plan-quota-use/`, `/name-lists/`, `/plan-structure/`,
`/stagnant-branches/`: the same services, selectors and scoping as the plan pages. Out of scope is 404; a rule
that forbids it now is 409."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from branches import scoping
from branches.models import Domain
from membership.models import Person
from partyadmin.workdays import china_today

from . import rules, selectors, services
from .models import DevelopmentPlan, FormNumber, NameList, TargetGroup


class DevelopmentPlanSerializer(serializers.ModelSerializer):
    county_name = serializers.CharField(source="county.name")

    class Meta:
        model = DevelopmentPlan
        fields = ["id", "county", "county_name", "year", "total_quota", "domain_quotas", "township_quotas",
                  "target_group_targets", "note", "created_at", "updated_at"]
        read_only_fields = fields


def _counts() -> serializers.DictField:
    return serializers.DictField(child=serializers.IntegerField(min_value=0, max_value=rules.MAX_QUOTA),
                                 required=False, default=dict)


class PlanChangeSerializer(serializers.Serializer):
    total_quota = serializers.IntegerField(min_value=0, max_value=rules.MAX_QUOTA, label="计划发展总数")
    domain_quotas = _counts()
    township_quotas = _counts()
    target_group_targets = _counts()
    note = serializers.CharField(required=False, allow_blank=True, default="", label="说明")


class PlanCreateSerializer(PlanChangeSerializer):
    county = serializers.IntegerField(min_value=1, label="县（市、区）委组织部")
    year = serializers.IntegerField(min_value=rules.MIN_YEAR, max_value=rules.MAX_YEAR, label="年度")


class PlanYearFilterSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=rules.MIN_YEAR, max_value=rules.MAX_YEAR, required=False)


class DevelopmentPlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = DevelopmentPlanSerializer

    def get_queryset(self) -> QuerySet[DevelopmentPlan]:
        query = PlanYearFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.plan_list(user=self.request.user, year=query.validated_data.get("year"))

    def get_object(self) -> DevelopmentPlan:
        return selectors.plan_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=PlanCreateSerializer, responses={201: DevelopmentPlanSerializer})
    def create(self, request: Request) -> Response:
        serializer = PlanCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        county = selectors.county_get(user=request.user, pk=data.pop("county"))
        plan = services.plan_create(acting_user=request.user, county=county, **data)
        return Response(DevelopmentPlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PlanChangeSerializer, responses=DevelopmentPlanSerializer)
    def update(self, request: Request, pk: str) -> Response:
        plan = self.get_object()
        serializer = PlanChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = services.plan_update(acting_user=request.user, plan=plan, **serializer.validated_data)
        return Response(DevelopmentPlanSerializer(plan).data)


class FormNumberSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name")
    domain_display = serializers.CharField(source="get_domain_display")
    organization_name = serializers.CharField(source="organization.name", default=None)
    township_name = serializers.CharField(source="township.name", default=None)
    is_void = serializers.BooleanField()

    class Meta:
        model = FormNumber
        fields = ["id", "plan", "county", "year", "seq", "number", "person", "person_name", "domain",
                  "domain_display", "organization", "organization_name", "township", "township_name", "issued_on",
                  "is_void", "voided_on", "void_reason"]
        read_only_fields = fields


class FormNumberIssueSerializer(serializers.Serializer):
    plan = serializers.IntegerField(min_value=1, label="发展党员计划")
    person = serializers.IntegerField(min_value=1, label="发展对象")
    domain = serializers.ChoiceField(choices=Domain.choices, label="领域")
    organization = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None,
                                            label="所在党支部")
    target_groups = serializers.ListField(child=serializers.ChoiceField(choices=TargetGroup.choices),
                                          required=False, allow_null=True, default=None, label="重点群体")


class VoidSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, label="作废原因")


class FormNumberFilterSerializer(serializers.Serializer):
    plan = serializers.IntegerField(min_value=1, required=False)
    year = serializers.IntegerField(min_value=rules.MIN_YEAR, max_value=rules.MAX_YEAR, required=False)


class FormNumberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = FormNumberSerializer

    @extend_schema(parameters=[OpenApiParameter("plan", int), OpenApiParameter("year", int)])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[FormNumber]:
        query = FormNumberFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        plan = None
        if query.validated_data.get("plan"):
            plan = selectors.plan_get(user=self.request.user, pk=query.validated_data["plan"])
        return selectors.form_number_list(user=self.request.user, plan=plan, year=query.validated_data.get("year"))

    def get_object(self) -> FormNumber:
        return selectors.form_number_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=FormNumberIssueSerializer, responses={201: FormNumberSerializer})
    def create(self, request: Request) -> Response:
        """发放入党志愿书编号 against the plan (the county reviewer)."""
        serializer = FormNumberIssueSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        plan = selectors.plan_get(user=request.user, pk=data["plan"])
        person = Person.objects.filter(pk=data["person"], county=plan.county).first()
        if person is None:
            raise Http404("对象不存在或无权访问。")
        organization = None
        if data["organization"]:
            organization = scoping.organization_get_for_user(request.user, data["organization"])
        number = services.form_number_issue(
            acting_user=request.user, county=plan.county, year=plan.year, person=person, domain=data["domain"],
            organization=organization, target_groups=data["target_groups"],
        )
        return Response(FormNumberSerializer(selectors.form_number_get(user=request.user, pk=number.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=VoidSerializer, responses=FormNumberSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request: Request, pk: str) -> Response:
        number = self.get_object()
        serializer = VoidSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.form_number_void(acting_user=request.user, form_number=number,
                                  reason=serializer.validated_data["reason"])
        return Response(FormNumberSerializer(selectors.form_number_get(user=request.user, pk=pk)).data)


class BarSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    quota = serializers.IntegerField(allow_null=True)
    issued = serializers.IntegerField()
    left = serializers.IntegerField(allow_null=True)


class QuotaUseSerializer(serializers.Serializer):
    plan = serializers.IntegerField(source="plan.pk")
    county = serializers.IntegerField(source="plan.county_id")
    county_name = serializers.CharField(source="plan.county.name")
    year = serializers.IntegerField(source="plan.year")
    total = BarSerializer()
    voided = serializers.IntegerField()
    by_domain = BarSerializer(many=True)
    by_township = BarSerializer(many=True)


class QuotaUseViewSet(viewsets.ViewSet):
    """Numbers issued against each plan of the year (total, per domain, per township)."""

    serializer_class = QuotaUseSerializer

    @extend_schema(parameters=[OpenApiParameter("year", int, description="年度（默认今年）")],
                   responses=QuotaUseSerializer(many=True))
    def list(self, request: Request) -> Response:
        query = PlanYearFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("year") or china_today().year
        return Response(QuotaUseSerializer(selectors.quota_use(user=request.user, year=year), many=True).data)


class NameListSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name")
    status_display = serializers.CharField(source="get_status_display")
    people = serializers.SerializerMethodField()

    class Meta:
        model = NameList
        fields = ["id", "county", "organization", "organization_name", "year", "note", "status", "status_display",
                  "filing", "opinion", "decided_at", "created_at", "people"]
        read_only_fields = fields

    def get_people(self, name_list: NameList) -> list[dict[str, Any]]:
        return [{"id": entry.person_id, "name": entry.person.name}
                for entry in name_list.entries.select_related("person").order_by("pk")]


class NameListSubmitSerializer(serializers.Serializer):
    organization = serializers.IntegerField(min_value=1, label="报送组织")
    year = serializers.IntegerField(min_value=rules.MIN_YEAR, max_value=rules.MAX_YEAR, label="年度")
    people = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False,
                                   max_length=500, label="拟发展对象")
    note = serializers.CharField(required=False, allow_blank=True, default="", label="报送说明")


class NameListViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = NameListSerializer

    def get_queryset(self) -> QuerySet[NameList]:
        query = PlanYearFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.name_list_list(user=self.request.user, year=query.validated_data.get("year"))

    def get_object(self) -> NameList:
        return selectors.name_list_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=NameListSubmitSerializer, responses={201: NameListSerializer})
    def create(self, request: Request) -> Response:
        """报县委组织部预审 (seed 003 item 7)."""
        serializer = NameListSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        organization = scoping.organization_get_for_user(request.user, data["organization"])
        if not selectors.may_submit_name_list(user=request.user, organization=organization):
            raise PermissionDenied("无权报送名单。")
        wanted = set(data["people"])
        people = list(Person.objects.filter(pk__in=wanted, county_id=organization.county_id))
        if len(people) != len(wanted):
            raise Http404("对象不存在或无权访问。")
        name_list = services.name_list_pre_review_submit(acting_user=request.user, organization=organization,
                                                         year=data["year"], people=people, note=data["note"])
        return Response(NameListSerializer(selectors.name_list_get(user=request.user, pk=name_list.pk)).data,
                        status=status.HTTP_201_CREATED)


class ReportQuerySerializer(serializers.Serializer):
    county = serializers.IntegerField(min_value=1, required=False)
    year = serializers.IntegerField(min_value=rules.MIN_YEAR, max_value=rules.MAX_YEAR, required=False)
    years = serializers.IntegerField(min_value=1, max_value=20, required=False)


def _report_county(request: Request, pk: int | None) -> Any:
    counties = selectors.report_counties(user=request.user)
    if not counties:
        raise Http404("对象不存在或无权访问。")
    if pk is None:
        return counties[0]
    return selectors.report_county_get(user=request.user, pk=pk)


class StructureRowSerializer(serializers.Serializer):
    township = serializers.CharField(source="label")
    total = serializers.IntegerField()
    values = serializers.DictField(child=serializers.IntegerField())


class StructureSerializer(serializers.Serializer):
    county = serializers.IntegerField(source="county.pk")
    year = serializers.IntegerField()
    columns = serializers.SerializerMethodField()
    rows = StructureRowSerializer(many=True)
    total = StructureRowSerializer()
    plan_targets = serializers.DictField(child=serializers.IntegerField())

    def get_columns(self, report: selectors.StructureReport) -> list[dict[str, str]]:
        return [{"key": c.key, "label": c.label, "group": c.group} for c in report.columns]


class StructureViewSet(viewsets.ViewSet):
    """新发展党员结构 per township (gender, age band, education, target group)."""

    serializer_class = StructureSerializer

    @extend_schema(parameters=[OpenApiParameter("county", int), OpenApiParameter("year", int)],
                   responses=StructureSerializer)
    def list(self, request: Request) -> Response:
        query = ReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        county = _report_county(request, query.validated_data.get("county"))
        year = query.validated_data.get("year") or china_today().year
        return Response(StructureSerializer(selectors.structure_report(user=request.user, county=county,
                                                                       year=year)).data)


class StagnantBranchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    domain = serializers.CharField()
    township_name = serializers.CharField(allow_null=True)
    member_count = serializers.IntegerField()
    last_joined = serializers.DateField(allow_null=True)


class StagnantBranchViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Branches with no member joined for `years` (default 3) years or more."""

    serializer_class = StagnantBranchSerializer

    @extend_schema(parameters=[OpenApiParameter("county", int), OpenApiParameter("years", int)])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        query = ReportQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        county = None
        if query.validated_data.get("county"):
            county = _report_county(self.request, query.validated_data["county"])
        return selectors.stagnant_branches(user=self.request.user, years=query.validated_data.get("years") or 3,
                                           county=county)


def register(router: DefaultRouter) -> None:
    router.register("development-plans", DevelopmentPlanViewSet, basename="development-plan")
    router.register("form-numbers", FormNumberViewSet, basename="form-number")
    router.register("plan-quota-use", QuotaUseViewSet, basename="plan-quota-use")
    router.register("name-lists", NameListViewSet, basename="name-list")
    router.register("plan-structure", StructureViewSet, basename="plan-structure")
    router.register("stagnant-branches", StagnantBranchViewSet, basename="stagnant-branch")
