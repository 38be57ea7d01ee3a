"""The checklist rules as pure functions over plain values (seed 004 附件 and its 备注): no ORM, no I/O.

备注2: "评分在85分及以上,且无一票否决情况,经公示无异议的,确认为党支部规范化建设合格支部。"
备注3: "有下列情形之一的,属于一票否决情况:党支部书记缺职;党支部书记受党内警告以上处分的,或支委班子成员受党内
严重警告以上处分的;未落实党建工作专项经费的,等等。"
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from partyadmin.errors import RuleViolation

ZERO = Decimal("0")
STEP = Decimal("0.5")  # scores are given in half points (84.5)

# Discipline, mildest first (branches.life_models.Discipline values).
DISCIPLINE_ORDER = ["", "warning", "serious_warning", "removal_from_post", "probation", "expulsion"]
DISCIPLINE_LABELS = {"": "无", "warning": "警告", "serious_warning": "严重警告", "removal_from_post": "撤销党内职务",
                     "probation": "留党察看", "expulsion": "开除党籍"}

# Veto cases the records can decide (a template's veto "check").
VETO_CHECKS = {"secretary_vacant": "党支部书记缺职", "committee_discipline": "书记、支委受党纪处分"}

# Rectification: the default time a failing branch has to put things right (a tenant policy).
DEFAULT_RECTIFICATION_MONTHS = 3


def fmt(value: Decimal | None) -> str:
    """A score as people write it: 8, 84.5 (never 8.0 or 1E+1)."""
    if value is None:
        return ""
    text = f"{Decimal(value).normalize():f}"
    return text


def at_least(discipline: str, threshold: str) -> bool:
    """"警告以上" includes 警告 itself: discipline at or above `threshold`."""
    if discipline not in DISCIPLINE_ORDER or not discipline:
        return False
    return DISCIPLINE_ORDER.index(discipline) >= DISCIPLINE_ORDER.index(threshold)


def secretary_vacant(*, sitting_posts: Sequence[str]) -> bool:
    """"党支部书记缺职": no sitting secretary."""
    return "secretary" not in sitting_posts


def discipline_veto(*, seats: Iterable[tuple[str, str]]) -> list[str]:
    """The seats (post, discipline) that trigger the veto: "党支部书记受党内警告以上处分的,或支委班子成员受党内严重
    警告以上处分的". Returns the posts found."""
    found = []
    for post, discipline in seats:
        threshold = "warning" if post == "secretary" else "serious_warning"
        if at_least(discipline, threshold):
            found.append(post)
    return found


# --- scores ---------------------------------------------------------------------------------------


def check_score(value: Decimal | None, *, points: Decimal, field: str = "score") -> None:
    """A score lies between 0 and the item's 分值, in half points."""
    if value is None:
        return
    if value < ZERO or value > points:
        raise RuleViolation("standards.score_range", f"得分须在0至{fmt(points)}分之间。", field=field)
    if (value / STEP) != (value / STEP).to_integral_value():
        raise RuleViolation("standards.score_step", "得分以0.5分为单位。", field=field)


def section_score(scores: Iterable[Decimal | None], *, max_points: Decimal) -> Decimal:
    """A section's score: its items' scores, at most the section's 满分 (the printed 活动开展有序 items add up to
    32 under a 30-point heading)."""
    return min(sum((s or ZERO for s in scores), ZERO), max_points)


def total_score(sections: Mapping[Any, tuple[Sequence[Decimal | None], Decimal]]) -> Decimal:
    """Σ section scores; `sections`: key → (item scores, section max)."""
    return sum((section_score(scores, max_points=top) for scores, top in sections.values()), ZERO)


def is_pass(*, total: Decimal, pass_mark: Decimal, vetoed: bool) -> bool:
    """"评分在85分及以上,且无一票否决情况"."""
    return total >= pass_mark and not vetoed


def check_complete(*, scores: Sequence[Decimal | None], which: str) -> None:
    missing = sum(1 for s in scores if s is None)
    if missing:
        raise RuleViolation("standards.incomplete", f"还有{missing}项未填写{which}，请全部填写后再提交。")


# --- templates --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedTemplate:
    code: str
    version: int
    name: str
    issuer: str
    pass_mark: Decimal
    total: Decimal
    notes: str
    sections: list[dict[str, Any]]
    vetoes: list[dict[str, Any]]


