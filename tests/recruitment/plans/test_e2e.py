"""The county reviewer makes the year's plan on a phone-sized screen, sees the quota bars fill on the numbers
ledger, and reads the structure chart on a desktop screen."""

import os
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from branches.models import Domain
from membership.models import Gender, MemberStatus
from partyadmin.workdays import china_today
from recruitment.plans.models import DevelopmentPlan
from tests.conftest import PASSWORD
from tests.membership.factories import MemberFactory

from .conftest import YEAR, candidate, issue

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", "test-artifacts"))
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def login(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_county_reviewer_makes_the_plan_and_reads_the_ledger(page, live_server, county, town, branch_a, vera,
                                                             working_calendar):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(PHONE)
    login(page, live_server, "vera")
    page.goto(live_server.url + reverse("recruitment_plans:index"))
    page.get_by_role("link", name=f"制定{china_today().year}年度计划").click()
    page.fill("#id_year", str(YEAR))
    page.fill("#id_total_quota", "4")
    page.fill("#id_domain_community", "3")
    page.fill("#id_domain_rural", "1")
    page.fill(f"#id_township_{town.pk}", "4")
    page.fill("#id_target_woman", "2")
    page.screenshot(path=str(ARTIFACTS / "plans-form-phone.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    page.screenshot(path=str(ARTIFACTS / "plans-saved-phone.png"), full_page=True)
    assert "已制定年度发展党员计划" in page.content()

    plan = DevelopmentPlan.objects.get()
    for index in range(3):
        issue(plan, candidate(county, f"发展对象{index}"), Domain.COMMUNITY, organization=branch_a)
    page.goto(live_server.url + reverse("recruitment_plans:detail", args=[plan.pk]))
    page.screenshot(path=str(ARTIFACTS / "plans-detail-phone.png"), full_page=True)
    page.goto(live_server.url + reverse("recruitment_plans:ledger", args=[plan.pk]))
    assert "3 / 3 名" in page.content() and "已用完" in page.content()
    page.screenshot(path=str(ARTIFACTS / "plans-ledger-phone.png"), full_page=True)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"] + 1, scroll_width

    for index, gender in enumerate([Gender.FEMALE, Gender.MALE, Gender.FEMALE]):
        MemberFactory(organization=branch_a, joined_on=date(YEAR, 3, index + 1), status=MemberStatus.PROBATIONARY,
                      full_on=None, person__gender=gender)
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + reverse("recruitment_plans:structure") + f"?year={YEAR}")
    page.wait_for_selector("#chart-townships canvas")
    page.screenshot(path=str(ARTIFACTS / "plans-structure-desktop.png"), full_page=True)
