"""Per-tenant meeting policies, registered with `branches.policies` at start-up (see `apps.py`).

* `meetings.frequencies`: {meeting type: "month" | "quarter" | "half" | "year" | "none"}, a partial
  mapping laid over the seed 004 defaults (`rules.DEFAULT_FREQUENCIES`).
* `meetings.late_entry_days`: a meeting entered more than this many days after it was held is late.
* `meetings.refuse_late_entry`: refuse such an entry outright instead of marking it late
  ("some provincial platforms refuse it outright", DESIGN §3.3).
"""

from typing import Any

from django.core.exceptions import ValidationError

from branches.policies import Policy

from . import rules

MEETING_FREQUENCIES = "meetings.frequencies"
LATE_ENTRY_DAYS = "meetings.late_entry_days"
REFUSE_LATE_ENTRY = "meetings.refuse_late_entry"


def _frequencies(value: Any) -> None:
    if not isinstance(value, dict):
        raise ValidationError("须为 {会议类型: 频次} 的映射。")
    for meeting_type, frequency in value.items():
        if meeting_type not in rules.MEETING_TYPE_LABELS:
            raise ValidationError(f"未知的会议类型：{meeting_type}")
        if frequency not in rules.FREQUENCY_LABELS:
            raise ValidationError(f"频次只能是 {'、'.join(rules.FREQUENCY_LABELS)}：{frequency}")


def _late_days(value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 366:
        raise ValidationError("须为 0–366 的整数（天）。")


def _boolean(value: Any) -> None:
    if not isinstance(value, bool):
        raise ValidationError("须为 true 或 false。")


POLICIES = [
    Policy(
        MEETING_FREQUENCIES, "三会一课等会议频次", {},
        'seed 004 二(三)1: "一般每三个月召开一次支部党员大会…支委会一般每个月召开一次…党小组会一般每月召开一次…'
        '党课一般每三个月安排一次"; 二(三)2 组织生活会每半年; 二(二)4 民主评议每年。只填写与默认不同的类型，'
        '如 {"theme_day": "month"}。',
        _frequencies,
    ),
    Policy(
        LATE_ENTRY_DAYS, "会议补录期限（天）", rules.DEFAULT_LATE_ENTRY_DAYS,
        "会议召开后超过该天数才录入的，标记为补录。", _late_days,
    ),
    Policy(
        REFUSE_LATE_ENTRY, "超期禁止补录", False,
        "true：超过补录期限的会议不能录入（部分省级平台的做法）；false：允许录入并标记为补录。", _boolean,
    ),
]
