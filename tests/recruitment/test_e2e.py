"""One person from applicant to full member through the pages, with the clock moved from step to step (2023 to
2025): the secretary acts on the file page, the township answers the filings, the record sheet prints."""

import os
from datetime import date, datetime
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from audit.filings.services import filing_decide
from membership.models import Member, MemberStatus
from recruitment import services
from recruitment.models import FileStatus, RecruitmentFile
from tests.conftest import PASSWORD

from .conftest import SHANGHAI

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", "test-artifacts"))
PHONE = {"width": 375, "height": 812}


class Browser:
    def __init__(self, page, live_server, traveller) -> None:
        self.page, self.live_server, self.traveller = page, live_server, traveller
        self.file_url = ""

    def day(self, day: date, username: str = "alice") -> None:
        """Moves the clock (sessions expire over the gap: log in again)."""
        self.traveller.move_to(datetime(day.year, day.month, day.day, 9, tzinfo=SHANGHAI))
        page = self.page
        page.context.clear_cookies()
        page.goto(self.live_server.url + reverse("login"))
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        if self.file_url:
            page.goto(self.file_url)

    def act(self, name: str, fields: dict, selects: dict | None = None, shot: str = "") -> None:
        page = self.page
        form = page.locator(f"[data-testid=form-{name}]")
        if not form.is_visible():
            page.click(f"[data-testid=open-{name}]")
            form.wait_for(state="visible")
        for field, value in fields.items():
            form.locator(f"[name={field}]").fill(str(value))
        for field, value in (selects or {}).items():
            form.locator(f"[name={field}]").select_option(value)
        if shot:
            page.screenshot(path=str(ARTIFACTS / f"recruitment-{shot}.png"), full_page=True)
        form.locator(f"[data-testid=submit-{name}]").click()
        page.wait_for_load_state("networkidle")
        assert page.locator(".alert-danger").count() == 0, page.locator(".alert-danger").first.inner_text()
        assert "已办理" in page.content(), name


def decide(rita, file: RecruitmentFile, number: int) -> None:
    filing_decide(acting_user=rita, filing=services.step_of(file, number).filing, decision="approve", opinion="同意")


