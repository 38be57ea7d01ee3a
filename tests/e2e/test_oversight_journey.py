"""Oversight in a real browser: a secretary opens a notice, a member of the branch objects to it,
the township reviewer decides the branch's filing."""

import os
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from audit.filings import services as filings
from audit.filings.models import Filing, FilingKind, FilingStatus
from audit.publicity.models import Objection, PublicityWindow, WindowStatus
from branches import services as org_services
from branches.scoping import Role
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", "test-artifacts"))
TODAY = date(2024, 9, 27)  # the Friday before National Day 2024 (DESIGN §2.2)


@pytest.fixture
def frozen_today(monkeypatch) -> date:
    for where in ("audit.publicity.services", "audit.publicity.views", "audit.filings.services"):
        monkeypatch.setattr(f"{where}.china_today", lambda: TODAY)
    return TODAY


def login(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_notice_objection_and_filing_decision(page, live_server, working_calendar, frozen_today, branch_a, alice,
                                              rita):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    mona = make_user("mona")
    org_services.grant_role(acting_user=None, user=mona, organization=branch_a, role=Role.MEMBER)

    # The secretary opens a window from the browser.
    login(page, live_server, "alice")
    page.goto(live_server.url + reverse("audit:publicity:create"))
    page.fill("#id_title", "关于确定张伟同志为入党积极分子的公示")
    page.locator("input[name=scope]").first.check()
    page.fill("#id_entries-0-name", "张伟")
    page.fill("#id_entries-0-age", "28")
    page.fill("#id_entries-0-education", "大学本科")
    page.get_by_role("button", name="发布").click()
    page.wait_for_load_state("networkidle")
    window = PublicityWindow.objects.get()
    assert window.status == WindowStatus.OPEN
    assert window.ends_on == date(2024, 10, 9)  # 5 working days across National Day
    page.screenshot(path=str(ARTIFACTS / "journey-secretary-notice.png"), full_page=True)

    # A member of the branch reads it on a phone and objects.
    page.set_viewport_size({"width": 375, "height": 740})
    login(page, live_server, "mona")
    page.goto(live_server.url + reverse("audit:publicity:list"))
    page.get_by_text(window.title).click()
    page.get_by_role("link", name="提出异议").click()
    page.fill("#id_content", "该同志长期不参加社区志愿服务。")
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state("networkidle")
    objection = Objection.objects.get()
    assert objection.window == window and objection.filed_by == mona

    # The township reviewer decides the branch's filing.
    filing = filings.filing_submit(
        acting_user=alice, from_organization=branch_a, kind=FilingKind.RECORD, subject_type="", subject_id="",
        subject_label="张伟", title="关于确定张伟同志为入党积极分子的备案报告", today=TODAY,
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, "rita")
    page.goto(live_server.url + reverse("audit:filings:queue"))
    page.get_by_role("link", name=filing.title).click()
    page.get_by_label("通过").check()
    page.fill("#id_opinion", "同意备案。")
    page.get_by_role("button", name="提交办理结果").click()
    page.wait_for_load_state("networkidle")
    assert Filing.objects.get(pk=filing.pk).status == FilingStatus.APPROVED
    page.screenshot(path=str(ARTIFACTS / "journey-reviewer-filing.png"), full_page=True)
