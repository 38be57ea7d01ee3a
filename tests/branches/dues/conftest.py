"""Dues fixtures: members of branch A with known joining dates, and helpers that go through the services."""

from datetime import date
from decimal import Decimal

import pytest

from branches.dues import services
from branches.dues.models import DuesCategory, PaymentMethod
from branches.scoping import Role
from branches.services import grant_role
from tests.conftest import make_user
from tests.membership.factories import MemberFactory

TODAY = date(2026, 7, 15)  # the reference month is June 2026


def set_base(member, year: int = 2026, income: str = "4000", **extra):
    """A salaried member's base: 4000 yuan → 1% → 40.00 a month."""
    return services.dues_base_set(acting_user=None, member=member, year=year, category=DuesCategory.SALARIED,
                                  monthly_income_base=Decimal(income), **extra)


def pay(member, from_month: int, to_month: int | None = None, *, year: int = 2026, amount: str | None = None,
        note: str = "", user=None):
    to_month = to_month or from_month
    base = member.dues_bases.get(year=year)
    value = Decimal(amount) if amount is not None else base.monthly_amount * (to_month - from_month + 1)
    return services.dues_payment_record(
        acting_user=user, member=member, year=year, from_month=from_month, to_month=to_month, amount=value,
        paid_on=date(year, to_month, 10) if date(year, to_month, 10) <= TODAY else TODAY,
        method=PaymentMethod.CASH, note=note, today=TODAY,
    )


@pytest.fixture
def member(branch_a):
    return MemberFactory(organization=branch_a, joined_on=date(2010, 5, 1), person__name="张党员")


@pytest.fixture
def other_member(branch_b):
    return MemberFactory(organization=branch_b, joined_on=date(2012, 3, 1), person__name="李外支")


@pytest.fixture
def mary(member):
    """The member's own account (member role on branch A, linked to the person)."""
    user = make_user("mary")
    grant_role(acting_user=None, user=user, organization=member.organization, role=Role.MEMBER)
    member.person.user = user
    member.person.save(update_fields=["user"])
    return user
