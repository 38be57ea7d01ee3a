"""Per-tenant recruitment policies, registered with `branches.policies` at start-up (see `apps.py`).

The minimum and maximum intervals between steps default to the values of the DESIGN §4 table
(《细则》 and seed 000); seed 003 (金华) variants are switches a tenant turns on.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError

from branches.models import Organization
from branches.policies import Policy, policy_value

TALK_MONTHS = "recruitment.talk_months"
TRAINING_MONTHS = "recruitment.training_months"
REPORT_MONTHS = "recruitment.report_months"
EXAM_MONTHS = "recruitment.exam_months"
TRAINING_MIN_DAYS = "recruitment.training_min_days"
TRAINING_MIN_HOURS = "recruitment.training_min_hours"
APPROVAL_MONTHS = "recruitment.approval_months"
APPROVAL_MAX_MONTHS = "recruitment.approval_max_months"
WARN_DAYS = "recruitment.warn_days"
MASS_RECOMMENDATION_MEETING = "recruitment.mass_recommendation_meeting"
GRADUATION_WINDOW_MONTHS = "recruitment.graduation_window_months"


def _int_between(low: int, high: int) -> Callable[[Any], None]:
    def check(value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValidationError(f"须为 {low}–{high} 的整数。")

    return check


def _boolean(value: Any) -> None:
    if not isinstance(value, bool):
        raise ValidationError("须为 true 或 false。")


POLICIES = [
    Policy(TALK_MONTHS, "入党申请人谈话期限（月）", 1, "《细则》第八条：党组织应当在一个月内派人同入党申请人谈话。",
           _int_between(1, 3)),
    Policy(TRAINING_MONTHS, "积极分子最短培养期（月）", 12,
           'seed 000 二(二)1："经过一年以上教育培养和考察"。', _int_between(12, 36)),
    Policy(REPORT_MONTHS, "培养联系人汇报间隔（月）", 3, 'seed 000 二(一)5："培养联系人一般每季度向党支部汇报一次"。',
           _int_between(1, 6)),
    Policy(EXAM_MONTHS, "党支部考察间隔（月）", 6, 'seed 000 二(一)5："党支部每半年对入党积极分子进行一次考察"。',
           _int_between(1, 12)),
    Policy(TRAINING_MIN_DAYS, "集中培训最少天数", 3, "《细则》第二十条：集中培训时间一般不少于三天。", _int_between(1, 30)),
    Policy(TRAINING_MIN_HOURS, "集中培训最少学时", 24, "《细则》第二十条：或不少于二十四个学时。", _int_between(1, 200)),
    Policy(APPROVAL_MONTHS, "上级党委审批期限（月）", 3, "《细则》第二十九条：上级党委应当在三个月内审批。",
           _int_between(1, 6)),
    Policy(APPROVAL_MAX_MONTHS, "审批最长延长至（月）", 6, "特殊情况可以适当延长审批时间，但不得超过六个月。",
           _int_between(3, 6)),
    Policy(WARN_DAYS, "即将到期提醒（天）", 7, "距期限不超过该天数的步骤标为“即将到期”并提醒经办人。",
           _int_between(1, 60)),
    Policy(MASS_RECOMMENDATION_MEETING, "须召开群众推优会", False,
           'seed 003 第2条："基层党支部每年至少召开一次群众推优会…未经群众推荐，不能列为入党积极分子进行培养"。',
           _boolean),
    Policy(GRADUATION_WINDOW_MONTHS, "学生毕业前不接收预备党员（月，0 为不限制）", 0,
           'seed 003 第12条："学生在毕业前3个月，一般不办理接收预备党员的手续" → 3。', _int_between(0, 6)),
]


def value(organization: Organization, key: str) -> Any:
    return policy_value(organization, key)
