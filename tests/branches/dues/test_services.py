"""Dues services: yearly bases, payments by month, cancellations; every write audited."""

from datetime import date
from decimal import Decimal

import pytest

from audit.models import Event
from branches.dues import services
from branches.dues.models import DuesCategory, DuesPaidMonth, PaymentMethod
from partyadmin.errors import RuleViolation

from .conftest import TODAY, pay, set_base

pytestmark = pytest.mark.django_db


def test_base_computes_the_monthly_amount_from_the_bracket(member, alice):
    base = set_base(member, income="6000")
    assert (base.rate, base.monthly_amount) == (Decimal("0.0150"), Decimal("90.00"))
    assert base.organization == member.organization and base.county_id == member.county_id


def test_base_is_approved_once_a_year(member):
    """seed 004: "确保党费基数核定一年一次\"."""
    set_base(member, year=2026)
    with pytest.raises(RuleViolation) as error:
        set_base(member, year=2026, income="8000")
    assert error.value.code == "dues.base_exists"
    set_base(member, year=2027)  # the next year's base is a new approval


def test_base_set_is_audited(member, alice):
    base = services.dues_base_set(acting_user=alice, member=member, year=2026, category=DuesCategory.FARMER,
                                  fixed_amount=Decimal("0.5"))
    event = Event.objects.get(action="dues.base_set")
    assert (event.actor_id, event.subject_id, event.organization_id) == (alice.pk, str(base.pk), member.organization_id)


def test_payment_covers_its_months_and_is_audited(member, alice):
    set_base(member)
    payment = pay(member, 1, 3, user=alice)
    assert payment.amount == payment.expected_amount == Decimal("120.00")
    assert sorted(DuesPaidMonth.objects.filter(member=member).values_list("month", flat=True)) == [1, 2, 3]
    assert Event.objects.filter(action="dues.payment_record", subject_id=str(payment.pk), actor=alice).exists()


def test_overlapping_months_are_refused(member):
    """A month is paid once."""
    set_base(member)
    pay(member, 1, 3)
    with pytest.raises(RuleViolation) as error:
        pay(member, 3, 4)
    assert error.value.code == "dues.months_already_paid"
    assert DuesPaidMonth.objects.filter(member=member).count() == 3


def test_payment_needs_the_years_base(member):
    """seed 004: "党费基数一年一核定\": the year's monthly amount comes from its base."""
    with pytest.raises(RuleViolation) as error:
        services.dues_payment_record(acting_user=None, member=member, year=2026, from_month=1, to_month=1,
                                     amount=Decimal("40"), paid_on=TODAY, method=PaymentMethod.CASH, today=TODAY)
    assert error.value.code == "dues.no_base"


def test_a_different_amount_needs_an_explanation(member):
    set_base(member)
    with pytest.raises(RuleViolation) as error:
        pay(member, 1, 1, amount="50")
    assert error.value.code == "dues.amount_mismatch"
    payment = pay(member, 1, 1, amount="50", note="自愿多交")
    assert (payment.amount, payment.expected_amount) == (Decimal("50.00"), Decimal("40.00"))


def test_no_dues_for_months_before_joining(branch_a):
    from tests.membership.factories import MemberFactory

    newcomer = MemberFactory(organization=branch_a, joined_on=date(2026, 4, 20))
    set_base(newcomer)
    with pytest.raises(RuleViolation) as error:
        pay(newcomer, 3, 4)
    assert error.value.code == "dues.before_joining"


def test_a_payment_cannot_be_dated_in_the_future(member):
    set_base(member)
    with pytest.raises(RuleViolation) as error:
        services.dues_payment_record(acting_user=None, member=member, year=2026, from_month=7, to_month=7,
                                     amount=Decimal("40"), paid_on=date(2026, 7, 16), method=PaymentMethod.CASH,
                                     today=TODAY)
    assert error.value.field == "paid_on"


def test_cancelling_a_payment_frees_its_months(member, alice):
    set_base(member)
    payment = pay(member, 1, 2)
    services.dues_payment_cancel(acting_user=alice, payment=payment, reason="重复登记")
    payment.refresh_from_db()
    assert payment.cancelled_at is not None and not DuesPaidMonth.objects.filter(member=member).exists()
    pay(member, 1, 2)  # the months may be paid again
    with pytest.raises(RuleViolation):
        services.dues_payment_cancel(acting_user=alice, payment=payment, reason="再撤一次")
