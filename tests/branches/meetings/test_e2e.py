"""A secretary records a 支委会 on a phone-sized screen: the attendee table reloads by htmx when the type is
chosen, one member is marked absent, a photo is attached; the township reviewer then sees the branch on the
compliance page."""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from branches.meetings.models import Meeting
from branches.meetings.rules import AttendanceStatus
from tests.conftest import PASSWORD

from .factories import jpeg_with_gps

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


def test_secretary_records_a_committee_meeting_on_a_phone(page, live_server, tmp_path, branch_a, alice, rita,
                                                          committee, members):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(PHONE)
    login(page, live_server, "alice")
    page.goto(live_server.url + reverse("meetings:create"))
    page.select_option("#id_organization", str(branch_a.pk))
    page.select_option("#id_type", "committee_meeting")
    page.wait_for_selector(f"#attendance_{members[2].pk}_absent", state="attached")
    assert page.locator(".attendee-table tbody tr").count() == 2  # the sitting committee only
    page.fill("#id_topic", "研究发展党员工作")
    page.fill("#id_place", "党员活动室")
    page.locator(f"label[for=attendance_{members[2].pk}_absent]").click()
    photo = tmp_path / "会场.jpg"
    photo.write_bytes(jpeg_with_gps())
    page.set_input_files("#id_photos", str(photo))
    page.screenshot(path=str(ARTIFACTS / "meetings-record-phone.png"), full_page=True)
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")

    meeting = Meeting.objects.get()
    assert dict(meeting.attendance.values_list("member_id", "status")) == {
        members[0].pk: AttendanceStatus.PRESENT, members[2].pk: AttendanceStatus.ABSENT,
    }
    assert meeting.photos.count() == 1
    assert "会议已录入" in page.content()
    page.screenshot(path=str(ARTIFACTS / "meetings-detail-phone.png"), full_page=True)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"] + 1, scroll_width  # nothing wider than the phone

    for name, args in (("meetings:list", []), ("meetings:calendar", [branch_a.pk])):
        page.goto(live_server.url + reverse(name, args=args))
        page.screenshot(path=str(ARTIFACTS / f"meetings-{name.split(':')[1]}-phone.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1, name

    login(page, live_server, "rita")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + reverse("meetings:compliance"))
    page.wait_for_selector("#chart-overdue canvas")
    assert "东街社区党支部" in page.content()
    page.screenshot(path=str(ARTIFACTS / "meetings-compliance.png"), full_page=True)
