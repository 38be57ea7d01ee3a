"""The development plan's rules as pure functions over plain values (DESIGN §4.3).

* Seed 000 二(二)5: "市委组织部按照年度党员发展计划和发展对象名单，编号后发放《入党志愿书》" — a number is
  issued only within the plan's quota (by domain where the plan divides it: "分领域、分行业、分类别研究制定
  年度计划", seed 003 item 11).
* Seed 003 item 11: "未来10年，全市党员数量年均净增1.5%左右" — the net-growth guideline.
* Seed 003 item 7: "重点审查发展党员数量、结构情况，未经审核同意，有审批权的基层党委不得擅自启动发展程序" — the
  county pre-review (a per-tenant policy).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from partyadmin.errors import RuleViolation

NET_GROWTH_RATE = Decimal("0.015")  # seed 003 item 11: 年均净增1.5%左右
MIN_YEAR = 2000
MAX_YEAR = 2100
MAX_QUOTA = 1_000_000

# Age bands by the age reached in the year of admission: (key, label, lowest age, highest age or None).
AGE_BANDS: list[tuple[str, str, int, int | None]] = [
    ("upto25", "25岁及以下", 0, 25),
    ("26_35", "26–35岁", 26, 35),
    ("36_45", "36–45岁", 36, 45),
    ("46_55", "46–55岁", 46, 55),
    ("56up", "56岁及以上", 56, None),
]
YOUTH_MAX_AGE = 35  # 青年: 35 and under


def form_number_text(*, county_code: str, year: int, seq: int) -> str:
    """"<county code>-<year>-<0001>"."""
    return f"{county_code}-{year}-{seq:04d}"


def net_growth_guideline(member_count: int, rate: Decimal = NET_GROWTH_RATE) -> int:
    """The guideline's net growth for a year: members × 1.5%, rounded half up."""
    return int((Decimal(member_count) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def share_percent(part: int, whole: int) -> Decimal | None:
    """part / whole in percent with two decimals, None when there is no whole."""
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _check_count(value: object, *, field: str, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > MAX_QUOTA:
        raise RuleViolation("plan.quota_invalid", f"{label}须为不小于 0 的整数。", field=field)
    return value


def check_plan(
    *, year: int, total_quota: int, domain_quotas: Mapping[str, int], township_quotas: Mapping[str, int],
    target_group_targets: Mapping[str, int], domains: set[str], townships: set[str], target_groups: set[str],
) -> None:
    """A plan is consistent: known keys, whole numbers, and no division larger than the total."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise RuleViolation("plan.year_invalid", "年度无效。", field="year")
    _check_count(total_quota, field="total_quota", label="计划发展总数")
    for key, value in domain_quotas.items():
        if key not in domains:
            raise RuleViolation("plan.domain_unknown", f"未知的领域：{key}。", field="domain_quotas")
        _check_count(value, field="domain_quotas", label="分领域名额")
    for key, value in township_quotas.items():
        if key not in townships:
            raise RuleViolation("plan.township_unknown", "分乡镇名额只能分给本县（市、区）的乡镇（街道）党（工）委。",
                                field="township_quotas")
        _check_count(value, field="township_quotas", label="分乡镇名额")
    for key, value in target_group_targets.items():
        if key not in target_groups:
            raise RuleViolation("plan.target_group_unknown", f"未知的重点群体：{key}。", field="target_group_targets")
        _check_count(value, field="target_group_targets", label="重点群体计划数")
    if sum(domain_quotas.values()) > total_quota:
        raise RuleViolation("plan.domains_exceed_total",
                            f"分领域名额合计（{sum(domain_quotas.values())} 名）超过计划发展总数（{total_quota} 名）。",
                            field="domain_quotas")
    if sum(township_quotas.values()) > total_quota:
        raise RuleViolation("plan.townships_exceed_total",
                            f"分乡镇名额合计（{sum(township_quotas.values())} 名）超过计划发展总数（{total_quota} 名）。",
                            field="township_quotas")


def check_not_below_issued(*, total_quota: int, issued: int, domain_quotas: Mapping[str, int],
                           issued_by_domain: Mapping[str, int], domain_labels: Mapping[str, str]) -> None:
    """A plan cannot be cut below the numbers already issued under it (voided ones excepted)."""
    if total_quota < issued:
        raise RuleViolation("plan.below_issued", f"已编号 {issued} 名，计划发展总数不能少于已编号数。",
                            field="total_quota")
    if domain_quotas:
        for domain, count in issued_by_domain.items():
            if count and domain_quotas.get(domain, 0) < count:
                label = domain_labels.get(domain, domain)
                raise RuleViolation("plan.domain_below_issued",
                                    f"“{label}”领域已编号 {count} 名，分领域名额不能少于已编号数。",
                                    field="domain_quotas")


@dataclass(frozen=True)
class QuotaState:
    """What the plan allows and what is already used (voided numbers are not counted)."""

    total_quota: int
    issued: int
    domain_quota: int | None  # None: the plan does not divide by domain
    domain_issued: int
    domain_label: str
    township_quota: int | None  # None: not divided by township, or no township known
    township_issued: int
    township_label: str


def check_quota_left(state: QuotaState) -> None:
    """Refuses a number beyond the plan: the total, the domain's and the township's places."""
    if state.issued >= state.total_quota:
        raise RuleViolation("form_number.quota_exhausted",
                            f"本年度发展党员计划名额（{state.total_quota} 名）已用完，不能再发放入党志愿书编号。")
    if state.domain_quota is not None and state.domain_issued >= state.domain_quota:
        if state.domain_quota == 0:
            raise RuleViolation("form_number.domain_not_planned",
                                f"本年度发展党员计划未给“{state.domain_label}”领域安排名额，不能发放入党志愿书编号。",
                                field="domain")
        raise RuleViolation("form_number.domain_quota_exhausted",
                            f"“{state.domain_label}”领域本年度计划名额（{state.domain_quota} 名）已用完，"
                            "不能再发放入党志愿书编号。", field="domain")
    if state.township_quota is not None and state.township_issued >= state.township_quota:
        raise RuleViolation("form_number.township_quota_exhausted",
                            f"{state.township_label}本年度计划名额（{state.township_quota} 名）已用完，"
                            "不能再发放入党志愿书编号。")


def check_void_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise RuleViolation("form_number.void_reason_required", "请填写作废原因。", field="reason")
    return reason[:200]


def age_band(*, birth_year: int, year: int) -> str:
    """The band of the age reached in `year`."""
    age = year - birth_year
    for key, _label, low, high in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return key
    return AGE_BANDS[0][0]


def birth_year_range(*, year: int, low: int, high: int | None) -> tuple[int | None, int]:
    """Birth years (lowest or None, highest) of the people reaching an age in [low, high] in `year`."""
    return (None if high is None else year - high), year - low