def test_applicant_to_full_member_through_the_pages(page, live_server, branch_a, alice, rita, members, county,
                                                    working_calendar):
    from recruitment.plans.services import plan_create

    plan_create(acting_user=None, county=county, year=2024, total_quota=5)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(PHONE)
    with time_machine.travel(datetime(2023, 1, 5, 9, tzinfo=SHANGHAI), tick=True) as traveller:
        browser = Browser(page, live_server, traveller)
        browser.day(date(2023, 1, 5))
        page.goto(live_server.url + reverse("recruitment:apply", args=[branch_a.pk]))
        page.fill("#id_name", "周明")
        page.select_option("#id_gender", "male")
        page.fill("#id_birth_date", "1996-04-01")
        page.select_option("#id_education", "bachelor")
        page.fill("#id_occupation", "技术员")
        page.fill("#id_applied_on", "2023-01-05")
        page.click("form.card button[type=submit]")
        page.wait_for_load_state("networkidle")
        file = RecruitmentFile.objects.get(person__name="周明")
        browser.file_url = live_server.url + reverse("recruitment:file_detail", args=[file.pk])
        page.screenshot(path=str(ARTIFACTS / "recruitment-file-applicant-phone.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1

        browser.day(date(2023, 1, 20))
        browser.act("talk", {"talked_on": "2023-01-20", "talker": "王书记", "content": "了解入党动机"})
        browser.day(date(2023, 2, 10))
        browser.act("recommend", {"recommended_on": "2023-02-10", "agree": 4}, {"kind": "meeting"})
        browser.act("designate", {"decided_on": "2023-02-10", "minutes": "支委会研究，同意确定为入党积极分子"})
        browser.act("filing", {"note": "请备案"})
        decide(rita, file, 4)
        browser.day(date(2023, 2, 20))
        assert "入党积极分子" in page.locator("[data-testid=stage]").inner_text()
        browser.act("contacts", {"assigned_on": "2023-02-20"},
                    {"members": [str(members[0].pk), str(members[1].pk)]})
        browser.day(date(2023, 5, 10))
        browser.act("training", {"occurred_on": "2023-05-10", "content": "汇报思想动态"},
                    {"kind": "quarterly_report"})

        browser.day(date(2024, 3, 1))
        tallies = {f"{item}_excellent": 7 for item in ("overall", "political", "moral", "lawful", "work",
                                                        "commitment")}
        browser.act("evaluation", {"held_on": "2024-03-01", "members_present": 4, "masses_present": 3, **tallies},
                    shot="evaluation-form-phone")
        browser.act("propose", {"decided_on": "2024-03-01", "contact_opinion": "同意", "minutes": "支委会研究同意"})
        browser.act("filing", {"note": "请备案"})
        decide(rita, file, 8)
        browser.day(date(2024, 3, 12))
        browser.act("introducers", {"assigned_on": "2024-03-12"},
                    {"members": [str(members[0].pk), str(members[1].pk)]})
        browser.act("political_review", {"reviewed_on": "2024-03-12", "content": "政治历史清楚",
                                         "conclusion": "政治审查合格"}, {"qualified": "1"})
        browser.day(date(2024, 4, 3))
        browser.act("concentrated_training", {"starts_on": "2024-04-01", "ends_on": "2024-04-03", "hours": 24,
                                              "organizer": "城关镇党委党校"})
        browser.act("committee_review", {"reviewed_on": "2024-04-03", "opinion": "条件具备"})
        browser.act("filing", {"note": "请预审"})
        decide(rita, file, 13)
        browser.day(date(2024, 4, 20))
        browser.act("form_fill", {"filled_on": "2024-04-20"})
        browser.day(date(2024, 5, 6))
        browser.act("vote", {"held_on": "2024-05-06", "present": 5, "for_votes": 5, "minutes": "无记名投票"})
        browser.act("organizer_talk", {"talked_on": "2024-05-06", "organizer": "县委组织员", "content": "动机端正"})
        browser.act("filing", {"note": "请审批"})
        decide(rita, file, 17)
        decide(rita, file, 18)
        browser.day(date(2024, 5, 26))
        assert "预备党员" in page.locator("[data-testid=stage]").inner_text()
        browser.act("placement", {"placed_on": "2024-05-26"})
        browser.act("oath", {"sworn_on": "2024-05-26", "led_by": "王书记"})
        page.screenshot(path=str(ARTIFACTS / "recruitment-file-probationary-phone.png"), full_page=True)

        browser.day(date(2025, 5, 7))
        browser.act("conversion_apply", {"applied_on": "2025-05-07", "content": "申请按期转正"})
        browser.act("conversion_vote", {"held_on": "2025-05-07", "present": 5, "for_votes": 5, "minutes": "同意转正"})
        browser.act("filing", {"note": "请审批转正"})
        decide(rita, file, 24)
        browser.day(date(2025, 5, 20))
        browser.act("archive", {"archived_on": "2025-05-20", "archive_no": "DA-2025-001"})
        page.set_viewport_size({"width": 1280, "height": 900})
        page.screenshot(path=str(ARTIFACTS / "recruitment-file-full.png"), full_page=True)
        page.goto(live_server.url + reverse("recruitment:branch_board", args=[branch_a.pk]))
        page.screenshot(path=str(ARTIFACTS / "recruitment-board.png"), full_page=True)
        browser.file_url = ""
        services.file_apply(acting_user=alice, organization=branch_a, applied_on=date(2025, 5, 20),
                            person_fields={"name": "吴佳", "gender": "female", "birth_date": date(2000, 1, 1)})
        browser.day(date(2025, 5, 20), username="rita")
        page.goto(live_server.url + reverse("recruitment:dashboard"))
        page.wait_for_selector("#chart-stages canvas")
        page.screenshot(path=str(ARTIFACTS / "recruitment-dashboard.png"), full_page=True)

    file.refresh_from_db()
    assert file.status == FileStatus.ARCHIVED
    member = Member.objects.get(person__name="周明")
    assert member.status == MemberStatus.FULL and member.joined_on == date(2024, 5, 6)