def _decimal(value: Any, what: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise RuleViolation("standards.template_number", f"{what}须为数字。") from None
    if not number.is_finite() or number <= ZERO:
        raise RuleViolation("standards.template_number", f"{what}须为正数。")
    return number


def _text(data: Mapping[str, Any], key: str, what: str, *, limit: int, required: bool = True) -> str:
    value = str(data.get(key) or "").strip()
    if required and not value:
        raise RuleViolation("standards.template_field", f"{what}不能为空。")
    if len(value) > limit:
        raise RuleViolation("standards.template_field", f"{what}不能超过{limit}个字。")
    return value


def parse_template(data: Any, *, known_prefills: Iterable[str]) -> ParsedTemplate:
    """Checks a template's data (the JSON shape of `templates_data`) and returns it normalized."""
    if not isinstance(data, Mapping):
        raise RuleViolation("standards.template_shape", "考核细则须为JSON对象。")
    prefills = set(known_prefills)
    try:
        version = int(data.get("version"))
    except (TypeError, ValueError):
        raise RuleViolation("standards.template_field", "版本须为正整数。") from None
    if version < 1:
        raise RuleViolation("standards.template_field", "版本须为正整数。")
    sections_in = data.get("sections")
    if not isinstance(sections_in, list) or not sections_in:
        raise RuleViolation("standards.template_shape", "考核细则须至少包含一个考核项目。")
    keys: set[str] = set()
    sections = []
    for s in sections_in:
        if not isinstance(s, Mapping) or not isinstance(s.get("items"), list) or not s["items"]:
            raise RuleViolation("standards.template_shape", "每个考核项目须包含考核标准。")
        title = _text(s, "title", "考核项目名称", limit=60)
        items = []
        for i in s["items"]:
            if not isinstance(i, Mapping):
                raise RuleViolation("standards.template_shape", "考核标准格式有误。")
            key = _text(i, "key", "考核标准标识", limit=60)
            if key in keys:
                raise RuleViolation("standards.template_duplicate", f"标识“{key}”重复。")
            keys.add(key)
            prefill = str(i.get("prefill") or "")
            if prefill and prefill not in prefills:
                raise RuleViolation("standards.template_prefill", f"“{key}”的依据记录“{prefill}”不存在。")
            items.append({"key": key, "requirement": _text(i, "requirement", "考核要求", limit=60),
                          "standard": _text(i, "standard", "考核标准", limit=2000),
                          "points": _decimal(i.get("points"), f"“{key}”的分值"), "prefill": prefill})
        sections.append({"key": _text(s, "key", "考核项目标识", limit=40), "title": title,
                         "max_points": _decimal(s.get("max_points"), f"“{title}”的满分"), "items": items})
    if len({s["key"] for s in sections}) != len(sections):
        raise RuleViolation("standards.template_duplicate", "考核项目标识重复。")
    vetoes = []
    for v in data.get("vetoes") or []:
        if not isinstance(v, Mapping):
            raise RuleViolation("standards.template_shape", "一票否决情形格式有误。")
        check = str(v.get("check") or "")
        if check and check not in VETO_CHECKS:
            raise RuleViolation("standards.template_veto", f"一票否决依据“{check}”不存在。")
        vetoes.append({"key": _text(v, "key", "一票否决标识", limit=40), "text": _text(v, "text", "一票否决情形", limit=200),
                       "check": check})
    if len({v["key"] for v in vetoes}) != len(vetoes):
        raise RuleViolation("standards.template_duplicate", "一票否决标识重复。")
    total = sum((s["max_points"] for s in sections), ZERO)
    for s in sections:
        if sum((i["points"] for i in s["items"]), ZERO) < s["max_points"]:
            raise RuleViolation("standards.template_points",
                                f"“{s['title']}”各项分值合计少于该项目满分{fmt(s['max_points'])}分。")
    pass_mark = _decimal(data.get("pass_mark"), "合格分数线")
    if pass_mark > total:
        raise RuleViolation("standards.template_pass_mark", f"合格分数线不能高于满分{fmt(total)}分。")
    return ParsedTemplate(
        code=_text(data, "code", "细则代码", limit=40), version=version, name=_text(data, "name", "名称", limit=100),
        issuer=_text(data, "issuer", "制定单位", limit=100, required=False), pass_mark=pass_mark, total=total,
        notes=_text(data, "notes", "说明", limit=4000, required=False), sections=sections, vetoes=vetoes,
    )
