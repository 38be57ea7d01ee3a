"""A member declares points from a phone-sized page with a photo, the secretary confirms them in the queue,
and the member sees them counted, with the photo and who confirmed them."""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from scoring.models import Entry, EntryStatus
from tests.branches.meetings.factories import jpeg_with_gps
from tests.conftest import PASSWORD

from .conftest import item

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


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, width


def test_member_declares_secretary_confirms_member_sees(page, live_server, tmp_path, scheme_a, alice, mary,
                                                        working_calendar):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(PHONE)
    login(page, live_server, "mary")
    page.goto(live_server.url + reverse("scoring:mine"))
    fits(page)
    page.get_by_role("link", name="申报积分").click()
    page.wait_for_load_state("networkidle")
    page.select_option("#id_item", str(item(scheme_a, "c1").pk))
    page.fill("#id_points", "6")
    page.fill("#id_note", "参加防汛抢险值守三昼夜")
    photo = tmp_path / "值守.jpg"
    photo.write_bytes(jpeg_with_gps())
    page.set_input_files("#id_files", str(photo))
    page.screenshot(path=str(ARTIFACTS / "scoring-declare-phone.png"), full_page=True)
    fits(page)
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state("networkidle")
    assert "申报已提交" in page.content()
    entry = Entry.objects.get()
    assert entry.status == EntryStatus.PROPOSED and entry.evidence.count() == 1

    login(page, live_server, "alice")
    page.goto(live_server.url + reverse("scoring:pending"))
    assert "参加防汛抢险值守三昼夜" in page.content()
    page.screenshot(path=str(ARTIFACTS / "scoring-pending-phone.png"), full_page=True)
    page.get_by_test_id(f"confirm-{entry.pk}").click()
    page.wait_for_load_state("networkidle")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.CONFIRMED and entry.decided_by == alice
    page.goto(live_server.url + reverse("scoring:ledger", args=[scheme_a.organization_id]))
    assert "马丽" in page.content()
    page.screenshot(path=str(ARTIFACTS / "scoring-ledger-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + reverse("scoring:scheme", args=[scheme_a.pk]))
    assert "违规扣分" in page.content()
    page.screenshot(path=str(ARTIFACTS / "scoring-scheme.png"), full_page=True)
    page.set_viewport_size(PHONE)

    login(page, live_server, "mary")
    page.goto(live_server.url + reverse("scoring:mine"))
    page.wait_for_selector("#chart-quarters canvas")
    assert page.get_by_test_id("year-total").inner_text() == "6"
    assert "支委会认定" in page.content()
    assert page.locator("img[alt='值守.jpg']").count() == 1
    page.screenshot(path=str(ARTIFACTS / "scoring-mine-phone.png"), full_page=True)
    fits(page)
