"""Reads of party dues, always through the tenancy scope (`branches.scoping`).

Officers (VIEW_MEMBER) see the dues of the branches under their grants; a member (the `member` role)
sees their own. What a member owes is computed from three facts: the ledger start (January of the first
year a base was approved for them, or the month they joined if later), the reference month, and the
months paid (`DuesPaidMonth`): one query with correlated aggregates serves a whole branch.
"""

import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear
from django.http import Http404

from branches import scoping
from branches.models import Organization, OrganizationKind
from branches.scoping import Action, AnyUser
from membership.models import Member

from . import rules
from .models import DuesBase, DuesCategory, DuesLapseFlag, DuesPaidMonth, DuesPayment

PATH_FIELD = "organization__path"


def _self_q(user: AnyUser) -> Q:
    """The member role's own dues rows."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    return Q(member__person__user=user)


# --- organizations and permissions ------------------------------------------------------------------

def dues_branches(*, user: AnyUser) -> QuerySet[Organization]:
    """The branches whose dues the user may see."""
    return scoping.organizations_for(user, Action.VIEW_MEMBER).filter(
        kind=OrganizationKind.BRANCH, is_active=True,
    ).order_by("path")


def branch_get(*, user: AnyUser, pk: object) -> Organization:
    """A branch whose dues the user may see; 404 for missing, out of scope, or not a branch."""
    return scoping.get_or_404(
        Organization.objects.filter(kind=OrganizationKind.BRANCH), user, Action.VIEW_MEMBER, path_field="path", pk=pk,
    )


def may_manage_dues(*, user: AnyUser, organization: Organization) -> bool:
    """Branch officers (secretary, committee) of the branch or above record bases and payments."""
    return scoping.can(user, Action.CHANGE_MEMBER, organization)


def _require_view(user: AnyUser, organization: Organization) -> None:
    if not scoping.can(user, Action.VIEW_MEMBER, organization):
        raise Http404("对象不存在或无权访问。")


def branch_members(organization: Organization) -> QuerySet[Member]:
    """The branch's members in the register (the caller has checked the branch is in scope)."""
    return Member.objects.filter(organization=organization, is_active=True).select_related("person").order_by("pk")


def branch_member_get(*, user: AnyUser, organization: Organization, pk: object) -> Member:
    """A member of this branch, in the user's scope; 404 otherwise."""
    _require_view(user, organization)
    try:
        return branch_members(organization).get(pk=pk)
    except (Member.DoesNotExist, ValueError, TypeError):
        raise Http404("党员不存在或无权访问。") from None


def member_get(*, user: AnyUser, pk: object) -> Member:
    """A member in the user's VIEW_MEMBER scope (any branch under the grants); 404 otherwise."""
    return scoping.get_or_404(
        Member.objects.filter(is_active=True).select_related("person", "organization"), user, Action.VIEW_MEMBER,
        path_field="organization__path", pk=pk,
    )


# --- single rows ------------------------------------------------------------------------------------

def base_get(*, user: AnyUser, pk: object) -> DuesBase:
    return scoping.get_or_404(DuesBase.objects.select_related("member__person", "organization"), user,
                              Action.VIEW_MEMBER, path_field=PATH_FIELD, self_q=_self_q(user), pk=pk)


def payment_get(*, user: AnyUser, pk: object) -> DuesPayment:
    return scoping.get_or_404(DuesPayment.objects.select_related("member__person", "organization"), user,
                              Action.VIEW_MEMBER, path_field=PATH_FIELD, self_q=_self_q(user), pk=pk)


def lapse_flag_get(*, user: AnyUser, pk: object) -> DuesLapseFlag:
    return scoping.get_or_404(DuesLapseFlag.objects.select_related("member__person", "organization"), user,
                              Action.VIEW_MEMBER, path_field=PATH_FIELD, pk=pk)


# --- lists ------------------------------------------------------------------------------------------

def base_list(*, user: AnyUser, organization: Organization | None = None, year: int | None = None,
              member: Member | None = None) -> QuerySet[DuesBase]:
    rows = scoping.scoped(DuesBase.objects.select_related("member__person", "organization", "approved_by"), user,
                          Action.VIEW_MEMBER, path_field=PATH_FIELD, self_q=_self_q(user))
    if organization is not None:
        rows = rows.filter(organization__path__startswith=organization.path)
    if year is not None:
        rows = rows.filter(year=year)
    if member is not None:
        rows = rows.filter(member=member)
    return rows.order_by("organization_id", "year", "member_id")


