"""Reads of accountability cases: visible to reviewers only, through the tenancy grants.

Cases name the people responsible in a branch, so the branch's own officers do not see them: a case
is visible where its organization lies under one of the user's `reviewer` grants (the township and
county reviewers). `branches.scoping` has no action for this yet, so the roots are taken from the
user's grants here (`scoping.grants_of`), the same way `scoping.path_q` does for actions.
"""

from dataclasses import dataclass
from datetime import date
from functools import reduce
from operator import or_

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404

from branches import scoping
from branches.models import Organization, OrganizationKind
from branches.scoping import AnyUser, Role

from .models import AccountabilityCase, CaseStatus, ResponsibleParty
from .services import overdue_q

CASE_ROLES = frozenset({Role.REVIEWER})
OVERDUE_LIST_SIZE = 20


def _roots(user: AnyUser) -> list[str]:
    paths = sorted({g.path for g in scoping.grants_of(user) if g.role in CASE_ROLES})
    roots: list[str] = []
    for path in paths:
        if not roots or not path.startswith(roots[-1]):
            roots.append(path)
    return roots


def _scope_q(user: AnyUser, path_field: str = "organization__path") -> Q:
    roots = _roots(user)
    if not roots:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{path_field}__startswith": root}) for root in roots))


def has_case_scope(user: AnyUser) -> bool:
    return bool(_roots(user))


@dataclass(frozen=True)
class CaseFilters:
    status: str = ""
    violation_type: str = ""
    township: Organization | None = None
    overdue_only: bool = False


def _cases() -> QuerySet[AccountabilityCase]:
    return AccountabilityCase.objects.select_related("organization", "township", "opened_by")


def with_deadline(queryset: QuerySet[AccountabilityCase], today: date) -> QuerySet[AccountabilityCase]:
    return queryset.annotate(
        deadline_on=Coalesce("extended_until", "due_on"),
        is_overdue_now=Case(When(overdue_q(today), then=Value(1)), default=Value(0), output_field=IntegerField()),
    )


def case_list(*, user: AnyUser, today: date, filters: CaseFilters | None = None) -> QuerySet[AccountabilityCase]:
    """Cases in the user's scope: overdue first, then open by deadline, then closed (newest first)."""
    filters = filters or CaseFilters()
    cases = _cases().filter(_scope_q(user))
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.violation_type:
        cases = cases.filter(violation_type=filters.violation_type)
    if filters.township is not None:
        cases = cases.filter(township=filters.township)
    if filters.overdue_only:
        cases = cases.filter(overdue_q(today))
    return with_deadline(cases, today).order_by(
        "-is_overdue_now", Case(When(status=CaseStatus.OPEN, then=Value(0)), default=Value(1)), "deadline_on", "-pk",
    )


def case_get(*, user: AnyUser, pk: object) -> AccountabilityCase:
    """One case in the user's scope; 404 for missing and out of scope alike."""
    try:
        return _cases().filter(_scope_q(user)).get(pk=pk)
    except (AccountabilityCase.DoesNotExist, ValueError, TypeError):
        raise Http404("对象不存在或无权访问。") from None


def parties_of(case: AccountabilityCase) -> list[ResponsibleParty]:
    return list(case.parties.order_by("pk"))


def may_manage(*, user: AnyUser, case: AccountabilityCase) -> bool:
    """Reviewers covering the case open it, name parties and close it."""
    return any(case.organization.path.startswith(root) for root in _roots(user))


def may_extend(*, user: AnyUser, case: AccountabilityCase) -> bool:
    """Only the county department approves an extension ("经县（市、区）…组织部门同意"): a reviewer grant
    on the county department the case belongs to."""
    return any(g.role in CASE_ROLES and g.organization_id == case.county_id for g in scoping.grants_of(user))


def organizations_for_open(*, user: AnyUser) -> QuerySet[Organization]:
    """Where the user may open a case: organizations under their reviewer grants (not party groups)."""
    return Organization.objects.filter(_scope_q(user, "path"), is_active=True).exclude(
        kind__in=[OrganizationKind.PARTY_GROUP, OrganizationKind.MUNICIPAL_DEPT]).order_by("path")


def townships_for_filter(*, user: AnyUser) -> QuerySet[Organization]:
    ids = AccountabilityCase.objects.filter(_scope_q(user)).exclude(township=None).values("township_id")
    return Organization.objects.filter(pk__in=ids).order_by("path")


@dataclass
class CaseCounts:
    open: int
    overdue: int
    closed: int
    overdue_cases: list[AccountabilityCase]


def dashboard_counts(*, user: AnyUser, today: date) -> CaseCounts:
    """Open, overdue and closed cases in one aggregate query, and the overdue list."""
    totals = AccountabilityCase.objects.filter(_scope_q(user)).aggregate(
        open=Count("pk", filter=Q(status=CaseStatus.OPEN)),
        overdue=Count("pk", filter=overdue_q(today)),
        closed=Count("pk", filter=Q(status=CaseStatus.CLOSED)),
    )
    overdue_cases = list(
        with_deadline(_cases().filter(_scope_q(user)).filter(overdue_q(today)), today)
        .order_by("deadline_on", "pk")[:OVERDUE_LIST_SIZE]
    ) if totals["overdue"] else []
    return CaseCounts(open=totals["open"], overdue=totals["overdue"], closed=totals["closed"],
                      overdue_cases=overdue_cases)
