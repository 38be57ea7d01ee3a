"""The publicity rules as pure functions over plain values (seed 000 "全程公示"; seed 003).

seed 000: "公示内容。公示入党申请人、入党积极分子、发展对象、预备党员的基本情况，主要包括姓名、性别、
年龄、文化程度、职业、职务及民主评议、票决结果等情况。" — and nothing else: ID numbers, phone numbers,
addresses and birth dates never appear in a publicity (DESIGN §2.1), refused by the key's name and,
as a second line, by what the value looks like.

seed 000: "公示期限一般为5个工作日"; seed 003: "公示时间不少于7天". Both are a tenant's
`PUBLICITY_PERIOD` policy: {"unit": "working_days", "count": 5} or {"unit": "days", "count": 7}.
"""

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from partyadmin.errors import RuleViolation

# --- the public fields ----------------------------------------------------------------------------

STANDARD_FIELDS: dict[str, str] = {
    "name": "姓名",
    "gender": "性别",
    "age": "年龄",
    "education": "文化程度",
    "occupation": "职业",
    "position": "职务",
    "results": "民主评议、票决结果",
}
RESULTS = "results"

# Key names that denote personal data, matched on the normalized key (lower case, separators
# removed) as a substring, plus short tokens matched as a whole word of the key.
_PRIVATE_KEY_PARTS: dict[str, str] = {
    "idnumber": "身份证号码", "idno": "身份证号码", "idcard": "身份证号码", "identity": "身份证号码",
    "citizenid": "身份证号码", "shenfenzheng": "身份证号码", "passport": "证件号码",
    "phone": "电话号码", "mobile": "手机号码", "telephone": "电话号码", "cellphone": "手机号码",
    "wechat": "联系方式", "email": "电子邮箱",
    "address": "住址", "residence": "住址", "domicile": "住址",
    "birth": "出生日期", "dob": "出生日期",
    "身份证": "身份证号码", "身份号码": "身份证号码", "证件号": "证件号码",
    "电话": "电话号码", "手机": "手机号码", "联系方式": "联系方式", "微信": "联系方式", "邮箱": "电子邮箱",
    "地址": "住址", "住址": "住址", "住所": "住址", "户籍": "住址",
    "出生": "出生日期", "生日": "出生日期",
}
_PRIVATE_KEY_TOKENS: dict[str, str] = {
    "id": "身份证号码", "sfz": "身份证号码", "tel": "电话号码", "addr": "住址", "qq": "联系方式",
}

# Values: an 18-character (or old 15-digit) resident ID number, a mainland mobile number (with or
# without +86 and separators), a landline with its area code.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[0-9Xx]|\d{15})(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def _normalized(key: str) -> str:
    return re.sub(r"[\s_\-.]", "", key.lower())


def private_key_label(key: str) -> str | None:
    """The kind of personal data a key's name denotes ("身份证号码", "住址"…), or None."""
    flat = _normalized(key)
    for part, label in _PRIVATE_KEY_PARTS.items():
        if part in flat:
            return label
    for token in re.split(r"[^0-9a-z]+", key.lower()):
        if token in _PRIVATE_KEY_TOKENS:
            return _PRIVATE_KEY_TOKENS[token]
    return None


def private_value_label(value: str) -> str | None:
    """What personal data a value looks like ("身份证号码", "手机号码", "电话号码"), or None."""
    if _ID_NUMBER.search(value):
        return "身份证号码"
    if _MOBILE.search(value):
        return "手机号码"
    if _LANDLINE.search(value):
        return "电话号码"
    return None


def _private_field(key: str, label: str, what: str) -> RuleViolation:
    return RuleViolation(
        "publicity.private_field",
        f"公示内容不得包含个人隐私信息：“{label}”{'' if label == key else f'（{key}）'}属于{what}，不能公示。"
        + ("请改为公示年龄。" if what == "出生日期" else ""),
        field=key,
    )


def check_result_fields(result_fields: Mapping[str, str]) -> dict[str, str]:
    """The extra result columns a caller declares ({key: 中文列名}): non-personal keys only."""
    checked: dict[str, str] = {}
    for key, label in result_fields.items():
        label = str(label).strip()
        what = private_key_label(key) or private_key_label(label)
        if what is not None:
            raise _private_field(key, label or key, what)
        if key in STANDARD_FIELDS:
            raise RuleViolation("publicity.field_declared_twice", f"“{key}”是标准公示项目，无须另行声明。", field=key)
        if not _KEY.match(key):
            raise RuleViolation("publicity.bad_field_key",
                                f"公示项目标识“{key}”无效：须为小写字母开头的字母、数字或下划线。", field=key)
        if not label:
            raise RuleViolation("publicity.field_label_missing", f"请为公示项目“{key}”填写中文名称。", field=key)
        checked[key] = label[:20]
    return checked


