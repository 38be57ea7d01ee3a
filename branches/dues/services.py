"""Writes to party dues: yearly bases, payments, cancellations, self-lapse flags, and the daily job.

Callers pass objects fetched through the scope (`selectors`) and have checked `may_manage_dues`; the
services check the rules (`rules`) and emit one audit event per change. A member's writes are serialized
by a row lock on the member, so two clerks cannot pay the same month at once (the unique month row is
the last line of defence).
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F, IntegerField, Value
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone

from audit.notifications.services import notify_many
from audit.services import record
from branches.models import Organization
from branches.services import secretaries_of
from membership.models import Member
from partyadmin.errors import RuleViolation
from partyadmin.workdays import china_today

from . import rules
from .models import (
    DuesBase,
    DuesCategory,
    DuesLapseFlag,
    DuesPaidMonth,
    DuesPayment,
    LapseResolution,
    PaymentMethod,
)
from .selectors import dues_row, with_dues_position

MIN_YEAR, MAX_YEAR = 2000, 2100


def _actor(user: AbstractBaseUser | None) -> AbstractBaseUser | None:
    return user if user is not None and user.is_authenticated else None


def _lock_member(member: Member) -> Member:
    locked = Member.objects.select_for_update().filter(pk=member.pk).first()
    if locked is None or not locked.is_active:
        raise RuleViolation("dues.member_inactive", "该党员不在册。", field="member")
    return member


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise RuleViolation("dues.bad_year", f"年度须在{MIN_YEAR}至{MAX_YEAR}之间。", field="year")


@transaction.atomic
def dues_base_set(
    *, acting_user: AbstractBaseUser | None, member: Member, year: int, category: str,
    monthly_income_base: Decimal = Decimal("0"), fixed_amount: Decimal | None = None,
    declared_amount: Decimal | None = None, note: str = "",
) -> DuesBase:
    """Approves a member's dues base for a year: once a year (seed 004: "党费基数一年一核定")."""
    _check_year(year)
    _lock_member(member)
    if DuesBase.objects.filter(member=member, year=year).exists():
        raise RuleViolation("dues.base_exists", f"{member}的{year}年度党费基数已核定（党费基数一年一核定）。",
                            field="year")
    if category not in DuesCategory.values:
        raise RuleViolation("dues.bad_category", "未知的党员交纳类别。", field="category")
    salaried = category in rules.RATE_BRACKETS
    dues = rules.monthly_dues(
        category=category, income=monthly_income_base if salaried else Decimal("0"),
        fixed_amount=None if salaried else fixed_amount, declared_amount=declared_amount,
        reduction_approved=bool(note.strip()),
    )
    base = DuesBase.objects.create(
        organization=member.organization, county_id=member.county_id, member=member, year=year, category=category,
        monthly_income_base=monthly_income_base if salaried else Decimal("0"), rate=dues.rate,
        monthly_amount=dues.amount, note=note.strip(), approved_by=_actor(acting_user), approved_at=timezone.now(),
    )
    record(
        actor=acting_user, action="dues.base_set", organization=member.organization, subject=base,
        changes={"member": [None, str(member)], "year": [None, year], "category": [None, base.get_category_display()],
                 "monthly_income_base": [None, base.monthly_income_base], "rate": [None, base.rate_percent],
                 "monthly_amount": [None, base.monthly_amount]},
    )
    return base


@transaction.atomic
def dues_payment_record(
    *, acting_user: AbstractBaseUser | None, member: Member, year: int, from_month: int, to_month: int,
    amount: Decimal, paid_on: date, method: str, note: str = "", today: date | None = None,
) -> DuesPayment:
    """Records a payment covering `from_month`…`to_month` of `year` (monthly, quarterly or in advance:
    "可以每季度交纳一次，也可以预交"). The amount is months × the year's monthly due unless the note explains
    the difference; a month already paid is refused."""
    _check_year(year)
    rules.check_months(from_month=from_month, to_month=to_month)
    if paid_on > (today or china_today()):
        raise RuleViolation("dues.paid_in_future", "交纳日期不能晚于今天。", field="paid_on")
    if method not in PaymentMethod.values:
        raise RuleViolation("dues.bad_method", "未知的交纳方式。", field="method")
    _lock_member(member)
    base = DuesBase.objects.filter(member=member, year=year).first()
    if base is None:
        raise RuleViolation("dues.no_base", f"请先核定{member}的{year}年度党费基数。", field="year")
    rules.check_not_before_joining(year=year, from_month=from_month, joined_on=member.joined_on)
    months = list(range(from_month, to_month + 1))
    already = DuesPaidMonth.objects.filter(member=member, year=year, month__in=months).values_list("month", flat=True)
    rules.check_no_overlap(year=year, months=months, already_paid=list(already))
    rules.check_payment_amount(months=len(months), monthly_amount=base.monthly_amount, amount=amount, note=note)
    payment = DuesPayment.objects.create(
        organization=member.organization, county_id=member.county_id, member=member, year=year,
        from_month=from_month, to_month=to_month, paid_on=paid_on, amount=amount,
        expected_amount=rules.expected_amount(months=len(months), monthly_amount=base.monthly_amount),
        method=method, note=note.strip(), recorded_by=_actor(acting_user),
    )
    DuesPaidMonth.objects.bulk_create(
        DuesPaidMonth(payment=payment, member=member, year=year, month=month) for month in months
    )
    record(
        actor=acting_user, action="dues.payment_record", organization=member.organization, subject=payment,
        subject_label=f"{member} {payment.months_label}",
        changes={"member": [None, str(member)], "months": [None, payment.months_label], "amount": [None, amount],
                 "expected_amount": [None, payment.expected_amount], "paid_on": [None, paid_on],
                 "method": [None, payment.get_method_display()], "note": [None, payment.note]},
    )
    return payment


