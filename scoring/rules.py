"""The arithmetic of points (DESIGN §6.2–§6.3) as pure functions over plain values.

* An item may cap what it adds up to in a period (a quarter or the year); the parts of a scheme may cap
  what their items add up to (seed 001 社区: "贡献加分(最高 20 分)"). Deductions have no cap: seed 000
  二(三) "违规扣分不设上限".
* 累计分制 adds everything up; 百分制 also caps the total (100).
* The year is the sum of the year's entries, or the average of the four quarters (seed 001 公司:
  "党员年度积分=党员季度积分之和÷4").
* A veto (一票否决) that took effect voids the period's points where the scheme says so (seed 001 公司:
  "不论积分的高低,一律取消期间的所有积分").
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from partyadmin.errors import RuleViolation

ZERO = Decimal("0")
CENT = Decimal("0.01")

BASE, BONUS, DEDUCTION, VETO = "base", "bonus", "deduction", "veto"
SECTIONS = (BASE, BONUS, DEDUCTION, VETO)
QUARTER, YEAR = "quarter", "year"
SUM, QUARTER_AVERAGE = "sum", "quarter_average"
PERCENT, CUMULATIVE = "percent", "cumulative"


def money(value: Decimal | int | float | str) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_range(year: int, quarter: int) -> tuple[date, date]:
    if quarter not in (1, 2, 3, 4):
        raise RuleViolation("scoring.quarter", "季度只能是 1 至 4。", field="quarter")
    return date(year, 3 * quarter - 2, 1), month_range(year, 3 * quarter)[1]


def month_range(year: int, month: int) -> tuple[date, date]:
    start = date(year, month, 1)
    nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return start, date.fromordinal(nxt.toordinal() - 1)


# --- items ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemRule:
    id: int
    section: str
    part: str = ""  # the cap group; "" means the section itself
    cap: Decimal | None = None
    cap_period: str = YEAR

    @property
    def group(self) -> str:
        return self.part or self.section


def check_item(*, section: str, points: Decimal | None, min_points: Decimal | None, max_points: Decimal | None,
               cap: Decimal | None) -> None:
    """A well-formed item: one value or a range, positive magnitudes, no cap on a deduction."""
    if section not in SECTIONS:
        raise RuleViolation("scoring.item_section", "项目类别无效。", field="section")
    if section == VETO:
        if points or min_points or max_points or cap:
            raise RuleViolation("scoring.veto_points", "一票否决事项不计分值。", field="points")
        return
    if section == DEDUCTION and cap is not None:
        raise RuleViolation("scoring.deduction_cap", "违规扣分不设上限（焦作实施意见二（三））。", field="cap")
    for name, value in (("points", points), ("min_points", min_points), ("max_points", max_points), ("cap", cap)):
        if value is not None and value <= 0:
            raise RuleViolation("scoring.item_positive", "分值和上限须为正数（扣分项的分值按扣除的分数填写）。",
                                field=name)
    if points is not None and (min_points is not None or max_points is not None):
        raise RuleViolation("scoring.item_value", "请填写固定分值或分值范围，二者只填一种。", field="points")
    if (min_points is None) != (max_points is None):
        raise RuleViolation("scoring.item_range", "分值范围须同时填写最低和最高分值。", field="max_points")
    if min_points is not None and max_points is not None and min_points > max_points:
        raise RuleViolation("scoring.item_range", "最低分值不能高于最高分值。", field="max_points")


def entry_points(*, section: str, points: Decimal | None, min_points: Decimal | None, max_points: Decimal | None,
                 requested: Decimal | None) -> Decimal:
    """The signed points of one entry for an item: its fixed value, or the requested value within its
    range (or any positive value for an open item). Deductions come out negative, vetoes zero."""
    if section == VETO:
        return ZERO
    if points is not None:
        if requested is not None and abs(requested) != points:
            raise RuleViolation("scoring.points_fixed", f"该项目每次计 {points:g} 分。", field="points")
        magnitude = points
    else:
        if requested is None or requested == 0:
            raise RuleViolation("scoring.points_required", "请填写分值。", field="points")
        magnitude = abs(requested)
        if min_points is not None and max_points is not None and not min_points <= magnitude <= max_points:
            raise RuleViolation("scoring.points_range", f"该项目分值须在 {min_points:g} 至 {max_points:g} 分之间。",
                                field="points")
    magnitude = money(magnitude)
    return -magnitude if section == DEDUCTION else magnitude


def check_cap(*, item: ItemRule, already: Decimal, adding: Decimal, group_cap: Decimal | None,
              group_already: Decimal) -> None:
    """Caps are enforced when an entry is confirmed: refused if the item's (or its part's) confirmed
    points in the period would pass the cap. Deductions are never capped."""
    if item.section in (DEDUCTION, VETO) or adding <= 0:
        return
    if item.cap is not None and already + adding > item.cap:
        room = max(item.cap - already, ZERO)
        period = "本季度" if item.cap_period == QUARTER else "本年度"
        raise RuleViolation("scoring.item_cap", f"超过该项目{period}上限 {item.cap:g} 分（尚可计 {room:g} 分）。",
                            field="points")
    if group_cap is not None and group_already + adding > group_cap:
        room = max(group_cap - group_already, ZERO)
        raise RuleViolation("scoring.part_cap", f"超过“{item.group}”上限 {group_cap:g} 分（尚可计 {room:g} 分）。",
                            field="points")


# --- scores -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Points:
    item_id: int
    points: Decimal
    occurred_on: date
    is_veto: bool = False


@dataclass(frozen=True)
class SchemeRules:
    mode: str = CUMULATIVE
    aggregation: str = SUM
    part_caps: Mapping[str, Decimal] = field(default_factory=dict)
    total_cap: Decimal | None = None
    floor_zero: bool = False
    veto_zeroes: bool = True


@dataclass
class Breakdown:
    by_item: dict[int, Decimal]
    by_section: dict[str, Decimal]
    by_part: dict[str, Decimal]
    total: Decimal
    vetoed: bool = False


def _capped_items(points: Iterable[Points], items: Mapping[int, ItemRule]) -> tuple[dict[int, Decimal], bool]:
    per_item: dict[int, Decimal] = defaultdict(lambda: ZERO)
    per_item_quarter: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    vetoed = False
    for row in points:
        if row.is_veto:
            vetoed = True
        item = items[row.item_id]
        if item.cap is not None and item.cap_period == QUARTER and item.section not in (DEDUCTION, VETO):
            per_item_quarter[(row.item_id, quarter_of(row.occurred_on))] += row.points
        else:
            per_item[row.item_id] += row.points
    for (item_id, _quarter), value in per_item_quarter.items():
        per_item[item_id] += min(value, items[item_id].cap)  # type: ignore[type-var]
    for item_id, value in list(per_item.items()):
        item = items[item_id]
        if item.cap is not None and item.cap_period == YEAR and item.section not in (DEDUCTION, VETO):
            per_item[item_id] = min(value, item.cap)
    return dict(per_item), vetoed


def period_score(points: Iterable[Points], items: Mapping[int, ItemRule], scheme: SchemeRules) -> Breakdown:
    """One period's score: item caps, then part caps (never on deductions), then the total cap."""
    by_item, vetoed = _capped_items(points, items)
    by_part: dict[str, Decimal] = defaultdict(lambda: ZERO)
    by_section: dict[str, Decimal] = dict.fromkeys(SECTIONS, ZERO)
    positive: dict[str, Decimal] = defaultdict(lambda: ZERO)
    part_section: dict[str, str] = {}
    for item_id, value in by_item.items():
        item = items[item_id]
        if item.section in (DEDUCTION, VETO):  # never capped; counted after the part's cap
            by_section[item.section] += value
            by_part[item.group] += value
        else:
            positive[item.group] += value
            part_section[item.group] = item.section
    for part, value in positive.items():
        cap = scheme.part_caps.get(part)
        capped = min(value, Decimal(str(cap))) if cap is not None else value
        by_part[part] += capped
        by_section[part_section[part]] += capped
    total = sum(by_section.values(), ZERO)
    if vetoed and scheme.veto_zeroes:
        total = ZERO
    if scheme.mode == PERCENT and scheme.total_cap is None:
        total = min(total, Decimal("100"))
    elif scheme.total_cap is not None:
        total = min(total, scheme.total_cap)
    if scheme.floor_zero:
        total = max(total, ZERO)
    return Breakdown(by_item=by_item, by_section=by_section, by_part=dict(by_part), total=money(total),
                     vetoed=vetoed)


