"""Per-tenant settings of member changes (declared at start-up, read with `branches.policies.policy_value`)."""

from typing import Any

from django.core.exceptions import ValidationError

from branches.policies import Policy, register_policy

from . import rules

LETTER_VALIDITY_DAYS = "membership.letter_validity_days"


def _days(value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= rules.LETTER_VALIDITY_MAX_DAYS:
        raise ValidationError(f"须为 1–{rules.LETTER_VALIDITY_MAX_DAYS} 的整数（天）。")


def register() -> None:
    register_policy(Policy(
        LETTER_VALIDITY_DAYS, "组织关系介绍信有效期（天）", rules.LETTER_VALIDITY_DEFAULT_DAYS,
        "党员组织关系介绍信的有效天数，开具当日算第1天；通常为30天。", _days,
    ))