@transaction.atomic
def dues_payment_cancel(*, acting_user: AbstractBaseUser | None, payment: DuesPayment, reason: str) -> DuesPayment:
    """Cancels a payment entered in error: its months become unpaid again; the row stays, marked."""
    _lock_member(payment.member)
    payment = DuesPayment.objects.select_for_update().get(pk=payment.pk)
    if payment.cancelled_at is not None:
        raise RuleViolation("dues.payment_cancelled", "该交纳记录已撤销。")
    if not reason.strip():
        raise RuleViolation("dues.cancel_no_reason", "请填写撤销原因。", field="reason")
    payment.paid_months.all().delete()
    payment.cancelled_at = timezone.now()
    payment.cancel_reason = reason.strip()
    payment.save(update_fields=["cancelled_at", "cancel_reason", "updated_at"])
    record(actor=acting_user, action="dues.payment_cancel", organization=payment.organization, subject=payment,
           subject_label=f"{payment.member} {payment.months_label}",
           changes={"cancelled": [False, True], "reason": [None, payment.cancel_reason]})
    return payment


@transaction.atomic
def dues_lapse_flag_resolve(*, acting_user: AbstractBaseUser | None, flag: DuesLapseFlag, resolution: str,
                            note: str = "", today: date | None = None) -> DuesLapseFlag:
    """Closes a self-lapse flag: paid up, a justified reason ("没有正当理由" is the condition), or handed to
    the disposal procedure."""
    if resolution not in LapseResolution.values:
        raise RuleViolation("dues.bad_resolution", "未知的处理结果。", field="resolution")
    if resolution == LapseResolution.JUSTIFIED and not note.strip():
        raise RuleViolation("dues.resolution_no_note", "请说明正当理由。", field="note")
    claimed = DuesLapseFlag.objects.filter(pk=flag.pk, resolved=False).update(
        resolved=True, resolved_on=today or china_today(), resolution=resolution, resolution_note=note.strip(),
        resolved_by=_actor(acting_user), updated_at=timezone.now(),
    )
    if claimed != 1:
        raise RuleViolation("dues.flag_resolved", "该提示已处理。")
    flag.refresh_from_db()
    record(actor=acting_user, action="dues.lapse_resolve", organization=flag.organization, subject=flag,
           subject_label=str(flag),
           changes={"resolution": [None, flag.get_resolution_display()], "note": [None, flag.resolution_note]})
    return flag


@transaction.atomic
def dues_unpaid_export_record(*, acting_user: AbstractBaseUser, organization: Organization, year: int,
                              up_to_month: int, count: int) -> None:
    """Every export is audited (DESIGN §2.7): who exported the unpaid list of which branch, how many rows."""
    record(actor=acting_user, action="dues.unpaid_export", organization=organization,
           subject_type="dues.unpaid", subject_label=f"{organization.name}党费欠交名单（截至{year}年{up_to_month}月）",
           changes={"count": [None, count], "year": [None, year], "up_to_month": [None, up_to_month]})


# --- the daily job ----------------------------------------------------------------------------------

def _owing_members(*, year: int, month: int) -> Iterable[Member]:
    """Every member in the register owing ≥ 3 months up to the month, with positions, by branch: one
    streamed query (correlated subqueries on indexed columns)."""
    up_to = rules.month_index(year, month)
    members = with_dues_position(Member.objects.filter(is_active=True), year=year, up_to_month=month)
    start = Greatest(F("dues_first_base_year") * 12, F("dues_joined_index"), output_field=IntegerField())
    owed = Value(up_to + 1) - start - F("dues_paid_in_year") - F("dues_paid_before")
    return (
        members.filter(dues_first_base_year__isnull=False)
        .annotate(dues_owed=owed).filter(dues_owed__gte=rules.OWING_REMINDER_MONTHS)
        .select_related("person", "organization").order_by("organization_id", "pk")
        .iterator(chunk_size=1000)
    )


