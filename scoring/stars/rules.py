"""Star policies, ranking quotas, democratic evaluation grades and consequences (DESIGN §6.4–§6.6).

Pure functions over plain values: no ORM, no I/O. The policy dict schema is documented in
`scoring.stars.presets`; `parse_policy` turns it into a frozen `StarPolicy`.

"At most X%" is floor(X% × n) where n is the number of participants (members scored and starred in
the branch; activists, exempt members and the scheme's other exclusions are not counted). "About
X%" is round(X% × n): the proposal uses it, a decision beyond it is warned, not refused. Ties at a
quota edge are flagged for the general meeting and never broken here: the tied people are proposed
at the next tier down, with a note saying how many places remain.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

# Consequence kinds (the values of scoring.stars.models.ConsequenceKind).
SECRETARY_INTERVIEW = "secretary_interview"
TALK = "talk"
KEY_MANAGEMENT = "key_management"
DISPOSAL = "disposal"
EXTEND_PROBATION = "extend_probation"
CANCEL_ACTIVIST = "cancel_activist"

# Months from the decision to the due date of each follow-up ("督促限期改正").
CONSEQUENCE_MONTHS = {
    SECRETARY_INTERVIEW: 1,
    TALK: 1,
    KEY_MANAGEMENT: 6,
    DISPOSAL: 3,
    EXTEND_PROBATION: 1,
    CANCEL_ACTIVIST: 1,
}

EXCLUSION_LABELS = {
    "activist": "入党积极分子不定星级等次",
    "leading_cadre": "党员领导干部纳入积分管理，不参与评星定级",
    "new_member": "当年新发展党员不参加评星定级",
    "transferred_in": "市外新转入党员不参加评星定级",
    "exempt": "经批准不参加积分定星",
}

SCALES = ("stars", "grades")
PERIODS = ("year", "half_year")
SHARE_KINDS = ("max", "about")
UNRATED = 0


class PolicyError(ValueError):
    """A star policy dict that does not follow the schema."""


@dataclass(frozen=True)
class Tier:
    level: int
    label: str
    min_total: Decimal | None = None
    min_base: Decimal | None = None
    share: Decimal | None = None
    share_kind: str = "max"


@dataclass(frozen=True)
class StarPolicy:
    label: str
    source: str
    scale: str
    period: str
    tiers: tuple[Tier, ...]
    veto_level: int
    unrated_label: str | None = None
    min_common_base: Decimal | None = None
    low_tier: tuple[int, int] | None = None  # (level, min_count)
    small_branch: tuple[int, int, int] | None = None  # (below, level, seats)
    raised_shares: tuple[tuple[int, Decimal], ...] = ()
    excluded: frozenset[str] = frozenset()

    def label_of(self, level: int | None) -> str:
        if level is None:
            return "不参评"
        for tier in self.tiers:
            if tier.level == level:
                return tier.label
        if level == UNRATED:
            return self.unrated_label or "未评星"
        return f"{level}星"

    def tier(self, level: int) -> Tier | None:
        return next((t for t in self.tiers if t.level == level), None)

    @property
    def levels(self) -> tuple[int, ...]:
        levels = [t.level for t in self.tiers]
        if self.unrated_label or self.veto_level == UNRATED or self.min_common_base is not None:
            levels.append(UNRATED)
        return tuple(levels)


def _decimal(value, what: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise PolicyError(f"{what}不是数字：{value!r}") from exc


def parse_policy(data: Mapping) -> StarPolicy:
    """The frozen policy of a `Scheme.star_policy` dict; `PolicyError` (Chinese message) when malformed."""
    if not isinstance(data, Mapping) or not data:
        raise PolicyError("定星规则为空")
    try:
        scale = data.get("scale", "stars")
        period = data.get("period", "year")
        if scale not in SCALES:
            raise PolicyError(f"等次类型无效：{scale}")
        if period not in PERIODS:
            raise PolicyError(f"评定周期无效：{period}")
        tiers = []
        for raw in data["tiers"]:
            kind = raw.get("share_kind") or "max"
            if kind not in SHARE_KINDS:
                raise PolicyError(f"比例类型无效：{kind}")
            share = _decimal(raw.get("share"), "比例")
            if share is not None and not (Decimal(0) <= share <= Decimal(1)):
                raise PolicyError(f"比例须在0到1之间：{share}")
            tiers.append(Tier(
                level=int(raw["level"]), label=str(raw["label"]),
                min_total=_decimal(raw.get("min_total"), "最低分"),
                min_base=_decimal(raw.get("min_base"), "基础积分最低分"),
                share=share, share_kind=kind,
            ))
        if not tiers:
            raise PolicyError("定星规则没有等次")
        levels = [t.level for t in tiers]
        if levels != sorted(levels, reverse=True) or len(set(levels)) != len(levels):
            raise PolicyError("等次须从高到低排列且不重复")
        if any(not 1 <= lv <= 5 for lv in levels):
            raise PolicyError("等次须在1到5之间")
        unrated = data.get("unrated_label") or None
        last = tiers[-1]
        if unrated is None and (last.min_total is not None or last.share is not None or last.min_base is not None):
            raise PolicyError("最低等次不能设置分数线或比例（或设置“未评星”名称）")
        low = data.get("low_tier")
        small = data.get("small_branch")
        raised = data.get("raised_shares") or {}
        excluded = frozenset(data.get("excluded") or ())
        unknown = excluded - set(EXCLUSION_LABELS)
        if unknown:
            raise PolicyError(f"未知的不参评原因：{'、'.join(sorted(unknown))}")
        return StarPolicy(
            label=str(data.get("label", "")), source=str(data.get("source", "")),
            scale=scale, period=period, tiers=tuple(tiers),
            veto_level=int(data.get("veto_level", last.level)),
            unrated_label=unrated,
            min_common_base=_decimal(data.get("min_common_base"), "共性分最低分"),
            low_tier=(int(low["level"]), int(low["min_count"])) if low else None,
            small_branch=(int(small["below"]), int(small["level"]), int(small["seats"])) if small else None,
            raised_shares=tuple(sorted((int(k), _decimal(v, "提高比例")) for k, v in raised.items())),
            excluded=excluded,
        )
    except (KeyError, TypeError) as exc:
        raise PolicyError(f"定星规则缺少或写错了字段：{exc}") from exc


def quota_seats(policy: StarPolicy, tier: Tier, n: int, *, raised: bool = False) -> int | None:
    """Places of a tier among n participants; None when the tier has no share."""
    share = tier.share
    if raised:
        share = dict(policy.raised_shares).get(tier.level, share)
    if share is None:
        return None
    rounding = ROUND_FLOOR if tier.share_kind == "max" else ROUND_HALF_UP
    seats = int((share * n).to_integral_value(rounding=rounding))
    if policy.small_branch:
        below, level, small_seats = policy.small_branch
        if n < below and tier.level == level:
            seats = max(seats, min(small_seats, n))
    return seats


@dataclass(frozen=True)
class Candidate:
    """One scored person of the branch for the period."""

    person_id: int
    total: Decimal
    base: Decimal = Decimal(0)
    vetoed: bool = False
    exclusion: str = ""  # a key of EXCLUSION_LABELS, "" when the person takes part
    name: str = ""


@dataclass(frozen=True)
class ProposedRow:
    person_id: int
    total: Decimal
    base: Decimal
    rank: int | None
    level: int | None  # None: not starred (excluded)
    label: str
    tie: bool = False
    notes: tuple[str, ...] = ()
    exclusion: str = ""
    vetoed: bool = False


@dataclass(frozen=True)
class Quota:
    level: int
    label: str
    share: Decimal
    kind: str
    seats: int
    used: int


@dataclass(frozen=True)
class Proposal:
    participants: int
    rows: tuple[ProposedRow, ...]
    quotas: tuple[Quota, ...]
    warnings: tuple[str, ...] = ()

    def level_of(self, person_id: int) -> int | None:
        return next(r.level for r in self.rows if r.person_id == person_id)


def ranks(totals: Iterable[Decimal]) -> list[int]:
    """Competition ranks (1, 2, 2, 4) of totals in the given order, highest total first."""
    values = list(totals)
    ordered = sorted(values, reverse=True)
    first = {}
    for i, value in enumerate(ordered, start=1):
        first.setdefault(value, i)
    return [first[v] for v in values]


def _meets(tier: Tier, c: Candidate) -> bool:
    if tier.min_total is not None and c.total < tier.min_total:
        return False
    return not (tier.min_base is not None and c.base < tier.min_base)


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)


def propose(policy: StarPolicy, candidates: Iterable[Candidate], *, raised: bool = False) -> Proposal:
    """The system's proposal from the period ranking (DESIGN §6.5)."""
    candidates = list(candidates)
    excluded = [c for c in candidates if c.exclusion]
    participants = sorted((c for c in candidates if not c.exclusion), key=lambda c: (-c.total, c.person_id))
    n = len(participants)
    rank_of = dict(zip((c.person_id for c in participants), ranks(c.total for c in participants), strict=True))
    level: dict[int, int] = {}
    notes: dict[int, list[str]] = {c.person_id: [] for c in participants}
    tied: set[int] = set()
    for c in participants:
        if c.vetoed:
            level[c.person_id] = policy.veto_level
            notes[c.person_id].append("有一票否决事项")
        elif policy.min_common_base is not None and c.base < policy.min_common_base:
            level[c.person_id] = UNRATED
            notes[c.person_id].append(f"共性分低于{_fmt(policy.min_common_base)}分，取消评星资格")
    quotas: list[Quota] = []
    for tier in policy.tiers:
        remaining = [c for c in participants if c.person_id not in level]
        for c in remaining:
            if tier.min_base is not None and c.base < tier.min_base and (
                    tier.min_total is None or c.total >= tier.min_total):
                note = f"基础积分低于{_fmt(tier.min_base)}分，不得参评{tier.label}"
                if note not in notes[c.person_id]:
                    notes[c.person_id].append(note)
        eligible = [c for c in remaining if _meets(tier, c)]
        seats = quota_seats(policy, tier, n, raised=raised)
        if seats is None or len(eligible) <= seats:
            chosen = eligible
        elif seats == 0:
            chosen = []
        else:
            edge = eligible[seats - 1].total
            if eligible[seats].total == edge:
                chosen = [c for c in eligible if c.total > edge]
                at_edge = [c for c in eligible if c.total == edge]
                left = seats - len(chosen)
                for c in at_edge:
                    tied.add(c.person_id)
                    notes[c.person_id].append(
                        f"与另外{len(at_edge) - 1}人积分并列（{_fmt(edge)}分），{tier.label}剩余名额{left}个，"
                        "须由党员大会决定")
            else:
                chosen = eligible[:seats]
        for c in chosen:
            level[c.person_id] = tier.level
        if seats is not None:
            share = tier.share
            if raised:
                share = dict(policy.raised_shares).get(tier.level, share)
            quotas.append(Quota(tier.level, tier.label, share, tier.share_kind, seats, len(chosen)))
    floor_level = UNRATED if policy.unrated_label else policy.tiers[-1].level
    for c in participants:
        level.setdefault(c.person_id, floor_level)
    rows = [
        ProposedRow(
            person_id=c.person_id, total=c.total, base=c.base, rank=rank_of[c.person_id],
            level=level[c.person_id], label=policy.label_of(level[c.person_id]),
            tie=c.person_id in tied, notes=tuple(notes[c.person_id]), vetoed=c.vetoed,
        )
        for c in participants
    ]
    rows += [
        ProposedRow(person_id=c.person_id, total=c.total, base=c.base, rank=None, level=None,
                    label="不参评", notes=(EXCLUSION_LABELS[c.exclusion],), exclusion=c.exclusion,
                    vetoed=c.vetoed)
        for c in sorted(excluded, key=lambda c: (-c.total, c.person_id))
    ]
    warnings = []
    if tied:
        warnings.append("有积分并列的党员处在名额边界上，系统未替党员大会决定，请逐一确定。")
    low = _low_tier_warning(policy, list(level.values()))
    if low:
        warnings.append(low)
    return Proposal(participants=n, rows=tuple(rows), quotas=tuple(quotas), warnings=tuple(warnings))


