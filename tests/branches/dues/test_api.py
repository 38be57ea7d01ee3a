"""The dues API: the same services and scoping as the pages; 404 out of scope, 409 for a rule."""

import pytest
from django.urls import reverse

from branches.dues.models import DuesBase, DuesPayment

from .conftest import TODAY, pay, set_base

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr("branches.dues.services.china_today", lambda: TODAY)
    monkeypatch.setattr("branches.dues.api.china_today", lambda: TODAY)


def _payment(member, **extra):
    return {"member": member.pk, "year": 2026, "from_month": 1, "to_month": 3, "amount": "120.00",
            "paid_on": "2026-07-01", "method": "transfer"} | extra


def test_secretary_records_a_payment(api_for, alice, member):
    set_base(member)
    response = api_for(alice).post(reverse("dues-payment-list"), _payment(member), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["member_name"] == "张党员" and DuesPayment.objects.get().recorded_by == alice


def test_overlapping_months_answer_409(api_for, alice, member):
    set_base(member)
    pay(member, 2)
    response = api_for(alice).post(reverse("dues-payment-list"), _payment(member), format="json")
    assert response.status_code == 409 and response.json()["code"] == "dues.months_already_paid"


def test_bad_input_answers_400(api_for, alice, member):
    set_base(member)
    response = api_for(alice).post(reverse("dues-payment-list"), _payment(member, from_month=13), format="json")
    assert response.status_code == 400 and "from_month" in response.json()


def test_secretary_sets_a_base(api_for, alice, member):
    response = api_for(alice).post(reverse("dues-base-list"), {
        "member": member.pk, "year": 2026, "category": "farmer", "fixed_amount": "0.50"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["monthly_amount"] == "0.50"


def test_lists_show_only_rows_in_scope(api_for, alice, charlie, member, other_member):
    set_base(member)
    set_base(other_member)
    assert [row["member"] for row in api_for(alice).get(reverse("dues-base-list")).json()["results"]] == [member.pk]
    assert [row["member"] for row in api_for(charlie).get(reverse("dues-base-list")).json()["results"]] == [
        other_member.pk]


def test_unpaid_list(api_for, alice, branch_a, member):
    set_base(member)
    pay(member, 1, 2)
    response = api_for(alice).get(reverse("dues-unpaid-list"), {"organization": branch_a.pk})
    assert response.status_code == 200
    [row] = response.json()
    assert (row["member"], row["owed_in_year"], row["amount_owed_in_year"]) == (member.pk, 4, "160.00")


def test_reviewer_may_read_but_not_write(api_for, rita, member):
    set_base(member)
    api = api_for(rita)
    assert api.get(reverse("dues-payment-list")).status_code == 200
    assert api.post(reverse("dues-payment-list"), _payment(member), format="json").status_code == 403


@pytest.mark.parametrize("outsider", ["charlie", "oscar"])
def test_outsider_gets_404_on_every_dues_endpoint(request, api_for, branch_a, member, outsider):
    base = set_base(member)
    payment = pay(member, 1)
    api = api_for(request.getfixturevalue(outsider))
    assert api.get(reverse("dues-base-detail", args=[base.pk])).status_code == 404
    assert api.get(reverse("dues-payment-detail", args=[payment.pk])).status_code == 404
    assert api.get(reverse("dues-base-list"), {"organization": branch_a.pk}).status_code == 404
    assert api.get(reverse("dues-payment-list"), {"organization": branch_a.pk}).status_code == 404
    assert api.get(reverse("dues-unpaid-list"), {"organization": branch_a.pk}).status_code == 404
    assert api.post(reverse("dues-payment-list"), _payment(member, from_month=2, to_month=2, amount="40.00"),
                    format="json").status_code == 404
    assert api.post(reverse("dues-base-list"), {"member": member.pk, "year": 2027, "category": "student"},
                    format="json").status_code == 404
    assert DuesPayment.objects.count() == 1 and DuesBase.objects.count() == 1
