"""Reads of filings, always through the tenancy scope (`branches.scoping`).

* Read: a filing is visible where its receiving or its sending organization lies under one of the
  user's `Action.VIEW_MEMBER` grants (the reviewers above and the branch officers below).
* Decide: a reviewer, secretary or committee grant on the receiving organization (or above it).
* Submit, withdraw, resubmit: `Action.CHANGE_MEMBER` on the sending organization.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import (
    Avg,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from branches import scoping
from branches.models import Organization, OrganizationKind
from branches.scoping import Action, AnyUser

from .models import Filing, FilingMaterial, FilingRound, FilingStatus
from .services import HANDLER_ROLES, overdue_q

READ_ACTION = Action.VIEW_MEMBER
SUBMIT_ACTION = Action.CHANGE_MEMBER
SENDER_KINDS = (OrganizationKind.BRANCH, OrganizationKind.GENERAL_BRANCH, OrganizationKind.COMMITTEE,
                OrganizationKind.COUNTY_DEPT)
OVERDUE_LIST_SIZE = 20


@dataclass(frozen=True)
class FilingFilters:
    kind: str = ""
    status: str = ""
    township: Organization | None = None
    organization: Organization | None = None  # the sender (a branch, or anything under it)
    overdue_only: bool = False


def receiving_q(user: AnyUser, prefix: str = "") -> Q:
    """Filings addressed to an organization under the user's grants (the reviewer side)."""
    return scoping.path_q(user, READ_ACTION, f"{prefix}to_organization__path")


def sending_q(user: AnyUser, prefix: str = "") -> Q:
    """Filings sent by an organization under the user's grants (the submitter side)."""
    return scoping.path_q(user, READ_ACTION, f"{prefix}from_organization__path")


def _visible_q(user: AnyUser, prefix: str = "") -> Q:
    return receiving_q(user, prefix) | sending_q(user, prefix)


def _filings() -> QuerySet[Filing]:
    return Filing.objects.select_related("from_organization", "to_organization", "township", "submitted_by",
                                         "decided_by")


def with_deadline(queryset: QuerySet[Filing], today: date) -> QuerySet[Filing]:
    """Annotates `deadline_on` (extended or not) and `is_overdue_now` (1 / 0)."""
    return queryset.annotate(
        deadline_on=Coalesce("extended_until", "due_on"),
        is_overdue_now=Case(When(overdue_q(today), then=Value(1)), default=Value(0), output_field=IntegerField()),
    )


def has_filing_scope(user: AnyUser) -> bool:
    """Whether the user may see filings anywhere (otherwise the pages are a 404)."""
    return any(READ_ACTION in scoping.ROLE_ACTIONS[grant.role] for grant in scoping.grants_of(user))


def _filtered(queryset: QuerySet[Filing], filters: FilingFilters, today: date) -> QuerySet[Filing]:
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.township is not None:
        queryset = queryset.filter(township=filters.township)
    if filters.organization is not None:
        queryset = queryset.filter(from_organization__path__startswith=filters.organization.path)
    if filters.overdue_only:
        queryset = queryset.filter(overdue_q(today))
    return queryset


def filing_queue(*, user: AnyUser, today: date, filters: FilingFilters | None = None) -> QuerySet[Filing]:
    """Filings addressed to the user's organizations (or below them), overdue first, then by deadline."""
    filings = _filings().filter(receiving_q(user))
    filings = with_deadline(_filtered(filings, filters or FilingFilters(), today), today)
    return filings.order_by("-is_overdue_now", Case(When(status=FilingStatus.PENDING, then=Value(0)), default=Value(1)),
                            "deadline_on", "pk")


def filing_sent(*, user: AnyUser, today: date, filters: FilingFilters | None = None) -> QuerySet[Filing]:
    """Filings sent by the user's organizations (the submitter side), newest first."""
    filings = _filings().filter(sending_q(user))
    filings = with_deadline(_filtered(filings, filters or FilingFilters(), today), today)
    return filings.order_by("-is_overdue_now", "-submitted_at", "-pk")


def filing_list(*, user: AnyUser, today: date) -> QuerySet[Filing]:
    """Every filing the user may see (either side), overdue first, then by deadline."""
    filings = with_deadline(_filings().filter(_visible_q(user)), today)
    return filings.order_by("-is_overdue_now", "deadline_on", "pk")


def filing_get(*, user: AnyUser, pk: object) -> Filing:
    """One filing the user may see (sender or receiver side); 404 for missing and out of scope alike."""
    try:
        return _filings().filter(_visible_q(user)).get(pk=pk)
    except (Filing.DoesNotExist, ValueError, TypeError):
        raise Http404("对象不存在或无权访问。") from None


def filing_with_history_get(*, user: AnyUser, pk: object) -> Filing:
    """`filing_get` with its rounds (and their users) and materials prefetched, for the API detail."""
    filing = filing_get(user=user, pk=pk)
    prefetch_related_objects(
        [filing], Prefetch("rounds", queryset=FilingRound.objects.select_related("submitted_by", "decided_by")),
        "materials",
    )
    return filing