def _low_tier_warning(policy: StarPolicy, levels: list[int]) -> str | None:
    if not policy.low_tier or not levels:
        return None
    low_level, min_count = policy.low_tier
    count = sum(1 for lv in levels if lv <= low_level)
    if count < min_count:
        return f"{policy.label_of(low_level)}以下等次党员要有一定数量（现有{count}人）。"
    return None


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    person_id: int | None = None


@dataclass(frozen=True)
class DecisionCheck:
    errors: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


def check_decision(policy: StarPolicy, candidates: Iterable[Candidate], decided: Mapping[int, int | None], *,
                   raised: bool = False) -> DecisionCheck:
    """Errors (refused) and warnings (allowed with the meeting's reasons) of a decided level per person."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    candidates = list(candidates)
    participants = [c for c in candidates if not c.exclusion]
    n = len(participants)
    allowed = set(policy.levels) | {policy.veto_level}
    for c in candidates:
        who = c.name or f"人员{c.person_id}"
        lv = decided.get(c.person_id)
        if c.exclusion:
            if lv is not None:
                errors.append(Problem("stars.excluded", f"{who}：{EXCLUSION_LABELS[c.exclusion]}。", c.person_id))
            continue
        if lv is None:
            errors.append(Problem("stars.missing", f"{who}：须确定星级等次。", c.person_id))
            continue
        if lv not in allowed:
            errors.append(Problem("stars.level", f"{who}：等次不在本方案之内。", c.person_id))
            continue
        if c.vetoed and lv > policy.veto_level:
            errors.append(Problem(
                "stars.veto", f"{who}：有一票否决事项，只能评为{policy.label_of(policy.veto_level)}。", c.person_id))
            continue
        if lv > UNRATED and policy.min_common_base is not None and c.base < policy.min_common_base:
            errors.append(Problem(
                "stars.common_base", f"{who}：共性分低于{_fmt(policy.min_common_base)}分，取消评星资格。", c.person_id))
            continue
        tier = policy.tier(lv)
        if tier is None:
            continue
        if tier.min_total is not None and c.total < tier.min_total:
            errors.append(Problem(
                "stars.threshold",
                f"{who}：积分{_fmt(c.total)}分，未达到{tier.label}的{_fmt(tier.min_total)}分。", c.person_id))
        elif tier.min_base is not None and c.base < tier.min_base:
            errors.append(Problem(
                "stars.base", f"{who}：基础积分低于{_fmt(tier.min_base)}分，不得评为{tier.label}。", c.person_id))
    counts: dict[int, int] = {}
    for c in participants:
        lv = decided.get(c.person_id)
        if lv is not None:
            counts[lv] = counts.get(lv, 0) + 1
    for tier in policy.tiers:
        seats = quota_seats(policy, tier, n, raised=raised)
        used = counts.get(tier.level, 0)
        if seats is None or used <= seats:
            continue
        if tier.share_kind == "max":
            errors.append(Problem(
                "stars.quota",
                f"{tier.label}{used}人，超过上限{seats}人（参评{n}人的{_pct(tier, policy, raised)}，向下取整）。"))
        else:
            warnings.append(Problem(
                "stars.share", f"{tier.label}{used}人，多于约{_pct(tier, policy, raised)}的参考人数{seats}人。"))
    low = _low_tier_warning(policy, [v for v in (decided.get(c.person_id) for c in participants) if v is not None])
    if low:
        warnings.append(Problem("stars.low_tier", low))
    return DecisionCheck(errors=tuple(errors), warnings=tuple(warnings))


def _pct(tier: Tier, policy: StarPolicy, raised: bool) -> str:
    share = tier.share
    if raised:
        share = dict(policy.raised_shares).get(tier.level, share)
    return f"{_fmt(share * 100)}%"


# --- Democratic evaluation (民主评议), seed 001 第十条 -------------------------------------------------

EVALUATION_GRADES = ("优秀", "合格", "基本合格", "不合格")
MASS_OPINIONS = ("好", "一般", "差")
UNQUALIFIED_RATE = Decimal("0.30")


@dataclass(frozen=True)
class EvaluationResult:
    grade: str
    member_unqualified_rate: Decimal
    mass_dissatisfied_rate: Decimal
    reason: str


def evaluation_grade(member_votes: Mapping[str, int], mass_opinions: Mapping[str, int] | None = None
                     ) -> EvaluationResult:
    """Grade from the members' votes (优秀/合格/基本合格/不合格) and the masses' forms (好/一般/差).

    "群众评议不满意率超过 30%的或党员评议不合格率超过 30%的为不合格党员" (strictly more than 30%);
    otherwise the median of the members' votes: the best grade that at least half the votes reach.
    """
    for grade, count in member_votes.items():
        if grade not in EVALUATION_GRADES or int(count) < 0:
            raise ValueError(f"评议票无效：{grade}")
    mass_opinions = mass_opinions or {}
    for opinion, count in mass_opinions.items():
        if opinion not in MASS_OPINIONS or int(count) < 0:
            raise ValueError(f"群众评议票无效：{opinion}")
    total = sum(int(v) for v in member_votes.values())
    if total == 0:
        raise ValueError("没有党员评议票")
    unqualified = Decimal(int(member_votes.get("不合格", 0))) / total
    mass_total = sum(int(v) for v in mass_opinions.values())
    dissatisfied = Decimal(int(mass_opinions.get("差", 0))) / mass_total if mass_total else Decimal(0)
    if dissatisfied > UNQUALIFIED_RATE:
        return EvaluationResult("不合格", unqualified, dissatisfied, "群众评议不满意率超过30%")
    if unqualified > UNQUALIFIED_RATE:
        return EvaluationResult("不合格", unqualified, dissatisfied, "党员评议不合格率超过30%")
    running = 0
    for grade in EVALUATION_GRADES:
        running += int(member_votes.get(grade, 0))
        if running * 2 >= total:
            return EvaluationResult(grade, unqualified, dissatisfied, "按党员评议票的多数")
    raise AssertionError("unreachable")


# --- Consequences (seed 000 四、结果运用) -------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """What the consequence rules need to know of a starred person."""

    level: int | None
    is_secretary: bool = False
    is_probationary: bool = False
    previous_level: int | None = None


def consequences_for(subject: Subject) -> list[str]:
    """Follow-up kinds for a final level (DESIGN §6.6).

    "党支部书记被确定为“三星”及以下等次的，由上级党组织负责对其进行约谈" → SECRETARY_INTERVIEW;
    "党员被确定为“二星”的，…支部书记负责对其谈话" → TALK; "“一星”党员要列为重点管理对象" →
    KEY_MANAGEMENT; "连续两年确定为“一星”党员的，…按照不合格党员处置的有关要求" → DISPOSAL;
    "预备党员…确定为“二星”“一星”等次的，要适当延长其预备期" → EXTEND_PROBATION.
    """
    lv = subject.level
    kinds: list[str] = []
    if lv is None or lv == UNRATED:
        return kinds
    if subject.is_secretary and lv <= 3:
        kinds.append(SECRETARY_INTERVIEW)
    if lv == 2:
        kinds.append(TALK)
    if lv == 1:
        kinds.append(KEY_MANAGEMENT)
        if subject.previous_level == 1:
            kinds.append(DISPOSAL)
    if subject.is_probationary and lv in (1, 2):
        kinds.append(EXTEND_PROBATION)
    return kinds


def activist_consequences(*, is_low: bool) -> list[str]:
    """"入党积极分子积分结果…积分较低的，取消入党积极分子资格。" """
    return [CANCEL_ACTIVIST] if is_low else []


# --- Periods -------------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        if self.number == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.number + 1, 1) - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.year}年第{'一二三四'[self.number - 1]}季度"

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    @classmethod
    def of(cls, d: date) -> Quarter:
        return cls(d.year, (d.month - 1) // 3 + 1)


def exclusion_of(*, is_activist: bool, is_exempt: bool, is_leading_cadre: bool, joined_on: date | None,
                 transferred_in_on: date | None, year: int, policy: StarPolicy) -> str:
    """The first exclusion reason that applies under the policy, "" when the person is starred.

    Activists are never starred ("入党积极分子不定星级等次"), whatever the policy lists."""
    checks = (
        ("activist", is_activist),
        ("exempt", is_exempt),
        ("leading_cadre", is_leading_cadre),
        ("new_member", joined_on is not None and joined_on.year == year),
        ("transferred_in", transferred_in_on is not None and transferred_in_on.year == year),
    )
    for key, applies in checks:
        if applies and (key == "activist" or key in policy.excluded):
            return key
    return ""
