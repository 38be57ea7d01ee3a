"""Accountability rules (全程责任追究) as pure functions: seed 000 二(三)3, DESIGN §4.5.

"对发展党员工作责任追究，自发现之日起，一般应在30日内处理完毕；特殊情况的，经县（市、区）、市委直属各党（工）委
组织部门同意，可适当延长，最长不得超过3个月。"
"""

from datetime import date

from partyadmin.errors import RuleViolation
from partyadmin.workdays import add_days, add_months

HANDLING_DAYS = 30  # 一般应在30日内处理完毕 (calendar days)
MAX_MONTHS = 3  # 最长不得超过3个月


def due_on(discovered_on: date) -> date:
    """The last day of the 30 days from discovery."""
    return add_days(discovered_on, HANDLING_DAYS)


def latest_extension(discovered_on: date) -> date:
    return add_months(discovered_on, MAX_MONTHS)


def check_discovered_on(*, discovered_on: date, today: date) -> None:
    if discovered_on > today:
        raise RuleViolation("case.discovered_in_future", "发现日期不能晚于今天。", field="discovered_on")


def check_extension(*, discovered_on: date, current_deadline: date, until: date) -> None:
    """"经…组织部门同意，可适当延长，最长不得超过3个月" (seed 000 二(三)3(4))."""
    latest = latest_extension(discovered_on)
    if until <= current_deadline:
        raise RuleViolation("case.extension_not_later", "延长后的期限须晚于当前期限。", field="until")
    if until > latest:
        raise RuleViolation(
            "case.extension_too_long",
            f"责任追究自发现之日起最长不得超过3个月（至 {latest:%Y年%m月%d日}）。", field="until",
        )


def check_close(*, outcome: str, admission_not_recognized: bool, announced_on: date | None,
                discovered_on: date) -> None:
    """"对违反规定吸收入党的，一律不予承认，并在支部大会上公布" (seed 000 二(三)3(3))."""
    if not outcome:
        raise RuleViolation("case.outcome_required", "请选择处理结果。", field="outcome")
    if admission_not_recognized and announced_on is None:
        raise RuleViolation("case.announcement_required", "不予承认的，须填写在支部大会上公布的日期。",
                            field="announced_on")
    if announced_on is not None and announced_on < discovered_on:
        raise RuleViolation("case.announced_before_discovery", "公布日期不能早于发现日期。", field="announced_on")


def is_overdue(*, deadline: date, today: date, open_: bool) -> bool:
    return open_ and today > deadline
