"""A secretary self-assesses in the browser: reads the records, completes the scores, declares the party-work
funds with evidence and submits to the township committee; the reviewer then finds it in the queue."""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from branches.standards.models import Assessment, AssessmentStatus
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", "test-artifacts"))


def login(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_secretary_self_assesses_and_submits(page, live_server, alice, rita, cora, assessment_a, committee_a):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, "alice")
    url = live_server.url + reverse("standards:assessment", args=[assessment_a.pk])
    page.goto(url)
    page.get_by_role("button", name="读取记录预填").click()
    page.wait_for_load_state("networkidle")
    assert "已根据组织生活" in page.content()
    assert page.locator("tr[data-item='organization.posts'] .badge.bg-success").count() == 1
    # Complete every score the records did not answer with the item's full points.
    page.evaluate("""() => document.querySelectorAll("input[name^='score_']").forEach(input => {
        if (input.value === "") { input.value = input.max; } })""")
    page.get_by_role("button", name="保存自评分").click()
    page.wait_for_load_state("networkidle")
    assert "自评分已保存" in page.content()

    funds = page.locator("li[data-veto='no_funds']")
    funds.locator("select[name=found]").select_option("0")
    funds.get_by_role("button", name="申报").click()
    page.wait_for_load_state("networkidle")
    veto_id = assessment_a.vetoes.get(veto__key="no_funds").veto_id
    page.select_option("#evidence-target", f"veto:{veto_id}")
    page.fill("#evidence-title", "党建工作经费专户台账")
    page.fill("#evidence-url", "https://example.org/ledger")
    page.get_by_role("button", name="添加").click()
    page.wait_for_load_state("networkidle")
    assert "党建工作经费专户台账" in page.content()
    page.screenshot(path=str(ARTIFACTS / "standards-self-assessment.png"), full_page=True)

    page.get_by_role("button", name="提交基层党委考核").click()
    page.wait_for_load_state("networkidle")
    assessment = Assessment.objects.get(pk=assessment_a.pk)
    assert assessment.status == AssessmentStatus.COMMITTEE_REVIEW
    assert page.locator("#assessment-status").inner_text() == "基层党委考核中"

    login(page, live_server, "rita")
    page.goto(live_server.url + reverse("standards:queue"))
    assert "东街社区党支部" in page.content()
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(url)
    page.screenshot(path=str(ARTIFACTS / "standards-review-phone.png"), full_page=True)
    assert page.locator("input[aria-label='考核分']").count() == 28

    login(page, live_server, "cora")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + reverse("standards:round", args=[assessment_a.round_id]))
    page.wait_for_selector("#chart-sections canvas")
    assert page.locator("#county-table tbody tr").count() == 2
    page.screenshot(path=str(ARTIFACTS / "standards-county-table.png"), full_page=True)