def rounds_of(filing: Filing) -> list[FilingRound]:
    return list(filing.rounds.select_related("submitted_by", "decided_by").order_by("-revision"))


def materials_of(filing: Filing) -> list[FilingMaterial]:
    return list(filing.materials.order_by("-revision", "pk"))


def material_get(*, user: AnyUser, pk: object) -> FilingMaterial:
    """A material of a filing the user may see; 404 otherwise."""
    try:
        return (FilingMaterial.objects.select_related("filing", "filing__from_organization")
                .filter(_visible_q(user, "filing__")).get(pk=pk))
    except (FilingMaterial.DoesNotExist, ValueError, TypeError):
        raise Http404("对象不存在或无权访问。") from None


# --- permissions on one filing ------------------------------------------------------------------------

def may_decide(*, user: AnyUser, filing: Filing) -> bool:
    """A reviewer, secretary or committee grant on the receiving organization or above it."""
    path = filing.to_organization.path
    return any(grant.role in HANDLER_ROLES and path.startswith(grant.path) for grant in scoping.grants_of(user))


def may_submit(*, user: AnyUser, organization: Organization) -> bool:
    return scoping.can(user, SUBMIT_ACTION, organization)


def may_withdraw(*, user: AnyUser, filing: Filing) -> bool:
    return filing.status == FilingStatus.PENDING and may_submit(user=user, organization=filing.from_organization)


def may_resubmit(*, user: AnyUser, filing: Filing) -> bool:
    return (filing.status in (FilingStatus.RETURNED, FilingStatus.WITHDRAWN)
            and may_submit(user=user, organization=filing.from_organization))


def may_see_history(*, user: AnyUser, filing: Filing) -> bool:
    """Whether the audit history page of the filing has anything for this user."""
    return (scoping.can(user, Action.VIEW_AUDIT, filing.from_organization)
            or scoping.can(user, Action.VIEW_AUDIT, filing.to_organization))


def organizations_for_submit(*, user: AnyUser) -> QuerySet[Organization]:
    """Organizations the user may send filings from."""
    return scoping.organizations_for(user, SUBMIT_ACTION).filter(kind__in=SENDER_KINDS, is_active=True).order_by("path")


def townships_for_filter(*, user: AnyUser) -> QuerySet[Organization]:
    """Townships that appear on the user's visible filings (one subquery)."""
    ids = Filing.objects.filter(_visible_q(user)).exclude(township=None).values("township_id")
    return Organization.objects.filter(pk__in=ids).order_by("path")


def senders_for_filter(*, user: AnyUser) -> QuerySet[Organization]:
    ids = Filing.objects.filter(_visible_q(user)).values("from_organization_id")
    return Organization.objects.filter(pk__in=ids).order_by("path")


# --- the county dashboard -----------------------------------------------------------------------------

@dataclass
class TownshipRow:
    township_id: int | None
    name: str
    counts: dict[str, int]
    overdue: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def cells(self) -> list[int]:
        """The counts in the order of `FilingStatus`."""
        return [self.counts[code] for code in FilingStatus.values]


@dataclass
class Dashboard:
    totals: dict[str, int]
    overdue: int
    townships: list[TownshipRow]
    overdue_filings: list[Filing]
    average_days: float | None
    decided_rounds: int


COUNTY_LEVEL = "县（市、区）本级"


def dashboard(*, user: AnyUser, today: date) -> Dashboard:
    """Counts by status and township (one aggregate query), the overdue list, the average time to decision."""
    visible = Filing.objects.filter(_visible_q(user))
    rows = (
        visible.values("township_id", "township__name", "status")
        .annotate(n=Count("pk"), late=Count("pk", filter=overdue_q(today)))
        .order_by("township__path", "status")
    )
    totals = dict.fromkeys(FilingStatus.values, 0)
    townships: dict[int | None, TownshipRow] = {}
    overdue = 0
    for row in rows:
        totals[row["status"]] += row["n"]
        overdue += row["late"]
        township = townships.setdefault(row["township_id"], TownshipRow(
            row["township_id"], row["township__name"] or COUNTY_LEVEL, dict.fromkeys(FilingStatus.values, 0), 0))
        township.counts[row["status"]] += row["n"]
        township.overdue += row["late"]
    decided = FilingRound.objects.filter(
        filing__in=visible, status__in=[FilingStatus.APPROVED, FilingStatus.RETURNED], decided_at__isnull=False,
    ).aggregate(
        average=Avg(ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField())),
        n=Count("pk"),
    )
    average: timedelta | None = decided["average"]
    overdue_filings = list(
        with_deadline(_filings().filter(_visible_q(user)).filter(overdue_q(today)), today)
        .order_by("deadline_on", "pk")[:OVERDUE_LIST_SIZE]
    )
    return Dashboard(
        totals=totals, overdue=overdue, townships=list(townships.values()), overdue_filings=overdue_filings,
        average_days=round(average.total_seconds() / 86400, 1) if average is not None else None,
        decided_rounds=decided["n"],
    )