def _scalar_ok(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _check_value(key: str, label: str, value: Any) -> Any:
    """The value as stored (strings stripped), refusing personal data and unsupported shapes."""
    if isinstance(value, str):
        value = value.strip()
        what = private_value_label(value)
        if what is not None:
            raise _private_field(key, label, what)
        return value
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        what = private_value_label(str(value))
        if what is not None:
            raise _private_field(key, label, what)
        return value
    raise RuleViolation("publicity.bad_value", f"公示项目“{label}”的内容须为文字或数字。", field=key)


def _check_results(value: Any) -> Any:
    """Results: free text, a number, or a small table of counts ({"赞成": 12, "反对": 1})."""
    label = STANDARD_FIELDS[RESULTS]
    if not isinstance(value, Mapping):
        return _check_value(RESULTS, label, value)
    checked = {}
    for item, count in value.items():
        item = str(item).strip()
        what = private_key_label(item)
        if what is not None:
            raise _private_field(item, item, what)
        if not _scalar_ok(count):
            raise RuleViolation("publicity.bad_value", f"公示项目“{label}”的内容须为文字或数字。", field=RESULTS)
        checked[_check_value(RESULTS, label, item)] = _check_value(RESULTS, label, count)
    return checked


def _check_age(value: Any) -> int:
    try:
        age = int(value)
    except (TypeError, ValueError):
        age = -1
    if isinstance(value, bool) or isinstance(value, float) and not value.is_integer() or not 0 < age < 150:
        raise RuleViolation("publicity.bad_age", "“年龄”须为周岁整数。", field="age")
    return age


def check_public_fields(fields: Mapping[str, Any], *, result_fields: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A checked copy of one entry's public fields, or RuleViolation.

    Allowed: the standard fields of seed 000 (姓名、性别、年龄、文化程度、职业、职务、评议票决结果) and
    the result columns the caller declared. Refused: anything named like personal data
    ("publicity.private_field"), anything whose text looks like an ID or phone number (the same
    code), and any other key ("publicity.field_not_allowed").
    """
    declared = dict(result_fields or {})
    checked: dict[str, Any] = {}
    for raw_key, value in fields.items():
        key = str(raw_key).strip()
        what = private_key_label(key)
        label = STANDARD_FIELDS.get(key) or declared.get(key) or key
        if what is not None:
            raise _private_field(key, label, what)
        if key not in STANDARD_FIELDS and key not in declared:
            raise RuleViolation(
                "publicity.field_not_allowed",
                f"“{key}”不是公示项目。公示内容限于姓名、性别、年龄、文化程度、职业、职务和评议、票决结果。",
                field=key,
            )
        if key == RESULTS:
            checked[key] = _check_results(value)
        elif key == "age" and value not in (None, ""):
            checked[key] = _check_age(value)
        else:
            checked[key] = _check_value(key, label, value)
    if not str(checked.get("name") or "").strip():
        raise RuleViolation("publicity.name_missing", "每个公示对象都须有姓名。", field="name")
    return checked


def columns_for(snapshots: Iterable[Mapping[str, Any]], *, result_fields: Mapping[str, str] | None = None,
                results_label: str = "") -> list[list[str]]:
    """The table's columns in a stable order: the standard fields, then the declared ones, each only
    if some entry has it."""
    present = {key for snapshot in snapshots for key in snapshot}
    labels = dict(STANDARD_FIELDS)
    if results_label.strip():
        labels[RESULTS] = results_label.strip()[:20]
    columns = [[key, label] for key, label in labels.items() if key in present]
    columns += [[key, label] for key, label in (result_fields or {}).items() if key in present]
    return columns


# --- kinds ---------------------------------------------------------------------------------------

# The kinds this deployment knows, with their labels; a caller may pass any other kind with its label.
KIND_LABELS: dict[str, str] = {
    "recruitment.applicant": "入党申请人公示",
    "recruitment.activist": "入党积极分子公示",
    "recruitment.candidate": "发展对象公示",
    "recruitment.probationary": "拟接收预备党员公示",
    "recruitment.conversion": "预备党员转正公示",
    "scoring.quarter_ranking": "季度积分排名公示",
    "scoring.year_stars": "年度星级评定结果公示",
    "scoring.appeal_opinion": "积分异议处理意见公示",
    "grouping.placement": "党员定岗编组公示",
    "branches.standardization": "规范化建设考核结果公示",
    "other": "其他公示",
}
_KIND = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


def kind_label_for(kind: str, label: str = "") -> str:
    """The Chinese label stored with a kind: the caller's, else the known one."""
    if not _KIND.match(kind) or len(kind) > 64:
        raise RuleViolation("publicity.bad_kind", f"公示类别“{kind}”无效。", field="kind")
    label = label.strip() or KIND_LABELS.get(kind, "")
    if not label:
        raise RuleViolation("publicity.kind_label_missing", f"请为公示类别“{kind}”提供中文名称。", field="kind")
    return label[:40]


# --- scope -----------------------------------------------------------------------------------------

SCOPES: dict[str, str] = {
    "branch_members": "支部党员",
    "unit_masses": "所在单位群众",
    "residence_masses": "居住地群众",
}


def check_scope(scope: Iterable[str]) -> list[str]:
    """公示范围 (seed 000: "党支部全体党员，所在单位或居住地群众"): one or more of the three, in order."""
    wanted = set(scope)
    unknown = wanted - set(SCOPES)
    if unknown:
        raise RuleViolation("publicity.bad_scope", f"未知的公示范围：{'、'.join(sorted(unknown))}。", field="scope")
    if not wanted:
        raise RuleViolation("publicity.scope_missing", "请选择公示范围。", field="scope")
    return [value for value in SCOPES if value in wanted]


# --- dates -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    unit: str  # "working_days" | "days"
    count: int


def period_from_policy(value: Any) -> Period:
    """The `PUBLICITY_PERIOD` setting as a Period (validated again: the window stores a snapshot)."""
    if not (isinstance(value, Mapping) and value.get("unit") in ("working_days", "days")
            and isinstance(value.get("count"), int) and not isinstance(value.get("count"), bool)
            and value["count"] >= 1):
        raise RuleViolation("publicity.bad_period", "公示期限设置无效，请联系系统管理员检查“公示期限”策略。")
    return Period(value["unit"], value["count"])


def window_end(starts_on: date, period: Period, *, add_working_days: Callable[[date, int], date]) -> date:
    """The last day of the window; it closes at the end of that day.

    Working days (seed 000 "5个工作日"): day 1 is the opening day if it is a working day, else the
    next one (DESIGN §2.2) — `add_working_days` is the calendar's. Calendar days (seed 003 "不少于7天"):
    the opening day is day 1, so 7 days opened on the 1st close at the end of the 7th.
    """
    if period.unit == "working_days":
        return add_working_days(starts_on, period.count)
    return starts_on + timedelta(days=period.count - 1)


def status_on_opening(starts_on: date, *, today: date) -> str:
    """"open" when the window starts today (or started: never, see `check_start`), else "scheduled"."""
    return "open" if starts_on <= today else "scheduled"


def check_start(starts_on: date, *, today: date) -> None:
    """A window is never back-dated: a start in the past would shorten the time the public has."""
    if starts_on < today:
        raise RuleViolation("publicity.start_in_past", "公示开始日期不能早于今天。", field="starts_on")


def accepts_objections(*, status: str, starts_on: date, ends_on: date, today: date) -> bool:
    """Open and within its dates (the daily job may not have closed it yet)."""
    return status == "open" and starts_on <= today <= ends_on


def check_received_during_window(received_on: date, *, starts_on: date, ends_on: date, today: date) -> None:
    """seed 000: "对公示期间群众反映的问题要认真调查核实" — an objection received during the window,
    which an officer may enter after it closed, never a future one."""
    if received_on > today:
        raise RuleViolation("publicity.received_in_future", "收到日期不能晚于今天。", field="received_on")
    if not starts_on <= received_on <= ends_on:
        raise RuleViolation(
            "publicity.received_outside_window",
            f"收到日期须在公示期间（{starts_on:%Y-%m-%d} 至 {ends_on:%Y-%m-%d}）内。", field="received_on",
        )


def format_period(starts_on: date, ends_on: date) -> str:
    """公示时间：X年X月X日至X年X月X日."""
    return f"{starts_on.year}年{starts_on.month}月{starts_on.day}日至{ends_on.year}年{ends_on.month}月{ends_on.day}日"
