"""The member portal (DESIGN §2: "the portal home in membership shows the panels the apps register")."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from branches.dues import services as dues

pytestmark = pytest.mark.django_db


def test_member_home_shows_the_registered_panels(client_for, mary, member_a):
    html = client_for(mary).get(reverse("membership:me")).content.decode()
    for title in ("我的组织生活", "我的党费", "支部公示"):
        assert title in html


def test_dues_panel_shows_what_the_member_owes(client_for, mary, member_a, monkeypatch):
    monkeypatch.setattr("partyadmin.workdays.china_today", lambda: date(2026, 5, 10))
    dues.dues_base_set(acting_user=None, member=member_a, year=2026, category="salaried",
                       monthly_income_base=Decimal("4000"))
    dues.dues_payment_record(acting_user=None, member=member_a, year=2026, from_month=1, to_month=2,
                             amount=Decimal("80.00"), paid_on=date(2026, 2, 20), method="cash", today=date(2026, 5, 10))
    html = client_for(mary).get(reverse("membership:me")).content.decode()
    assert "欠交 80.00 元" in html  # March and April owed at 40.00 a month


def test_portal_home_query_count_is_bounded(client_for, mary, member_a, django_assert_max_num_queries):
    """A fixed number of queries: the shell's, and one to three per registered panel (meetings, dues,
    recruitment, points, stars, posts), whatever the member's history."""
    client = client_for(mary)
    with django_assert_max_num_queries(19):
        assert client.get(reverse("membership:me")).status_code == 200