def _raise_flag(member: Member, since: date, months: int, today: date) -> DuesLapseFlag | None:
    try:
        with transaction.atomic():
            flag = DuesLapseFlag.objects.create(
                organization=member.organization, county_id=member.county_id, member=member, since_month=since,
                months_unpaid=months, raised_on=today,
            )
    except IntegrityError:  # an open flag already exists
        return None
    record(actor=None, action="dues.lapse_flag", organization=member.organization, subject=flag,
           subject_label=str(flag), changes={"since_month": [None, since], "months_unpaid": [None, months]})
    return flag


def _resolve_paid_up(*, year: int, month: int, today: date) -> int:
    """Open flags whose run of unpaid months is broken are closed as paid up (the member may have begun a
    new run since: the main step flags that one afresh)."""
    open_flags = {f.member_id: f for f in DuesLapseFlag.objects.filter(resolved=False).select_related("organization")}
    if not open_flags:
        return 0
    members = with_dues_position(Member.objects.filter(pk__in=open_flags), year=year, up_to_month=month)
    resolved = 0
    for member in members:
        flag = open_flags[member.pk]
        row = dues_row(member, year=year, up_to_month=month)
        if row.is_lapse_candidate and row.run_since == flag.since_month:
            continue
        claimed = DuesLapseFlag.objects.filter(pk=flag.pk, resolved=False).update(
            resolved=True, resolved_on=today, resolution=LapseResolution.PAID_UP, updated_at=timezone.now(),
        )
        if claimed == 1:
            record(actor=None, action="dues.lapse_resolve", organization=flag.organization, subject=flag,
                   subject_label=str(flag), changes={"resolution": [None, LapseResolution.PAID_UP.label]})
            resolved += 1
    return resolved


def dues_tick(*, today: date) -> dict[str, int]:
    """Daily: remind branch secretaries of members owing 3 months or more, and raise a self-lapse flag for
    six consecutive unpaid months (seed 001: "连续 6 个月不交纳党费 … 视为自动脱党"), once per run of months.

    The reference month is the last completed one. Idempotent: the reminder key names the branch and the
    month (one reminder per branch per month), a flag is unique while open and its notification key names
    the flag; running twice sends and raises nothing new.
    """
    year, month = rules.month_of(rules.last_completed_month(today))
    counts = {"reminded": 0, "flagged": 0, "resolved": _resolve_paid_up(year=year, month=month, today=today)}
    by_branch: dict[int, list[tuple[Member, Any]]] = defaultdict(list)
    for member in _owing_members(year=year, month=month):
        by_branch[member.organization_id].append((member, dues_row(member, year=year, up_to_month=month)))
    if not by_branch:
        return counts
    # A run of unpaid months is flagged once: not while a flag is open, nor again after the branch found a
    # justified reason or handed it to disposal (a run is known by its first month).
    candidates = [m.pk for rows in by_branch.values() for m, row in rows if row.is_lapse_candidate]
    known = DuesLapseFlag.objects.filter(member__in=candidates).exclude(resolution=LapseResolution.PAID_UP)
    open_flagged = set(known.filter(resolved=False).values_list("member_id", flat=True))
    settled_runs = set(known.filter(resolved=True).values_list("member_id", "since_month"))
    secretaries = secretaries_of(by_branch)
    for organization_id, rows in by_branch.items():
        organization = rows[0][0].organization
        url = reverse("dues:branch", args=[organization_id])
        users = secretaries.get(organization_id, [])
        names = "、".join(f"{m}（{row.owed}个月）" for m, row in rows[:20])
        more = f"等{len(rows)}人" if len(rows) > 20 else f"共{len(rows)}人"
        counts["reminded"] += bool(notify_many(
            users=users, key=f"dues:owing:{organization_id}:{year}-{month:02d}", kind="dues",
            title=f"{organization.name}有党员欠交党费3个月以上（截至{year}年{month}月）",
            body=f"{names}，{more}。请及时提醒党员主动、按时、足额交纳党费。", url=url, organization=organization,
        ))
        for member, row in rows:
            if (not row.is_lapse_candidate or member.pk in open_flagged
                    or (member.pk, row.run_since) in settled_runs):
                continue
            flag = _raise_flag(member, row.run_since, row.unpaid_run, today)
            if flag is None:
                continue
            counts["flagged"] += 1
            notify_many(
                users=users, key=f"dues:lapse:{flag.pk}", kind="dues",
                title=f"{member}自{row.run_since:%Y年%m月}起连续{row.unpaid_run}个月未交纳党费",
                body="没有正当理由，连续6个月不交纳党费的，应客观分析原因并及时批评教育，经批评教育仍不改正的，"
                     "视为自行脱党，按规定予以除名。",
                url=url, organization=organization,
            )
    return counts
