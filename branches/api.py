"""`/api/v1/organizations/`: the organizations the user may see."""

import django_filters
from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from . import selectors
from .models import Domain, Organization, OrganizationKind


class OrganizationSerializer(serializers.ModelSerializer):
    parent = serializers.IntegerField(source="parent_id", read_only=True, allow_null=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    domain_display = serializers.CharField(source="get_domain_display", read_only=True)

    class Meta:
        model = Organization
        fields = [
            "id", "name", "short_name", "code", "kind", "kind_display", "domain", "domain_display", "depth",
            "parent", "county", "can_approve_admission", "has_committee", "star_level",
            "term_years", "term_started_on", "term_ends_on", "term_extended_until",
        ]
        read_only_fields = fields


class OrganizationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=OrganizationKind.choices)
    domain = django_filters.ChoiceFilter(choices=Domain.choices)
    name = django_filters.CharFilter(lookup_expr="icontains", label="名称包含")
    under = django_filters.NumberFilter(method="filter_under", label="某组织及其下级（组织编号）")

    class Meta:
        model = Organization
        fields = ["kind", "domain", "name", "under"]

    def filter_under(self, queryset: QuerySet[Organization], name: str, value: int) -> QuerySet[Organization]:
        node = queryset.filter(pk=value).only("path").first()
        return queryset.filter(path__startswith=node.path) if node else queryset.none()


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter

    def get_queryset(self) -> QuerySet[Organization]:
        return selectors.organization_list(user=self.request.user, with_parent_id=True)

