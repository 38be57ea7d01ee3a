"""`/api/v1/members/`: the member register within the user's scope, personal data masked."""

import django_filters
from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from branches.models import Domain, Organization
from branches.scoping import Action, organizations_for
from partyadmin.crypto import mask_id_number, mask_phone

from . import selectors
from .models import Flow, Member, MemberStatus


class MemberSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="person.name")
    gender = serializers.CharField(source="person.gender")
    birth_date = serializers.DateField(source="person.birth_date")
    education = serializers.CharField(source="person.education")
    organization_name = serializers.CharField(source="organization.name")
    party_group_name = serializers.CharField(source="party_group.name", default=None)
    id_number_masked = serializers.SerializerMethodField()
    phone_masked = serializers.SerializerMethodField()

    class Meta:
        model = Member
        fields = [
            "id", "name", "gender", "birth_date", "education", "organization", "organization_name",
            "party_group", "party_group_name", "status", "joined_on", "full_on", "category",
            "is_office_holder", "flow", "is_exempt", "is_leading_cadre", "id_number_masked", "phone_masked",
        ]
        read_only_fields = fields

    def get_id_number_masked(self, obj: Member) -> str:
        return mask_id_number(obj.person.id_number)

    def get_phone_masked(self, obj: Member) -> str:
        return mask_phone(obj.person.phone)


class MemberFilter(django_filters.FilterSet):
    organization = django_filters.ModelChoiceFilter(
        queryset=Organization.objects.none(), method="filter_organization", label="组织（含下级）",
    )
    status = django_filters.ChoiceFilter(choices=MemberStatus.choices)
    category = django_filters.ChoiceFilter(choices=Domain.choices)
    is_office_holder = django_filters.BooleanFilter(label="有职党员")
    flow = django_filters.ChoiceFilter(
        choices=[(selectors.FLOATING, "流动党员（流出或流入）"), *Flow.choices], method="filter_flow",
        label="流动情况",
    )
    is_exempt = django_filters.BooleanFilter(label="免于积分评星")
    search = django_filters.CharFilter(method="filter_search", label="姓名、身份证号或手机号")

    class Meta:
        model = Member
        fields = ["organization", "status", "category", "is_office_holder", "flow", "is_exempt", "search"]

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        # Only organizations in scope can be named: a foreign id is a validation error, never a probe.
        self.filters["organization"].queryset = organizations_for(self.request.user, Action.VIEW_MEMBER)

    def filter_organization(self, queryset: QuerySet[Member], name: str, value: Organization) -> QuerySet[Member]:
        return queryset.filter(organization__path__startswith=value.path)

    def filter_flow(self, queryset: QuerySet[Member], name: str, value: str) -> QuerySet[Member]:
        return queryset & selectors.member_list(user=self.request.user, flow=value)

    def filter_search(self, queryset: QuerySet[Member], name: str, value: str) -> QuerySet[Member]:
        return queryset & selectors.member_list(user=self.request.user, search=value)


class MemberViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MemberSerializer
    filterset_class = MemberFilter

    def get_queryset(self) -> QuerySet[Member]:
        return selectors.member_list(user=self.request.user)

    def get_object(self) -> Member:
        return selectors.member_get(user=self.request.user, pk=self.kwargs["pk"])
