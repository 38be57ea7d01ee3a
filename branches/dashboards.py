"""Numbers for the home dashboards, within the user's scope (a bounded number of queries)."""

import hashlib
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q

from membership.models import Flow, MemberStatus
from membership.selectors import member_counts_by_path, member_list
from partyadmin import workdays

from . import rules, selectors
from .models import Domain, OrganizationKind
from .scoping import Action, AnyUser, grants_of, organizations_for, path_roots, top_organizations

# County-wide aggregates scan every member of the scope (~0.3 s for 100,000): the numbers are shared
# by everyone with the same scope and refreshed every few minutes.
CACHE_SECONDS = 300


def dashboard(*, user: AnyUser, today: date | None = None) -> dict[str, Any]:
    """Branch officers and reviewers: their subtree at a glance."""
    today = today or workdays.china_today()
    roots = top_organizations(user, Action.VIEW_ORGANIZATION)
    scope = ",".join(sorted(r.path for r in roots)) + "|" + ",".join(sorted(path_roots(user, Action.VIEW_MEMBER)))
    key = "dashboard:" + hashlib.sha256(f"{scope}|{today}".encode()).hexdigest()
    numbers = cache.get(key)
    if numbers is None:
        numbers = _numbers(user=user, roots=roots, today=today)
        cache.set(key, numbers, CACHE_SECONDS)
    return {"roots": roots, "grants": grants_of(user), **numbers}


def _numbers(*, user: AnyUser, roots: list, today: date) -> dict[str, Any]:
    organizations = organizations_for(user, Action.VIEW_ORGANIZATION)
    by_kind = dict(organizations.values_list("kind").annotate(n=Count("pk")).order_by())
    members = member_list(user=user).order_by()
    totals = members.aggregate(
        total=Count("pk"),
        probationary=Count("pk", filter=Q(status=MemberStatus.PROBATIONARY)),
        floating=Count("pk", filter=~Q(flow=Flow.NONE)),
        female=Count("pk", filter=Q(person__gender="female")),
    )
    by_category = dict(members.values_list("category").annotate(n=Count("pk")).order_by())
    branches = list(
        organizations.filter(kind=OrganizationKind.BRANCH, is_active=True)
        .only("pk", "name", "path", "term_ends_on", "term_extended_until")
        .order_by("path")
    )
    overdue_terms = [
        b for b in branches
        if rules.term_status(ends_on=b.term_ends_on, extended_until=b.term_extended_until, today=today) == "overdue"
    ]
    # Members per child of the first root: the bar chart.
    chart_nodes = []
    if roots:
        root = roots[0]
        chart_nodes = selectors.children_of(user=user, organization=root) if root.numchild else [root]
    counts = selectors.rollup_counts(member_counts_by_path(user=user, under=[n.path for n in chart_nodes]), chart_nodes)
    return {
        "organization_counts": [(OrganizationKind(k).label, by_kind.get(k, 0)) for k in
                                (OrganizationKind.COMMITTEE, OrganizationKind.GENERAL_BRANCH,
                                 OrganizationKind.BRANCH, OrganizationKind.PARTY_GROUP) if by_kind.get(k)],
        "totals": totals,
        "overdue_terms": overdue_terms,
        "chart": {
            "labels": [n.short_name or n.name for n in chart_nodes],
            "values": [counts[n.pk] for n in chart_nodes],
            "categories": [{"name": Domain(k).label if k else "未分类", "value": v} for k, v in sorted(by_category.items())],
        },
    }


def admin_dashboard(*, user: AnyUser, today: date | None = None) -> dict[str, Any]:
    """The three administrators: their grants and the calendar's health."""
    today = today or workdays.china_today()
    return {
        "grants": grants_of(user),
        "calendar_warning": workdays.missing_next_year_warning(today),
        "covered_years": workdays.covered_years(),
    }
