"""Party dues (党费) as pure functions over plain values (no ORM).

The rates are data: the national rule 《关于中国共产党党费收缴、使用和管理的规定》 (中组发〔2008〕3号):

* 第二条 "每月工资收入（税后）在3000元以下（含3000元）者，交纳月工资收入的0.5%；3000元以上至5000元
  （含5000元）者，交纳1%；5000元以上至10000元（含10000元）者，交纳1.5%；10000元以上者，交纳2%。"
  (年薪制 and 个体经营者 use the same table on their monthly pay or average net income, 第三、四条.)
* 第五条 "离退休干部、职工中的党员，每月以实际领取的离退休费总额或养老金总额为计算基数，5000元以下
  （含5000元）的按0.5%交纳党费，5000元以上的按1%交纳党费。"
* 第六条 "农民党员每月交纳党费0.2元至1元。学生党员、下岗失业的党员、依靠抚恤或救济生活的党员、领取当地
  最低生活保障金的党员，每月交纳党费0.2元。"
* "党员自愿多交党费不限"; "交纳党费确有困难的党员，经党支部研究，报上一级党委批准后，可以少交或免交党费。"
* "党员应当每月交纳党费。遇到特殊情况，经党支部同意，可以每季度交纳一次，也可以预交。"

seed 004 二(3): "确保党费基数核定一年一次，对于不能主动、按时、足额交纳党费的党员要及时提醒教育".
seed 001 (党员管理制度): "没有正当理由,连续 6 个月不交纳党费的,应客观分析原因并及时批评教育,经批评教育仍不改正的,
视为自动脱党" — six consecutive unpaid months make a self-lapse candidate (DESIGN §3.2).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from partyadmin.errors import RuleViolation

# Categories of members (the keys of the tables below; `models.DuesCategory` gives them labels).
SALARIED = "salaried"
RETIRED = "retired"
FARMER = "farmer"
STUDENT = "student"
HARDSHIP = "hardship"
REDUCED = "reduced"

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Bracket:
    """Up to `up_to` yuan a month (inclusive; None = no upper bound) the rate is `rate` (a fraction)."""

    up_to: Decimal | None
    rate: Decimal


@dataclass(frozen=True)
class FixedAmount:
    """A fixed monthly amount in yuan, chosen by the branch within [minimum, maximum]."""

    minimum: Decimal
    maximum: Decimal
    default: Decimal


RATE_BRACKETS: dict[str, tuple[Bracket, ...]] = {
    SALARIED: (  # 第二条
        Bracket(Decimal("3000"), Decimal("0.005")),
        Bracket(Decimal("5000"), Decimal("0.01")),
        Bracket(Decimal("10000"), Decimal("0.015")),
        Bracket(None, Decimal("0.02")),
    ),
    RETIRED: (  # 第五条
        Bracket(Decimal("5000"), Decimal("0.005")),
        Bracket(None, Decimal("0.01")),
    ),
}

FIXED_AMOUNTS: dict[str, FixedAmount] = {  # 第六条
    FARMER: FixedAmount(Decimal("0.20"), Decimal("1.00"), Decimal("0.20")),
    STUDENT: FixedAmount(Decimal("0.20"), Decimal("0.20"), Decimal("0.20")),
    HARDSHIP: FixedAmount(Decimal("0.20"), Decimal("0.20"), Decimal("0.20")),
}

# A member owing this many months is reminded about (to the branch secretary, monthly).
OWING_REMINDER_MONTHS = 3
# seed 001: "连续 6 个月不交纳党费" → a self-lapse candidate (自行脱党), for the disposal procedure.
LAPSE_MONTHS = 6


def rate_for(category: str, income: Decimal) -> Decimal:
    """The rate of the bracket the monthly income falls in ("含" = the bound belongs to the lower bracket)."""
    for bracket in RATE_BRACKETS[category]:
        if bracket.up_to is None or income <= bracket.up_to:
            return bracket.rate
    raise AssertionError("the last bracket has no upper bound")  # pragma: no cover


@dataclass(frozen=True)
class MonthlyDues:
    rate: Decimal
    amount: Decimal


def monthly_dues(*, category: str, income: Decimal = Decimal("0"), fixed_amount: Decimal | None = None,
                 declared_amount: Decimal | None = None, reduction_approved: bool = False) -> MonthlyDues:
    """The monthly amount for a member of `category`.

    Salaried and retired members pay income × rate, to the fen (half up); farmers, students and members
    in hardship pay a fixed amount (farmers 0.2–1 yuan, as the branch sets it); a member may declare more
    ("自愿多交党费不限"), never less; an approved reduction (少交或免交) may be any amount from 0.
    """
    if category in RATE_BRACKETS:
        if income <= 0:
            raise RuleViolation("dues.no_income", "请填写月收入（税后）或离退休费、养老金总额。",
                                field="monthly_income_base")
        rate = rate_for(category, income)
        amount = (income * rate).quantize(CENT, rounding=ROUND_HALF_UP)
    elif category in FIXED_AMOUNTS:
        fixed = FIXED_AMOUNTS[category]
        rate = Decimal("0")
        amount = fixed.default if fixed_amount is None else fixed_amount
        if not fixed.minimum <= amount <= fixed.maximum:
            span = f"{fixed.minimum}元" if fixed.minimum == fixed.maximum else f"{fixed.minimum}元至{fixed.maximum}元"
            raise RuleViolation("dues.bad_fixed_amount", f"该类党员每月交纳党费{span}。", field="fixed_amount")
    elif category == REDUCED:
        if not reduction_approved:
            raise RuleViolation("dues.reduction_not_approved",
                                "少交或免交党费须经党支部研究，报上一级党委批准，请填写批准情况。", field="note")
        rate = Decimal("0")
        amount = Decimal("0") if fixed_amount is None else fixed_amount
        if amount < 0:
            raise RuleViolation("dues.bad_fixed_amount", "每月交纳金额不能为负数。", field="fixed_amount")
    else:
        raise RuleViolation("dues.bad_category", "未知的党员交纳类别。", field="category")
    if declared_amount is not None:
        if declared_amount < amount:
            raise RuleViolation("dues.declared_below_rule",
                                f"按规定每月应交{amount}元，自愿多交不限，但不能少于应交金额。", field="declared_amount")
        amount = declared_amount
    return MonthlyDues(rate=rate, amount=amount.quantize(CENT))


# --- months ----------------------------------------------------------------------------------------
# A month is an index year * 12 + (month - 1), so that ranges cross year ends with plain arithmetic.

def month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def month_of(index: int) -> tuple[int, int]:
    year, month0 = divmod(index, 12)
    return year, month0 + 1


def first_day_of(index: int) -> date:
    year, month = month_of(index)
    return date(year, month, 1)


def last_completed_month(today: date) -> int:
    """The month before `today`'s: this month's dues are not late yet."""
    return month_index(today.year, today.month) - 1


def reference_month(*, year: int, today: date) -> int:
    """The last month of `year` whose dues are late by `today`: 12 for a past year, the month before
    today's for this year, 0 (none) for a future year."""
    if year < today.year:
        return 12
    if year > today.year:
        return 0
    return today.month - 1


