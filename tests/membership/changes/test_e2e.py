"""A secretary on a 375-px phone (Playwright driving Debian's Chromium): the member's changes tab, a flow
registration, the disposal list; no page scrolls sideways."""

import os
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from membership.changes import services
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", "test-artifacts"))
PHONE = {"width": 375, "height": 740}


def login(page, live_server, username: str) -> None:
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def fits_the_phone(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"] + 1


def test_secretary_registers_a_floating_member_on_a_phone(page, live_server, alice, member, member_a, branch_b):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    services.disposal_open(acting_user=alice, member=member_a, measure="rectify_deadline",
                           finding_on=date(2026, 7, 1), finding="民主评议不合格")
    page.set_viewport_size(PHONE)
    login(page, live_server, "alice")

    page.goto(live_server.url + reverse("membership:detail", args=[member.pk]))
    page.get_by_role("link", name="变动与处置").click()
    page.wait_for_load_state("networkidle")
    assert fits_the_phone(page)
    page.screenshot(path=str(ARTIFACTS / "changes-member-phone.png"), full_page=True)

    page.get_by_role("link", name="流动党员登记").click()
    page.fill("#id_other_organization", "深圳某科技公司党支部")
    page.fill("#id_started_on", "2026-01-10")
    page.check("#id_fixed_place")
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("外出已满6个月且地点固定").is_visible()
    assert fits_the_phone(page)
    page.screenshot(path=str(ARTIFACTS / "changes-flow-phone.png"), full_page=True)

    for name in ("transfers", "flows", "exemptions", "disposals", "index"):
        page.goto(live_server.url + reverse(f"membership:changes:{name}"))
        assert fits_the_phone(page), name
