"""Per-tenant policies of the checklist (registered in apps.py)."""

from typing import Any

from django.core.exceptions import ValidationError

from branches.policies import Policy

from .rules import DEFAULT_RECTIFICATION_MONTHS

RECTIFICATION_MONTHS = "standards.rectification_months"


def _months(value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 12:
        raise ValidationError("须为1至12的整数（月）。")


POLICIES = [
    Policy(RECTIFICATION_MONTHS, "规范化建设整改期限（月）", DEFAULT_RECTIFICATION_MONTHS,
           'seed 004 备注2: "对于存在一票否决情况或考核不达标的党支部,各单位党(工)委要严格推进相关整顿工作"；'
           "细则未规定期限，默认3个月。", _months),
]
