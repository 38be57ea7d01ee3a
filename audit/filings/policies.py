"""Per-tenant settings of the filing deadlines that the seeds leave open (declared at start-up)."""

from typing import Any

from django.core.exceptions import ValidationError

from branches.policies import Policy, register_policy

from .rules import DEFAULT_REVIEW_PERIOD

REVIEW_PERIOD = "filings.review_period"
PRE_REVIEW_PERIOD = "filings.pre_review_period"


def _period(value: Any) -> None:
    if not (isinstance(value, dict) and value.get("unit") in ("working_days", "days")
            and isinstance(value.get("count"), int) and not isinstance(value.get("count"), bool)
            and 1 <= value["count"] <= 90):
        raise ValidationError('须为 {"unit": "working_days" 或 "days", "count": 1–90 的整数}。')


def register() -> None:
    register_policy(Policy(
        REVIEW_PERIOD, "审议办理期限", dict(DEFAULT_REVIEW_PERIOD),
        "党总支、基层党委对党支部报送事项的审议期限。种子文件未规定时限，默认 15 个工作日。", _period,
    ))
    register_policy(Policy(
        PRE_REVIEW_PERIOD, "预审办理期限", dict(DEFAULT_REVIEW_PERIOD),
        "有审批权的基层党委、县委组织部预审的期限。种子文件未规定时限，默认 15 个工作日。", _period,
    ))
