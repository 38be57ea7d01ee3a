"""Reads of the organization tree, always through the tenancy scope."""

from collections.abc import Iterable

from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Length, Substr

from .models import Organization
from .scoping import Action, AnyUser, organization_get_for_user, organizations_for, top_organizations


def organization_list(*, user: AnyUser, with_parent_id: bool = False) -> QuerySet[Organization]:
    queryset = organizations_for(user, Action.VIEW_ORGANIZATION).order_by("path")
    if with_parent_id:
        # The parent is the node whose path is ours minus one step: an index look-up per row, one query.
        parent_path = Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Organization.steplen)
        queryset = queryset.annotate(
            parent_id=Subquery(Organization.objects.filter(path=parent_path).values("pk")[:1])
        )
    return queryset


def organization_get(*, user: AnyUser, pk: object) -> Organization:
    return organization_get_for_user(user, pk)


def tree_roots(*, user: AnyUser) -> list[Organization]:
    return top_organizations(user)


def children_of(*, user: AnyUser, organization: Organization) -> list[Organization]:
    """Direct children of a node the user may see (the caller has checked the node itself)."""
    return list(
        organizations_for(user, Action.VIEW_ORGANIZATION)
        .filter(path__startswith=organization.path, depth=organization.depth + 1)
        .order_by("path")
    )


def ancestors_of(organization: Organization, *, user: AnyUser) -> list[Organization]:
    """Breadcrumb: the ancestors the user may see, top down."""
    paths = [organization.path[:i] for i in range(Organization.steplen, len(organization.path), Organization.steplen)]
    return list(organizations_for(user, Action.VIEW_ORGANIZATION).filter(path__in=paths).order_by("depth"))


def rollup_counts(direct: dict[str, int], nodes: Iterable[Organization]) -> dict[int, int]:
    """Subtree totals for `nodes` from per-organization counts keyed by path (no query)."""
    totals = {node.pk: 0 for node in nodes}
    by_path = {node.path: node.pk for node in nodes}
    step = Organization.steplen
    for path, count in direct.items():
        for end in range(step, len(path) + 1, step):
            pk = by_path.get(path[:end])
            if pk is not None:
                totals[pk] += count
    return totals
