"""Per-tenant settings of the county side of recruitment (declared at start-up)."""

from typing import Any

from django.core.exceptions import ValidationError

from branches.policies import Policy, register_policy

PRE_REVIEW_REQUIRED = "recruitment.pre_review_required"


def _boolean(value: Any) -> None:
    if not isinstance(value, bool):
        raise ValidationError("须为 true 或 false。")


def register() -> None:
    register_policy(Policy(
        PRE_REVIEW_REQUIRED, "发展对象须经县委组织部预审", False,
        "seed 003 第7条：“县（市、区）委组织部……要对本地区本系统拟发展对象进行预审，重点审查发展党员数量、结构情况，"
        "未经审核同意，有审批权的基层党委不得擅自启动发展程序”。设为 true 时，拟发展对象名单须经县委组织部预审通过。",
        _boolean,
    ))
