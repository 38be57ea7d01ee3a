"""Accountability rules from seed 000 二(三)3 alone."""

from datetime import date

import pytest

from audit.accountability import rules
from partyadmin.errors import RuleViolation


def test_due_30_calendar_days_after_discovery():
    """seed 000 二(三)3(4): "自发现之日起，一般应在30日内处理完毕"."""
    assert rules.due_on(date(2024, 1, 31)) == date(2024, 3, 1)


def test_extension_up_to_three_months_after_discovery_is_allowed():
    """seed 000 二(三)3(4): "特殊情况的，经县（市、区）…组织部门同意，可适当延长，最长不得超过3个月"."""
    rules.check_extension(discovered_on=date(2024, 1, 31), current_deadline=date(2024, 3, 1), until=date(2024, 4, 30))


def test_extension_beyond_three_months_is_refused():
    """seed 000 二(三)3(4): "最长不得超过3个月"."""
    with pytest.raises(RuleViolation) as error:
        rules.check_extension(discovered_on=date(2024, 1, 31), current_deadline=date(2024, 3, 1),
                              until=date(2024, 5, 1))
    assert error.value.code == "case.extension_too_long"
    assert "3个月" in error.value.message


def test_extension_must_be_later_than_the_current_deadline():
    with pytest.raises(RuleViolation) as error:
        rules.check_extension(discovered_on=date(2024, 1, 31), current_deadline=date(2024, 3, 1),
                              until=date(2024, 3, 1))
    assert error.value.code == "case.extension_not_later"


def test_admission_not_recognized_must_be_announced():
    """seed 000 二(三)3(3): "对违反规定吸收入党的，一律不予承认，并在支部大会上公布"."""
    with pytest.raises(RuleViolation) as error:
        rules.check_close(outcome="criticism", admission_not_recognized=True, announced_on=None,
                          discovered_on=date(2024, 1, 31))
    assert error.value.field == "announced_on"
    rules.check_close(outcome="criticism", admission_not_recognized=True, announced_on=date(2024, 2, 5),
                      discovered_on=date(2024, 1, 31))


def test_discovery_date_cannot_be_in_the_future():
    with pytest.raises(RuleViolation):
        rules.check_discovered_on(discovered_on=date(2024, 2, 2), today=date(2024, 2, 1))


def test_open_case_overdue_from_the_day_after_its_last_day():
    assert not rules.is_overdue(deadline=date(2024, 3, 1), today=date(2024, 3, 1), open_=True)
    assert rules.is_overdue(deadline=date(2024, 3, 1), today=date(2024, 3, 2), open_=True)
    assert not rules.is_overdue(deadline=date(2024, 3, 1), today=date(2024, 3, 2), open_=False)
