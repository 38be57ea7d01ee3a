"""A township reviewer in a real browser: the queue, returning a filing, and the 监督看板 chart."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse

from audit.filings import services
from audit.filings.models import FilingKind, FilingStatus
from partyadmin.workdays import china_today
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", "test-artifacts"))


def login(page, live_server, username: str) -> None:
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_reviewer_returns_a_filing_and_sees_the_overdue_chart(page, live_server, working_calendar, alice, branch_a,
                                                              rita):
    late = services.filing_submit(acting_user=alice, from_organization=branch_a, kind=FilingKind.RECORD,
                                  subject_type="t", subject_id="1", subject_label="王某某", title="积极分子备案（超期）",
                                  today=china_today() - timedelta(days=60))
    login(page, live_server, "rita")

    page.goto(live_server.url + reverse("audit:filings:queue"))
    page.get_by_role("link", name=late.title).click()
    page.get_by_label("退回").check()
    page.get_by_role("button", name="提交办理结果").click()
    assert page.get_by_text("退回时必须填写意见。").is_visible()
    page.get_by_label("退回").check()
    page.fill("#id_opinion", "请补充群团组织推优材料")
    page.get_by_role("button", name="提交办理结果").click()
    page.wait_for_load_state("networkidle")
    late.refresh_from_db()
    assert late.status == FilingStatus.RETURNED
    assert page.get_by_text("请补充群团组织推优材料").first.is_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "filings-detail.png"), full_page=True)

    services.filing_submit(acting_user=alice, from_organization=branch_a, kind=FilingKind.APPROVE,
                           subject_type="t", subject_id="2", subject_label="李某某", title="接收预备党员审批",
                           today=china_today() - timedelta(days=120))
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server.url + reverse("audit:filings:dashboard"))
    page.wait_for_selector("#chart-overdue canvas")
    page.screenshot(path=str(ARTIFACTS / "filings-dashboard.png"), full_page=True)
