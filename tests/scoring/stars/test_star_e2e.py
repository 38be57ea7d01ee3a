"""A secretary opens the year-end star proposal on a phone: quota bars, the tie flag, the decision form;
lowering a member without a reason is refused with a Chinese message; the reviewer sees the overview."""

import os
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from scoring.stars import services
from scoring.stars.models import StarProposal
from tests.conftest import PASSWORD

from .conftest import give, make_scheme, members

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", "test-artifacts"))
PHONE = {"width": 375, "height": 812}


def login(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_star_proposal_on_a_phone(page, live_server, working_calendar, county, branch_a, alice, rita):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    scheme = make_scheme(branch_a, year=2025, policy="seed000_jiaozuo")
    people = members(branch_a, 13)
    for i, member in enumerate(people):
        give(scheme, member.person, 95 if i < 2 else 80 - i, on=date(2025, 5, 1))
    services.rollup_year(acting_user=alice, county=county, year=2025)
    proposal = StarProposal.objects.get()
    page.set_viewport_size(PHONE)
    login(page, live_server, "alice")
    page.goto(live_server.url + reverse("stars:proposal", args=[proposal.pk]))
    assert "名额边界上有积分并列的党员" in page.content()
    page.screenshot(path=str(ARTIFACTS / "stars-proposal-phone.png"), full_page=True)
    last = proposal.rows.order_by("-branch_rank").first()
    page.select_option(f"select[name=level_{last.pk}]", "2")
    page.get_by_role("button", name="记录党员大会决定").click()
    page.wait_for_load_state("networkidle")
    assert "调整系统建议的等次须说明理由" in page.content()
    page.screenshot(path=str(ARTIFACTS / "stars-proposal-refused-phone.png"), full_page=True)
    login(page, live_server, "rita")
    page.goto(live_server.url + reverse("stars:overview") + "?year=2025")
    page.wait_for_load_state("networkidle")
    assert branch_a.name in page.content()
    page.screenshot(path=str(ARTIFACTS / "stars-overview-phone.png"), full_page=True)