def payment_list(*, user: AnyUser, organization: Organization | None = None, year: int | None = None,
                 member: Member | None = None, include_cancelled: bool = True) -> QuerySet[DuesPayment]:
    rows = scoping.scoped(DuesPayment.objects.select_related("member__person", "organization", "recorded_by"), user,
                          Action.VIEW_MEMBER, path_field=PATH_FIELD, self_q=_self_q(user))
    if organization is not None:
        rows = rows.filter(organization__path__startswith=organization.path)
    if year is not None:
        rows = rows.filter(year=year)
    if member is not None:
        rows = rows.filter(member=member)
    if not include_cancelled:
        rows = rows.filter(cancelled_at__isnull=True)
    return rows.order_by("-paid_on", "-pk")


def lapse_candidates(organization: Organization) -> QuerySet[DuesLapseFlag]:
    """Open self-lapse flags (six consecutive months unpaid) in the organization's subtree.

    For the disposal procedure (处置不合格党员, 自行脱党 → 除名): the caller has checked the organization is
    in the acting user's scope.
    """
    return (
        DuesLapseFlag.objects.filter(resolved=False, organization__path__startswith=organization.path)
        .select_related("member__person", "organization")
        .order_by("organization__path", "since_month", "pk")
    )


def open_lapse_flags(*, user: AnyUser, organization: Organization) -> QuerySet[DuesLapseFlag]:
    _require_view(user, organization)
    return lapse_candidates(organization)


# --- what members owe ----------------------------------------------------------------------------