@dataclass
class YearScore:
    total: Decimal
    year: Breakdown
    quarters: dict[int, Breakdown]
    vetoed: bool


def year_score(points: Iterable[Points], items: Mapping[int, ItemRule], scheme: SchemeRules) -> YearScore:
    """The year's score and each quarter's. With quarter averaging the year is the sum of the four
    quarters divided by four; otherwise the caps run over the whole year."""
    rows = list(points)
    by_quarter: dict[int, list[Points]] = {1: [], 2: [], 3: [], 4: []}
    for row in rows:
        by_quarter[quarter_of(row.occurred_on)].append(row)
    quarters = {q: period_score(by_quarter[q], items, scheme) for q in (1, 2, 3, 4)}
    if scheme.aggregation == QUARTER_AVERAGE:
        four = Decimal("4")
        by_item: dict[int, Decimal] = defaultdict(lambda: ZERO)
        by_part: dict[str, Decimal] = defaultdict(lambda: ZERO)
        by_section = dict.fromkeys(SECTIONS, ZERO)
        for quarter in quarters.values():
            for key, value in quarter.by_item.items():
                by_item[key] += value / four
            for key, value in quarter.by_part.items():
                by_part[key] += value / four
            for key, value in quarter.by_section.items():
                by_section[key] += value / four
        total = money(sum((q.total for q in quarters.values()), ZERO) / four)
        vetoed = any(q.vetoed for q in quarters.values())
        year = Breakdown(by_item={k: money(v) for k, v in by_item.items()},
                         by_section={k: money(v) for k, v in by_section.items()},
                         by_part={k: money(v) for k, v in by_part.items()}, total=total, vetoed=vetoed)
        return YearScore(total=total, year=year, quarters=quarters, vetoed=vetoed)
    year = period_score(rows, items, scheme)
    return YearScore(total=year.total, year=year, quarters=quarters, vetoed=year.vetoed)


# --- automatic entries --------------------------------------------------------------------------------


def value_points_for(spec: object, *, nth: int = 1) -> Decimal | None:
    """Points for a source value. `spec` is a number, or tiers [[up_to_nth, points], …, [None, points]]
    for counted occurrences (seed 001 第九条: "因私请假 4 次及以下的,每次扣 1 分,4 次以上每次扣 2 分")."""
    if spec is None:
        return None
    if isinstance(spec, list):
        for tier in spec:
            up_to, points = tier[0], tier[1]
            if up_to is None or nth <= int(up_to):
                return money(points)
        return None
    return money(spec)  # type: ignore[arg-type]


def activist_is_low(score: Decimal, threshold: Decimal | None) -> bool:
    """Seed 000 四: "入党积极分子积分结果…积分较低的,取消入党积极分子资格" — low means below the scheme's threshold."""
    return threshold is not None and score < threshold
