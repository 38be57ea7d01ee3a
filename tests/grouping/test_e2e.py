"""A group leader with an ordinary member account records this month's activity from a phone, with a
photo; the entry appears on the group's ledger, signed by the leader."""

import os
from datetime import datetime
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from PIL import Image

from grouping.models import PerformanceEntry
from partyadmin.workdays import china_today
from tests.conftest import PASSWORD
from tests.grouping.conftest import TODAY

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", "test-artifacts"))
PHONE = {"width": 375, "height": 812}


@pytest.fixture(autouse=True)
def _in_the_cycle():
    """The clock stands in the fixtures' cycle (their year's November), ticking for the browser."""
    with time_machine.travel(datetime(TODAY.year, TODAY.month, TODAY.day, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
                             tick=True):
        yield


def login(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_leader_enters_the_ledger_from_a_phone_with_a_photo(page, live_server, tmp_path, grouped, members, leo):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    hygiene = grouped.posts.order_by("order").first()
    page.set_viewport_size(PHONE)
    login(page, live_server, "leo")
    page.goto(live_server.url + reverse("grouping:mine"))
    page.get_by_role("link", name="环境卫生监督岗组").click()
    page.get_by_role("link", name="录入履岗记实").click()
    today = china_today()
    page.fill("#id_activity_on", f"{today:%Y-%m-%d}")
    page.fill("#id_content", "清理村口垃圾，劝导乱堆乱放")
    page.fill("#id_outcome", "清运垃圾两车")
    photo = tmp_path / "现场.jpg"
    buffer = BytesIO()
    Image.new("RGB", (640, 480), (90, 140, 60)).save(buffer, format="JPEG")
    photo.write_bytes(buffer.getvalue())
    page.set_input_files("#id_photos", str(photo))
    page.screenshot(path=str(ARTIFACTS / "grouping-entry-phone.png"), full_page=True)
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")

    entry = PerformanceEntry.objects.get()
    assert entry.post == hygiene and entry.activity_on == today and entry.leader_signed_at is not None
    assert entry.photos.count() == 1
    assert set(entry.participants.values_list("pk", flat=True)) == {m.pk for m in members[2:5]}  # all preselected
    assert "履岗记实已保存" in page.content() and "清理村口垃圾" in page.content()
    page.wait_for_selector("img[alt=活动照片]")
    assert page.evaluate("document.querySelector('img[alt=活动照片]').naturalWidth") > 0  # served through the check
    page.screenshot(path=str(ARTIFACTS / "grouping-group-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1


def test_secretary_and_township_pages(page, live_server, grouped, members, rita, alice):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, "alice")
    page.goto(live_server.url + reverse("grouping:cycle", args=[grouped.pk]))
    assert "本月尚未更新台账的编组" in page.content()
    page.screenshot(path=str(ARTIFACTS / "grouping-cycle.png"), full_page=True)
    login(page, live_server, "rita")
    page.goto(live_server.url + reverse("grouping:township"))
    assert page.locator("#township-status tbody tr").count() == 1
    page.screenshot(path=str(ARTIFACTS / "grouping-township.png"), full_page=True)
