"""What members owe: the unpaid list (one query), the grid, the member's own summary, lapse candidates."""

from datetime import date
from decimal import Decimal

import pytest

from branches.dues import selectors
from branches.dues.models import DuesLapseFlag
from tests.membership.factories import MemberFactory

from .conftest import TODAY, pay, set_base

pytestmark = pytest.mark.django_db


def _rows(alice, branch, year=2026, month=6):
    return {row.member.pk: row for row in
            selectors.unpaid_list(user=alice, organization=branch, year=year, up_to_month=month)}


def test_unpaid_list_counts_months_owed_up_to_the_month(alice, branch_a, member):
    set_base(member)
    pay(member, 1, 2)
    row = _rows(alice, branch_a)[member.pk]
    assert (row.owed_in_year, row.amount_owed_in_year, row.owed_before) == (4, Decimal("160.00"), 0)
    assert (row.unpaid_run, row.run_since) == (4, date(2026, 3, 1))


def test_months_paid_in_advance_do_not_hide_what_is_owed(alice, branch_a, member):
    """"也可以预交\": paying ahead for later months leaves the earlier ones owed."""
    set_base(member)
    pay(member, 7, 12)
    assert _rows(alice, branch_a)[member.pk].owed_in_year == 6


def test_unpaid_list_leaves_out_members_who_are_paid_up(alice, branch_a, member):
    set_base(member)
    pay(member, 1, 6)
    assert member.pk not in _rows(alice, branch_a)


def test_earlier_years_owed_are_counted_apart(alice, branch_a, member):
    set_base(member, year=2025)
    set_base(member, year=2026)
    pay(member, 1, 10, year=2025)
    row = _rows(alice, branch_a)[member.pk]
    assert (row.owed_before, row.owed_in_year, row.unpaid_run) == (2, 6, 8)


def test_nothing_is_owed_before_a_base_is_approved(alice, branch_a, member):
    """The dues record begins with the first yearly base (seed 004: "党费基数一年一核定\")."""
    assert member.pk not in _rows(alice, branch_a)
    grid = selectors.dues_grid(user=alice, organization=branch_a, year=2026, up_to_month=6)
    assert grid["rows"][0].cells == [selectors.NOT_DUE] * 12


def test_an_older_base_estimates_this_years_amount(alice, branch_a, member):
    set_base(member, year=2025, income="2000")  # 10.00 a month
    row = _rows(alice, branch_a)[member.pk]
    assert (row.monthly_amount, row.base_year, row.amount_owed_in_year) == (Decimal("10.00"), 2025, Decimal("60.00"))


def test_unpaid_list_query_count_is_bounded(alice, branch_a, django_assert_max_num_queries):
    for n in range(12):
        m = MemberFactory(organization=branch_a, joined_on=date(2010, 1, 1))
        set_base(m)
        pay(m, 1, n % 6 + 1)
    alice = type(alice).objects.get(pk=alice.pk)  # a fresh user: grants are read once
    with django_assert_max_num_queries(2):
        rows = selectors.unpaid_list(user=alice, organization=branch_a, year=2026, up_to_month=6)
    assert len(rows) == 10


def test_grid_marks_paid_owed_and_later_months(alice, branch_a, member):
    set_base(member)
    pay(member, 1, 2)
    grid = selectors.dues_grid(user=alice, organization=branch_a, year=2026, up_to_month=6)
    cells = grid["rows"][0].cells
    assert cells[:2] == [selectors.PAID] * 2 and cells[2:6] == [selectors.OWED] * 4 and cells[6] == selectors.DUE
    assert (grid["received"], grid["owed_amount"]) == (Decimal("80.00"), Decimal("160.00"))


def test_grid_query_count_is_bounded(alice, branch_a, django_assert_max_num_queries):
    for _ in range(10):
        m = MemberFactory(organization=branch_a, joined_on=date(2010, 1, 1))
        set_base(m)
        pay(m, 1, 3)
    alice = type(alice).objects.get(pk=alice.pk)
    with django_assert_max_num_queries(5):
        selectors.dues_grid(user=alice, organization=branch_a, year=2026, up_to_month=6)


def test_outsider_cannot_list_another_branchs_unpaid(charlie, branch_a, member):
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.unpaid_list(user=charlie, organization=branch_a, year=2026, up_to_month=6)


def test_summary_for_member_lists_paid_and_owed_months(member):
    set_base(member)
    pay(member, 1, 3)
    summary = selectors.dues_summary_for_member(member, 2026, today=TODAY)
    assert summary["paid_months"] == [1, 2, 3]
    assert summary["owed_months"] == [4, 5, 6]
    assert (summary["amount_owed"], summary["monthly_amount"], summary["paid_amount"]) == (
        Decimal("120.00"), Decimal("40.00"), Decimal("120.00"))


def test_lapse_candidates_are_the_open_flags_under_the_organization(town, branch_a, member, other_member):
    DuesLapseFlag.objects.create(organization=branch_a, county=branch_a.county, member=member,
                                 since_month=date(2026, 1, 1), months_unpaid=6, raised_on=TODAY)
    DuesLapseFlag.objects.create(organization=other_member.organization, county=branch_a.county, member=other_member,
                                 since_month=date(2026, 1, 1), months_unpaid=6, raised_on=TODAY, resolved=True,
                                 resolved_on=TODAY)
    assert [f.member for f in selectors.lapse_candidates(town)] == [member]
    assert list(selectors.lapse_candidates(other_member.organization)) == []
