"""A member on a phone reads her branch's notice and objects; the secretary concludes (real browser)."""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from audit.publicity.models import Objection, PublicityWindow, WindowStatus
from tests.conftest import PASSWORD

from .factories import open_window

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", "test-artifacts"))
PHONE = {"width": 375, "height": 740}


def login(page, live_server, username: str) -> None:
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_member_objects_on_a_phone_and_the_secretary_terminates(page, live_server, working_calendar, frozen_today,
                                                                branch_a, alice, mona):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    window = open_window(branch_a, acting_user=alice, names=("张伟", "李娜"))
    page.set_viewport_size(PHONE)
    login(page, live_server, "mona")

    page.goto(live_server.url + reverse("audit:publicity:list"))
    page.get_by_text(window.title).click()
    assert page.get_by_text("2024年9月27日至2024年10月9日").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    page.screenshot(path=str(ARTIFACTS / "publicity-member-notice.png"), full_page=True)

    page.get_by_role("link", name="提出异议").click()
    page.select_option("#id_entry", label="2. 李娜")
    page.fill("#id_content", "该同志长期不参加组织生活。")
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("我提出的异议").is_visible()

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, "alice")
    page.goto(live_server.url + reverse("audit:publicity:objection_detail", args=[Objection.objects.get().pk]))
    page.fill("#id_investigation", "经走访核实，情况属实。")
    page.select_option("#id_finding", "substantive")
    page.get_by_role("button", name="办结").click()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(ARTIFACTS / "publicity-secretary-objection.png"), full_page=True)
    window = PublicityWindow.objects.get()
    assert window.status == WindowStatus.OPEN  # one of two entries terminated
    assert window.entries.get(order=2).is_terminated