def _count_months(**filters: Any) -> Coalesce:
    counted = (
        DuesPaidMonth.objects.filter(member=OuterRef("pk"), **filters).order_by().values("member")
        .annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_dues_position(members: QuerySet[Member], *, year: int, up_to_month: int) -> QuerySet[Member]:
    """Annotates each member with what `DuesRow` needs, up to month `up_to_month` of `year` (0 = none of
    `year`, i.e. up to December of the year before): correlated subqueries on indexed columns, no GROUP BY."""
    bases = DuesBase.objects.filter(member=OuterRef("pk"))
    in_force = bases.filter(year__lte=year).order_by("-year")
    last_paid = (
        DuesPaidMonth.objects.filter(Q(year__lt=year) | Q(year=year, month__lte=up_to_month), member=OuterRef("pk"))
        .order_by("-year", "-month")
        .annotate(i=F("year") * 12 + F("month") - 1)
        .values("i")[:1]
    )
    return members.annotate(
        dues_first_base_year=Subquery(bases.order_by("year").values("year")[:1]),
        dues_monthly_amount=Subquery(in_force.values("monthly_amount")[:1],
                                     output_field=DecimalField(max_digits=10, decimal_places=2)),
        dues_base_year=Subquery(in_force.values("year")[:1]),
        dues_paid_in_year=_count_months(year=year, month__lte=up_to_month),
        dues_paid_before=_count_months(year__lt=year),
        dues_last_paid=Subquery(last_paid, output_field=IntegerField()),
        dues_joined_index=ExtractYear("joined_on") * 12 + ExtractMonth("joined_on") - 1,
    )


@dataclass(frozen=True)
class DuesRow:
    """A member's dues up to the reference month."""

    member: Member
    tracked: bool  # a base has been approved for some year up to now
    monthly_amount: Decimal | None
    base_year: int | None  # the year of the base in force (≠ the year shown: an estimate from an older base)
    owed_in_year: int
    owed_before: int  # unpaid months of earlier years
    unpaid_run: int
    run_since: date | None
    start: int | None = field(default=None, repr=False)

    @property
    def owed(self) -> int:
        return self.owed_in_year + self.owed_before

    @property
    def amount_owed_in_year(self) -> Decimal | None:
        if self.monthly_amount is None:
            return None
        return rules.expected_amount(months=self.owed_in_year, monthly_amount=self.monthly_amount)

    @property
    def is_lapse_candidate(self) -> bool:
        return self.unpaid_run >= rules.LAPSE_MONTHS


def dues_row(member: Member, *, year: int, up_to_month: int) -> DuesRow:
    """From a member annotated by `with_dues_position` (no query)."""
    start = rules.ledger_start(first_base_year=member.dues_first_base_year, joined_on=member.joined_on)
    up_to = rules.month_index(year, 1) + up_to_month - 1
    year_start = rules.month_index(year, 1)
    paid_total = member.dues_paid_in_year + member.dues_paid_before
    position = rules.position(start=start, up_to=up_to, paid=paid_total, last_paid=member.dues_last_paid)
    if start is None:
        due_before = due_in_year = 0
    else:
        due_before = max(0, min(up_to, year_start - 1) - start + 1)
        due_in_year = max(0, up_to - max(start, year_start) + 1)
    return DuesRow(
        member=member, tracked=start is not None, monthly_amount=member.dues_monthly_amount,
        base_year=member.dues_base_year,
        owed_in_year=max(0, due_in_year - member.dues_paid_in_year),
        owed_before=max(0, due_before - member.dues_paid_before),
        unpaid_run=position.unpaid_run,
        run_since=rules.first_day_of(position.run_since) if position.run_since is not None else None,
        start=start,
    )


def dues_rows(*, user: AnyUser, organization: Organization, year: int, up_to_month: int) -> list[DuesRow]:
    """Every member of the branch with what they owe up to the month: one query."""
    _require_view(user, organization)
    members = with_dues_position(branch_members(organization), year=year, up_to_month=up_to_month)
    return [dues_row(member, year=year, up_to_month=up_to_month) for member in members]


def unpaid_list(*, user: AnyUser, organization: Organization, year: int, up_to_month: int) -> list[DuesRow]:
    """Members of the branch who owe dues up to `up_to_month` of `year` (this year or earlier), most owed
    first: one query with aggregates."""
    rows = dues_rows(user=user, organization=organization, year=year, up_to_month=up_to_month)
    owing = [row for row in rows if row.owed > 0]
    return sorted(owing, key=lambda row: (-row.owed, row.member.pk))


# --- months paid, for the points ledger --------------------------------------------------------------

def paid_months(*, organization_ids: Iterable[int], year: int, up_to_month: int) -> list[dict[str, Any]]:
    """The months 1…`up_to_month` of `year` that valid (not cancelled) payments recorded in the branches cover:
    one query, one row per member and month, ordered by member and month.

    Rows (dicts): member_id, person_id, organization_id, payment_id, year, month, paid_on, on_time — paid on
    or before the month's last day; paying in advance is on time ("也可以预交"). Scoring turns them into
    entries by its scheme. The caller has checked its scope.
    """
    payments = (
        DuesPayment.objects.filter(organization_id__in=list(organization_ids), year=year, cancelled_at__isnull=True,
                                   from_month__lte=up_to_month)
        .values("member_id", "organization_id", "from_month", "to_month", "paid_on", payment_id=F("pk"),
                person_id=F("member__person_id"))
        .order_by("member_id", "from_month", "pk")
    )
    rows: list[dict[str, Any]] = []
    for payment in payments:
        paid_on = payment["paid_on"]
        for month in range(payment["from_month"], min(payment["to_month"], up_to_month) + 1):
            last_day = date(year, month, calendar.monthrange(year, month)[1])
            rows.append({
                "member_id": payment["member_id"], "person_id": payment["person_id"],
                "organization_id": payment["organization_id"], "payment_id": payment["payment_id"],
                "year": year, "month": month, "paid_on": paid_on, "on_time": paid_on <= last_day,
            })
    return rows


# --- the branch page grid ------------------------------------------------------------------------

PAID, OWED, DUE, NOT_DUE = "paid", "owed", "due", "not_due"


@dataclass
class GridRow:
    row: DuesRow
    base: DuesBase | None
    cells: list[str]
    paid_months: int


def dues_grid(*, user: AnyUser, organization: Organization, year: int, up_to_month: int) -> dict[str, Any]:
    """Members × months of `year` (paid / owed / due later / not due), per-month counts, totals and the
    unpaid list (as `unpaid_list` orders it).

    Four queries: members with positions, the year's bases, the year's paid months, the year's receipts.
    """
    rows = dues_rows(user=user, organization=organization, year=year, up_to_month=up_to_month)
    member_ids = [row.member.pk for row in rows]
    bases = {b.member_id: b for b in DuesBase.objects.filter(year=year, member_id__in=member_ids)}
    paid: dict[int, set[int]] = defaultdict(set)
    for member_id, month in DuesPaidMonth.objects.filter(year=year, member_id__in=member_ids).values_list(
            "member_id", "month"):
        paid[member_id].add(month)
    received = DuesPayment.objects.filter(organization=organization, year=year, cancelled_at__isnull=True).aggregate(
        total=Coalesce(Sum("amount"), Value(Decimal("0")), output_field=DecimalField(max_digits=12, decimal_places=2)),
    )["total"]
    year_start = rules.month_index(year, 1)
    grid: list[GridRow] = []
    paid_per_month = [0] * 12
    due_per_month = [0] * 12
    for row in rows:
        cells = []
        for month in range(1, 13):
            index = year_start + month - 1
            if month in paid[row.member.pk]:
                cells.append(PAID)
                paid_per_month[month - 1] += 1
            elif row.start is None or index < row.start:
                cells.append(NOT_DUE)
                continue
            elif month <= up_to_month:
                cells.append(OWED)
            else:
                cells.append(DUE)
            due_per_month[month - 1] += 1
        grid.append(GridRow(row=row, base=bases.get(row.member.pk), cells=cells, paid_months=len(paid[row.member.pk])))
    owed_amount = sum((r.amount_owed_in_year or Decimal("0") for r in rows), Decimal("0"))
    return {
        "rows": grid,
        "months": list(range(1, 13)),
        "month_counts": list(zip(paid_per_month, due_per_month, strict=True)),
        "estimated": sum(1 for g in grid if g.base is None and g.row.monthly_amount is not None),
        "received": received,
        "owed_amount": owed_amount,
        "unpaid": sorted((r for r in rows if r.owed > 0), key=lambda r: (-r.owed, r.member.pk)),
        "untracked": sum(1 for r in rows if not r.tracked),
        "without_base": sum(1 for g in grid if g.base is None),
    }


# --- the member's own view -------------------------------------------------------------------------

def dues_summary_for_member(member: Member, year: int, *, today: date | None = None) -> dict[str, Any]:
    """A member's dues for the year, for the member portal (phone first): months paid, months owed up to
    the last completed month, the monthly amount and what is owed. The caller has the member through
    the scope (their own record, or an officer's). Four queries."""
    from partyadmin.workdays import china_today

    today = today or china_today()
    up_to_month = rules.reference_month(year=year, today=today)
    annotated = with_dues_position(Member.objects.filter(pk=member.pk), year=year, up_to_month=up_to_month).first()
    if annotated is None:
        raise Http404("党员不存在。")
    row = dues_row(annotated, year=year, up_to_month=up_to_month)
    paid_months = sorted(DuesPaidMonth.objects.filter(member=member, year=year).values_list("month", flat=True))
    year_start = rules.month_index(year, 1)
    owed_months = [
        m for m in range(1, up_to_month + 1)
        if row.start is not None and year_start + m - 1 >= row.start and m not in paid_months
    ]
    months = []
    for m in range(1, 13):
        if m in paid_months:
            status = PAID
        elif row.start is None or year_start + m - 1 < row.start:
            status = NOT_DUE
        else:
            status = OWED if m <= up_to_month else DUE
        months.append((m, status))
    payments = list(DuesPayment.objects.filter(member=member, year=year, cancelled_at__isnull=True)
                    .order_by("paid_on", "pk"))
    base = DuesBase.objects.filter(member=member, year=year).first()
    return {
        "year": year,
        "up_to_month": up_to_month,
        "base": base,
        "monthly_amount": row.monthly_amount,
        "estimated": row.base_year is not None and row.base_year != year,
        "paid_months": paid_months,
        "owed_months": owed_months,
        "months": months,
        "owed_before": row.owed_before,
        "amount_owed": row.amount_owed_in_year or Decimal("0"),
        "payments": payments,
        "paid_amount": sum((p.amount for p in payments), Decimal("0")),
        "is_lapse_candidate": row.is_lapse_candidate,
    }


def category_table() -> list[tuple[str, str]]:
    """The rates in force, for the page's reference panel (from `rules`, the national rule)."""
    rows: list[tuple[str, str]] = []
    for category, brackets in rules.RATE_BRACKETS.items():
        lower = Decimal("0")
        parts = []
        for bracket in brackets:
            rate = f"{(bracket.rate * 100).normalize():f}%"
            if bracket.up_to is None:
                parts.append(f"{lower}元以上 {rate}")
            else:
                parts.append(f"{lower}–{bracket.up_to}元（含） {rate}" if lower else f"{bracket.up_to}元以下（含） {rate}")
                lower = bracket.up_to
        rows.append((DuesCategory(category).label, "；".join(parts)))
    for category, fixed in rules.FIXED_AMOUNTS.items():
        amount = f"{fixed.minimum}元" if fixed.minimum == fixed.maximum else f"{fixed.minimum}–{fixed.maximum}元"
        rows.append((DuesCategory(category).label, f"每月{amount}"))
    rows.append((DuesCategory.REDUCED.label, "经党支部研究，报上一级党委批准，可以少交或免交"))
    return rows


def organization_get(*, user: AnyUser, pk: object) -> Organization:
    """Any organization whose members the user may see (an API filter); 404 otherwise."""
    return scoping.get_or_404(Organization.objects.all(), user, Action.VIEW_MEMBER, path_field="path", pk=pk)
