"""Dues rules from the national rule 《关于中国共产党党费收缴、使用和管理的规定》 and seeds 001 and 004."""

from datetime import date
from decimal import Decimal

import pytest

from branches.dues import rules
from partyadmin.errors import RuleViolation

D = Decimal


@pytest.mark.parametrize(("income", "rate", "amount"), [
    ("2000", "0.005", "10.00"),
    ("3000", "0.005", "15.00"),
    ("3000.01", "0.01", "30.00"),
    ("5000", "0.01", "50.00"),
    ("5000.01", "0.015", "75.00"),
    ("10000", "0.015", "150.00"),
    ("10000.01", "0.02", "200.00"),
])
def test_salaried_members_pay_by_income_bracket(income, rate, amount):
    """"每月工资收入（税后）在3000元以下（含3000元）者，交纳月工资收入的0.5%；3000元以上至5000元（含5000元）者，
    交纳1%；5000元以上至10000元（含10000元）者，交纳1.5%；10000元以上者，交纳2%。\""""
    dues = rules.monthly_dues(category=rules.SALARIED, income=D(income))
    assert (dues.rate, dues.amount) == (D(rate), D(amount))


@pytest.mark.parametrize(("income", "rate"), [("5000", "0.005"), ("5000.01", "0.01")])
def test_retired_members_pay_half_or_one_percent(income, rate):
    """"离退休干部、职工中的党员 … 5000元以下（含5000元）的按0.5%交纳党费，5000元以上的按1%交纳党费。\""""
    assert rules.monthly_dues(category=rules.RETIRED, income=D(income)).rate == D(rate)


def test_farmers_pay_between_twenty_fen_and_one_yuan():
    """"农民党员每月交纳党费0.2元至1元。\""""
    assert rules.monthly_dues(category=rules.FARMER).amount == D("0.20")
    assert rules.monthly_dues(category=rules.FARMER, fixed_amount=D("0.50")).amount == D("0.50")
    with pytest.raises(RuleViolation) as error:
        rules.monthly_dues(category=rules.FARMER, fixed_amount=D("1.50"))
    assert error.value.code == "dues.bad_fixed_amount"


@pytest.mark.parametrize("category", [rules.STUDENT, rules.HARDSHIP])
def test_students_and_members_in_hardship_pay_twenty_fen(category):
    """"学生党员、下岗失业的党员、依靠抚恤或救济生活的党员、领取当地最低生活保障金的党员，每月交纳党费0.2元。\""""
    assert rules.monthly_dues(category=category).amount == D("0.20")
    with pytest.raises(RuleViolation):
        rules.monthly_dues(category=category, fixed_amount=D("0.50"))


def test_a_member_may_pay_more_but_not_less():
    """"党员自愿多交党费不限\" — but never less than the rule's amount."""
    assert rules.monthly_dues(category=rules.SALARIED, income=D("4000"), declared_amount=D("100")).amount == D("100.00")
    with pytest.raises(RuleViolation) as error:
        rules.monthly_dues(category=rules.SALARIED, income=D("4000"), declared_amount=D("10"))
    assert error.value.code == "dues.declared_below_rule"


def test_a_reduction_needs_approval():
    """"交纳党费确有困难的党员，经党支部研究，报上一级党委批准后，可以少交或免交党费。\""""
    with pytest.raises(RuleViolation) as error:
        rules.monthly_dues(category=rules.REDUCED, fixed_amount=D("0"))
    assert error.value.code == "dues.reduction_not_approved"
    assert rules.monthly_dues(category=rules.REDUCED, fixed_amount=D("0"), reduction_approved=True).amount == D("0.00")


def test_salaried_member_needs_an_income():
    with pytest.raises(RuleViolation) as error:
        rules.monthly_dues(category=rules.SALARIED, income=D("0"))
    assert error.value.field == "monthly_income_base"


def test_payment_amount_is_months_times_the_monthly_due_unless_explained():
    rules.check_payment_amount(months=3, monthly_amount=D("40.00"), amount=D("120.00"), note="")
    with pytest.raises(RuleViolation) as error:
        rules.check_payment_amount(months=3, monthly_amount=D("40.00"), amount=D("150.00"), note="")
    assert error.value.code == "dues.amount_mismatch"
    rules.check_payment_amount(months=3, monthly_amount=D("40.00"), amount=D("150.00"), note="自愿多交")


def test_a_month_already_paid_cannot_be_paid_again():
    with pytest.raises(RuleViolation) as error:
        rules.check_no_overlap(year=2026, months=[3, 4, 5], already_paid=[1, 2, 3])
    assert "3月" in error.value.message


def test_no_dues_before_the_month_of_joining():
    """"预备党员从支部大会通过其为预备党员之日起交纳党费\"."""
    rules.check_not_before_joining(year=2026, from_month=5, joined_on=date(2026, 5, 20))
    with pytest.raises(RuleViolation):
        rules.check_not_before_joining(year=2026, from_month=4, joined_on=date(2026, 5, 20))


def test_reference_month_is_the_last_completed_month():
    today = date(2026, 7, 15)
    assert rules.reference_month(year=2026, today=today) == 6
    assert rules.reference_month(year=2025, today=today) == 12
    assert rules.reference_month(year=2027, today=today) == 0


def test_ledger_starts_with_the_first_base_year_or_the_joining_month():
    assert rules.ledger_start(first_base_year=None, joined_on=date(2010, 1, 1)) is None
    assert rules.ledger_start(first_base_year=2026, joined_on=date(2010, 1, 1)) == rules.month_index(2026, 1)
    assert rules.ledger_start(first_base_year=2026, joined_on=date(2026, 3, 9)) == rules.month_index(2026, 3)


def test_six_unpaid_months_in_a_row_make_a_lapse_candidate():
    """seed 001: "没有正当理由,连续 6 个月不交纳党费的 … 视为自动脱党\"."""
    start = rules.month_index(2026, 1)
    june = rules.month_index(2026, 6)
    never_paid = rules.position(start=start, up_to=june, paid=0, last_paid=None)
    assert (never_paid.unpaid_run, never_paid.is_lapse_candidate) == (6, True)
    paid_january = rules.position(start=start, up_to=june, paid=1, last_paid=start)
    assert (paid_january.unpaid_run, paid_january.is_lapse_candidate, paid_january.owed) == (5, False, 5)
    assert rules.first_day_of(paid_january.run_since) == date(2026, 2, 1)


def test_three_months_owed_need_a_reminder():
    start = rules.month_index(2026, 1)
    assert rules.position(start=start, up_to=rules.month_index(2026, 3), paid=0, last_paid=None).needs_reminder
    assert not rules.position(start=start, up_to=rules.month_index(2026, 2), paid=0, last_paid=None).needs_reminder