def check_months(*, from_month: int, to_month: int) -> None:
    if not (1 <= from_month <= 12 and 1 <= to_month <= 12):
        raise RuleViolation("dues.bad_month", "月份须在1至12之间。", field="from_month")
    if from_month > to_month:
        raise RuleViolation("dues.bad_month_range", "起始月份不能晚于截止月份。", field="to_month")


def check_not_before_joining(*, year: int, from_month: int, joined_on: date) -> None:
    """"预备党员从支部大会通过其为预备党员之日起交纳党费": no dues before the month of joining."""
    if month_index(year, from_month) < month_index(joined_on.year, joined_on.month):
        raise RuleViolation("dues.before_joining", f"该党员{joined_on:%Y年%m月}入党，此前月份无需交纳党费。",
                            field="from_month")


def check_no_overlap(*, year: int, months: Sequence[int], already_paid: Sequence[int]) -> None:
    """A month is paid once: a payment covering a month already paid is refused."""
    overlap = sorted(set(months) & set(already_paid))
    if overlap:
        listed = "、".join(f"{m}月" for m in overlap)
        raise RuleViolation("dues.months_already_paid", f"{year}年{listed}的党费已交纳，不能重复登记。",
                            field="from_month")


def expected_amount(*, months: int, monthly_amount: Decimal) -> Decimal:
    return (monthly_amount * months).quantize(CENT)


def check_payment_amount(*, months: int, monthly_amount: Decimal, amount: Decimal, note: str) -> None:
    """The amount is months × the monthly due; a different amount (e.g. 自愿多交) needs an explanation."""
    if amount < 0:
        raise RuleViolation("dues.negative_amount", "金额不能为负数。", field="amount")
    expected = expected_amount(months=months, monthly_amount=monthly_amount)
    if amount != expected and not note.strip():
        raise RuleViolation(
            "dues.amount_mismatch",
            f"应交{expected}元（{months}个月×{monthly_amount}元），实交{amount}元：金额不一致须在备注中说明原因。",
            field="amount",
        )


# --- positions: what a member owes ---------------------------------------------------------------

@dataclass(frozen=True)
class Position:
    """A member's dues up to a month: due and paid month counts, and the trailing unpaid run."""

    due: int
    paid: int
    unpaid_run: int  # consecutive unpaid months ending at the reference month
    run_since: int | None  # month index of the run's first month

    @property
    def owed(self) -> int:
        return max(self.due - self.paid, 0)

    @property
    def is_lapse_candidate(self) -> bool:
        return self.unpaid_run >= LAPSE_MONTHS

    @property
    def needs_reminder(self) -> bool:
        return self.owed >= OWING_REMINDER_MONTHS


def ledger_start(*, first_base_year: int | None, joined_on: date) -> int | None:
    """The first month a member's dues are tracked: January of the first year a base was approved for
    them, or the month they joined if later. Before any base is approved nothing is tracked (the dues
    record of a branch begins with its first yearly base: "党费基数一年一核定", seed 004)."""
    if first_base_year is None:
        return None
    return max(month_index(first_base_year, 1), month_index(joined_on.year, joined_on.month))


def position(*, start: int | None, up_to: int, paid: int, last_paid: int | None) -> Position:
    """From the ledger start, the reference month (inclusive), how many months in [start, up_to] are paid
    and the last paid month ≤ up_to."""
    if start is None or up_to < start:
        return Position(due=0, paid=0, unpaid_run=0, run_since=None)
    last = max(last_paid if last_paid is not None else start - 1, start - 1)
    run = up_to - last
    return Position(due=up_to - start + 1, paid=paid, unpaid_run=run, run_since=last + 1 if run else None)
