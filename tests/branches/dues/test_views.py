"""Dues pages: the branch page, the forms, the export, the member's own page; outsiders get 404."""

from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import Event
from branches.dues.models import DuesBase, DuesLapseFlag, DuesPayment
from tests.membership.factories import MemberFactory

from .conftest import TODAY, pay, set_base

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(monkeypatch):
    """The pages' clock: 15 July 2026."""
    monkeypatch.setattr("branches.dues.views.china_today", lambda: TODAY)
    return TODAY


def _payment_post(member, **extra):
    data = {"pay-member": member.pk, "pay-year": 2026, "pay-from_month": 1, "pay-to_month": 3,
            "pay-amount": "120.00", "pay-paid_on": "2026-07-01", "pay-method": "cash", "pay-note": ""}
    return data | extra


def test_branch_page_shows_the_grid_and_the_unpaid_list(client_for, alice, branch_a, member, today):
    set_base(member)
    pay(member, 1, 2)
    response = client_for(alice).get(reverse("dues:branch", args=[branch_a.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "张党员" in page and "4个月" in page and "登记交纳" in page


def test_branch_page_query_count_is_bounded(client_for, alice, branch_a, today, django_assert_max_num_queries):
    for n in range(15):
        m = MemberFactory(organization=branch_a, joined_on=date(2010, 1, 1))
        set_base(m)
        pay(m, 1, n % 6 + 1)
    client = client_for(alice)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("dues:branch", args=[branch_a.pk])).status_code == 200


def test_index_sends_a_one_branch_officer_to_the_branch(client_for, alice, branch_a):
    response = client_for(alice).get(reverse("dues:index"))
    assert response.status_code == 302 and response.url == reverse("dues:branch", args=[branch_a.pk])


def test_colleague_records_a_payment(client_for, bob, branch_a, member, today):
    set_base(member)
    response = client_for(bob).post(reverse("dues:payment_create", args=[branch_a.pk]), _payment_post(member))
    assert response.status_code == 302
    assert DuesPayment.objects.get().recorded_by == bob


def test_a_rule_violation_is_shown_on_the_form(client_for, alice, branch_a, member, today):
    set_base(member)
    pay(member, 3)
    response = client_for(alice).post(reverse("dues:payment_create", args=[branch_a.pk]), _payment_post(member))
    assert response.status_code == 200
    assert "2026年3月的党费已交纳，不能重复登记。" in response.content.decode()
    assert DuesPayment.objects.count() == 1


def test_secretary_sets_a_base(client_for, alice, branch_a, member, today):
    response = client_for(alice).post(reverse("dues:base_create", args=[branch_a.pk]), {
        "base-member": member.pk, "base-year": 2026, "base-category": "retired",
        "base-monthly_income_base": "6000",
    })
    assert response.status_code == 302
    assert str(DuesBase.objects.get(member=member).monthly_amount) == "60.00"


def test_reviewer_sees_the_page_but_cannot_record(client_for, rita, branch_a, member, today):
    set_base(member)
    client = client_for(rita)
    assert client.get(reverse("dues:branch", args=[branch_a.pk])).status_code == 200
    response = client.post(reverse("dues:payment_create", args=[branch_a.pk]), _payment_post(member))
    assert response.status_code == 403 and not DuesPayment.objects.exists()


def test_unpaid_export_is_an_audited_workbook(client_for, alice, branch_a, member, today):
    set_base(member)
    response = client_for(alice).get(reverse("dues:unpaid_export", args=[branch_a.pk]) + "?year=2026&month=6")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    assert sheet["B3"].value == "张党员" and sheet["E3"].value == 6
    assert Event.objects.filter(action="dues.unpaid_export", actor=alice, organization=branch_a).exists()


def test_secretary_resolves_a_lapse_flag(client_for, alice, branch_a, member, today):
    flag = DuesLapseFlag.objects.create(organization=branch_a, county=branch_a.county, member=member,
                                        since_month=date(2026, 1, 1), months_unpaid=6, raised_on=TODAY)
    response = client_for(alice).post(reverse("dues:flag_resolve", args=[flag.pk]),
                                      {"resolve-resolution": "disposal", "resolve-note": "支委会研究"})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.resolved and flag.resolution == "disposal"


def test_secretary_cancels_a_payment(client_for, alice, member, today):
    set_base(member)
    payment = pay(member, 1)
    client_for(alice).post(reverse("dues:payment_cancel", args=[payment.pk]), {"cancel-reason": "录入错误"})
    payment.refresh_from_db()
    assert payment.cancelled_at is not None


def test_member_sees_own_dues(client_for, mary, member, today):
    set_base(member)
    pay(member, 1, 2)
    response = client_for(mary).get(reverse("dues:me"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "4 个月，160.00 元" in page


def test_member_without_register_entry_gets_404(client_for, alice):
    assert client_for(alice).get(reverse("dues:me")).status_code == 404


def _urls(branch, payment, flag):
    return [
        ("get", reverse("dues:branch", args=[branch.pk])),
        ("post", reverse("dues:payment_create", args=[branch.pk])),
        ("post", reverse("dues:base_create", args=[branch.pk])),
        ("get", reverse("dues:unpaid_export", args=[branch.pk])),
        ("post", reverse("dues:payment_cancel", args=[payment.pk])),
        ("post", reverse("dues:flag_resolve", args=[flag.pk])),
    ]


@pytest.mark.parametrize("outsider", ["charlie", "oscar", "mary"])
def test_outsider_gets_404_on_every_dues_page(request, client_for, branch_a, member, outsider, today):
    set_base(member)
    payment = pay(member, 1)
    flag = DuesLapseFlag.objects.create(organization=branch_a, county=branch_a.county, member=member,
                                        since_month=date(2026, 1, 1), months_unpaid=6, raised_on=TODAY)
    client = client_for(request.getfixturevalue(outsider))
    for method, url in _urls(branch_a, payment, flag):
        if outsider == "mary" and url.endswith("/cancel/"):
            continue  # her own payment: she sees it (404 elsewhere), but may not cancel it (403 below)
        assert getattr(client, method)(url, {"cancel-reason": "x", "resolve-resolution": "paid_up"}).status_code == 404, url
    assert not Event.objects.filter(action__in=["dues.payment_cancel", "dues.lapse_resolve"]).exists()


def test_member_may_not_cancel_her_own_payment(client_for, mary, member, today):
    set_base(member)
    payment = pay(member, 1)
    assert client_for(mary).post(reverse("dues:payment_cancel", args=[payment.pk]),
                                 {"cancel-reason": "x"}).status_code == 403
