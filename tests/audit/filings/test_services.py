"""Filing services: routing on the real tree, due dates, decisions and their handler, history,
overdue job, notifications once, uploads checked by content with nothing written when refused."""

from datetime import date

import pytest

from audit.filings import services
from audit.filings.models import Filing, FilingKind, FilingMaterial, FilingRound, FilingStatus
from audit.filings.uploads import MaterialUpload, generated_pdf
from audit.models import Event
from audit.notifications.models import Notification
from audit.registry import _filing_handlers
from branches import services as org_services
from branches.models import OrganizationKind
from branches.scoping import Role
from partyadmin.errors import RuleViolation
from tests.conftest import make_org, make_user

from .conftest import SUBMITTED_ON
from .factories import EXE_BYTES, JPEG_BYTES, PDF_BYTES, PNG_BYTES, office_bytes, pdf, png, upload

pytestmark = pytest.mark.django_db


def submit(user, organization, kind=FilingKind.RECORD, *, today=SUBMITTED_ON, materials=(), **extra) -> Filing:
    fields = dict(subject_type="tests.activist", subject_id="7", subject_label="王某某", title="备案报告")
    fields.update(extra)
    return services.filing_submit(acting_user=user, from_organization=organization, kind=kind, materials=materials,
                                  today=today, **fields)


def stored_files(media_root) -> list:
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


# --- routing on the tree ------------------------------------------------------------------------------

def test_record_from_a_branch_goes_to_the_approving_township(alice, branch_a, town):
    assert submit(alice, branch_a).to_organization == town


def test_branch_under_a_rural_committee_files_with_the_township_and_is_reviewed_by_the_committee(town, alice):
    """seed 000 二(一)4: "乡镇（街道）党（工）委所属的农村、社区基层党委，不能审批和备案入党积极分子，但应对
    党支部确定的入党积极分子进行审议。\""""
    rural = make_org(town, "东村党委", "C01T01R1", OrganizationKind.COMMITTEE, domain="rural")
    branch = make_org(rural, "东村第一党支部", "C01T01R1B1", OrganizationKind.BRANCH)
    assert submit(None, branch, FilingKind.RECORD).to_organization == town
    assert submit(None, branch, FilingKind.REVIEW).to_organization == rural


def test_general_branch_reviews_but_is_passed_over_for_approval(town):
    """seed 000 二(一)3: "党总支应对党支部确定的入党积极分子进行审议。\""""
    general = make_org(town, "南街党总支", "C01T01G1", OrganizationKind.GENERAL_BRANCH)
    branch = make_org(general, "南街第一党支部", "C01T01G1B1", OrganizationKind.BRANCH)
    assert submit(None, branch, FilingKind.REVIEW).to_organization == general
    assert submit(None, branch, FilingKind.APPROVE).to_organization == town


def test_township_files_step_18_with_the_county(town, county):
    """《细则》 step 18: "再上一级党委组织部门备案"."""
    assert submit(None, town, FilingKind.RECORD).to_organization == county


def test_filing_of_the_county_goes_to_the_municipal_department(db):
    city = make_org(None, "焦作市委组织部", "M01", OrganizationKind.MUNICIPAL_DEPT)
    county = make_org(city, "修武县委组织部", "M01C01", OrganizationKind.COUNTY_DEPT)
    filing = submit(None, county, FilingKind.RECORD)
    assert filing.to_organization == city
    assert filing.county == county


def test_county_and_township_are_stored_for_the_dashboard(alice, branch_a, town, county):
    filing = submit(alice, branch_a)
    assert (filing.county, filing.township) == (county, town)


def test_explicit_target_that_is_not_a_superior_is_refused(alice, branch_a, branch_b):
    with pytest.raises(RuleViolation) as error:
        submit(alice, branch_a, to_organization=branch_b)
    assert error.value.code == "filing.not_superior"
    assert not Filing.objects.exists()


# --- due dates ----------------------------------------------------------------------------------------

def test_record_due_one_calendar_month_after_submission(alice, branch_a):
    """seed 000 二(一)4: "党委的备案意见应在一个月内以书面形式通知党支部。\""""
    assert submit(alice, branch_a, today=date(2024, 1, 31)).due_on == date(2024, 2, 29)


def test_approval_due_three_months_after_submission(alice, branch_a):
    """《细则》第二十九条 (DESIGN §4 step 17): within 3 months."""
    assert submit(alice, branch_a, FilingKind.APPROVE, today=date(2024, 1, 31)).due_on == date(2024, 4, 30)


def test_review_due_after_15_working_days_by_default(alice, branch_a):
    """Policy default: 15 working days, counted on the Holiday calendar (National Day 2024 skipped)."""
    assert submit(alice, branch_a, FilingKind.REVIEW, today=date(2024, 9, 27)).due_on == date(2024, 10, 22)


def test_review_period_is_a_tenant_policy(alice, branch_a, county):
    org_services.policy_set(acting_user=None, organization=county, key="filings.review_period",
                            value={"unit": "days", "count": 10})
    assert submit(alice, branch_a, FilingKind.REVIEW, today=date(2024, 9, 27)).due_on == date(2024, 10, 7)


# --- submit: rounds, materials, audit, notifications -----------------------------------------------------

def test_submit_opens_round_one_and_audits(filing, alice):
    assert filing.status == FilingStatus.PENDING and filing.revision == 1
    assert list(filing.rounds.values_list("revision", "status")) == [(1, FilingStatus.PENDING)]
    event = Event.objects.get(action="filing.submit", subject_id=str(filing.pk))
    assert event.actor == alice


def test_submit_notifies_the_township_reviewers_once(filing, rita, alice):
    assert Notification.objects.filter(user=rita, key=f"filing:{filing.pk}:submitted:1").count() == 1
    assert not Notification.objects.filter(user=alice).exists()


def test_submit_notifies_secretary_and_committee_of_the_receiver_but_not_its_clerk(alice, branch_a, town):
    secretary, clerk = make_user("town_secretary"), make_user("town_clerk")
    org_services.grant_role(acting_user=None, user=secretary, organization=town, role=Role.SECRETARY)
    org_services.grant_role(acting_user=None, user=clerk, organization=town, role=Role.CLERK)
    filing = submit(alice, branch_a)
    notified = set(Notification.objects.filter(key=f"filing:{filing.pk}:submitted:1").values_list("user__username",
                                                                                                   flat=True))
    assert notified == {"town_secretary"}


def test_materials_are_stored_under_media_root_with_a_random_name(filing, media_root):
    material = filing.materials.get()
    assert material.file_type == "pdf" and material.revision == 1 and material.title == "备案报告"
    assert material.original_name == "备案报告.pdf"
    path = media_root / material.file.name
    assert path.read_bytes() == PDF_BYTES
    assert "备案报告" not in material.file.name


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("照片.jpg", JPEG_BYTES, "jpeg"), ("照片.png", PNG_BYTES, "png"),
    ("名单.docx", office_bytes("word/document.xml"), "docx"), ("名单.xlsx", office_bytes("xl/workbook.xml"), "xlsx"),
])
def test_every_allowed_type_is_accepted(alice, branch_a, name, content, expected):
    filing = submit(alice, branch_a, materials=[MaterialUpload(title="", file=upload(name, content))])
    assert filing.materials.get().file_type == expected


def test_a_generated_pdf_is_filed_like_an_upload(alice, branch_a):
    filing = submit(alice, branch_a, materials=[generated_pdf(title="全程记实表", content=PDF_BYTES, filename="记实表.pdf")])
    assert filing.materials.get().title == "全程记实表"


@pytest.mark.parametrize(("name", "content"), [
    ("备案报告.pdf", PNG_BYTES),  # PNG bytes under a .pdf name
    ("备案报告.pdf", EXE_BYTES),  # a program renamed
    ("名单.docx", EXE_BYTES),
    ("名单.docx", office_bytes("payload.bin")),  # a ZIP that is no Word document
])
def test_refused_upload_writes_nothing(alice, branch_a, media_root, name, content):
    events = Event.objects.count()
    with pytest.raises(RuleViolation) as error:
        submit(alice, branch_a, materials=[MaterialUpload(title="", file=png()),
                                           MaterialUpload(title="", file=upload(name, content))])
    assert error.value.field == "materials"
    assert "材料" in error.value.message and name in error.value.message
    assert not Filing.objects.exists() and not FilingMaterial.objects.exists()
    assert Event.objects.count() == events
    assert stored_files(media_root) == []


def test_files_written_before_a_failure_are_removed(alice, branch_a, media_root, monkeypatch):
    def broken_record(**kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(services, "record", broken_record)
    with pytest.raises(RuntimeError):
        submit(alice, branch_a, materials=[MaterialUpload(title="", file=pdf())])
    assert stored_files(media_root) == []
    assert not Filing.objects.exists()


def test_title_is_required(alice, branch_a):
    with pytest.raises(RuleViolation) as error:
        submit(alice, branch_a, title="  ")
    assert error.value.field == "title"


# --- decide ---------------------------------------------------------------------------------------------

@pytest.fixture
def handler_calls(monkeypatch) -> list:
    calls: list = []

    def handler(*, acting_user, subject_id, filing):
        calls.append((acting_user, subject_id, filing.pk, filing.status))

    monkeypatch.setitem(_filing_handlers, "tests.activist", handler)
    return calls


def test_decide_calls_the_domain_handler_once(filing, rita, handler_calls):
    services.filing_decide(acting_user=rita, filing=filing, decision="approve", opinion="同意备案")
    assert handler_calls == [(rita, "7", filing.pk, FilingStatus.APPROVED)]


def test_decide_notifies_the_submitter_once(filing, rita, alice):
    services.filing_decide(acting_user=rita, filing=filing, decision="approve", opinion="")
    assert Notification.objects.filter(user=alice, key=f"filing:{filing.pk}:decided:1").count() == 1


def test_decide_records_decider_round_and_audit(filing, rita):
    services.filing_decide(acting_user=rita, filing=filing, decision="approve", opinion="同意")
    filing.refresh_from_db()
    assert (filing.status, filing.decided_by, filing.opinion) == (FilingStatus.APPROVED, rita, "同意")
    round_one = filing.rounds.get()
    assert (round_one.status, round_one.decided_by, round_one.opinion) == (FilingStatus.APPROVED, rita, "同意")
    assert Event.objects.filter(action="filing.approve", subject_id=str(filing.pk), actor=rita).exists()


def test_returning_without_an_opinion_is_refused(filing, rita, handler_calls):
    with pytest.raises(RuleViolation) as error:
        services.filing_decide(acting_user=rita, filing=filing, decision="return", opinion="")
    assert error.value.message == "退回时必须填写意见。"
    filing.refresh_from_db()
    assert filing.status == FilingStatus.PENDING and handler_calls == []


def test_a_decided_filing_cannot_be_decided_again(filing, rita, handler_calls):
    services.filing_decide(acting_user=rita, filing=filing, decision="approve", opinion="")
    stale = Filing.objects.get(pk=filing.pk)
    stale.status = FilingStatus.PENDING  # a second reviewer still holding the old page
    with pytest.raises(RuleViolation) as error:
        services.filing_decide(acting_user=rita, filing=stale, decision="return", opinion="不同意")
    assert error.value.code == "filing.not_pending"
    assert len(handler_calls) == 1


def test_a_handler_failure_rolls_the_decision_back(filing, rita, monkeypatch):
    def failing(**kwargs):
        raise RuleViolation("activist.gone", "该积极分子已取消资格。")

    monkeypatch.setitem(_filing_handlers, "tests.activist", failing)
    with pytest.raises(RuleViolation):
        services.filing_decide(acting_user=rita, filing=filing, decision="approve", opinion="")
    filing.refresh_from_db()
    assert filing.status == FilingStatus.PENDING
    assert not Event.objects.filter(action="filing.approve").exists()


# --- resubmit, withdraw, extend ---------------------------------------------------------------------------

def test_resubmit_after_return_keeps_the_history(filing, rita, alice):
    services.filing_decide(acting_user=rita, filing=filing, decision="return", opinion="缺少支委会会议记录")
    services.filing_resubmit(acting_user=alice, filing=filing, note="已补充会议记录",
                             materials=[MaterialUpload(title="会议记录", file=png())], today=date(2024, 3, 20))
    filing.refresh_from_db()
    assert (filing.status, filing.revision, filing.due_on) == (FilingStatus.PENDING, 2, date(2024, 4, 20))
    assert filing.opinion == "" and filing.decided_by is None
    rounds = list(FilingRound.objects.filter(filing=filing).order_by("revision").values_list(
        "revision", "status", "opinion", "due_on"))
    assert rounds == [
        (1, FilingStatus.RETURNED, "缺少支委会会议记录", date(2024, 4, 1)),
        (2, FilingStatus.PENDING, "", date(2024, 4, 20)),
    ]
    assert sorted(filing.materials.values_list("revision", "title")) == [(1, "备案报告"), (2, "会议记录")]


def test_resubmission_notifies_the_reviewers_again(filing, rita, alice):
    services.filing_decide(acting_user=rita, filing=filing, decision="return", opinion="补充材料")
    services.filing_resubmit(acting_user=alice, filing=filing, today=date(2024, 3, 20))
    assert Notification.objects.filter(user=rita, key=f"filing:{filing.pk}:submitted:2").count() == 1


def test_a_pending_filing_cannot_be_resubmitted(filing, alice):
    with pytest.raises(RuleViolation) as error:
        services.filing_resubmit(acting_user=alice, filing=filing)
    assert error.value.code == "filing.not_resubmittable"


def test_withdraw_then_resubmit(filing, alice):
    services.filing_withdraw(acting_user=alice, filing=filing, reason="材料有误")
    filing.refresh_from_db()
    assert filing.status == FilingStatus.WITHDRAWN
    assert filing.rounds.get().status == FilingStatus.WITHDRAWN
    services.filing_resubmit(acting_user=alice, filing=filing, today=date(2024, 3, 5))
    filing.refresh_from_db()
    assert (filing.status, filing.revision) == (FilingStatus.PENDING, 2)


def test_a_decided_filing_cannot_be_withdrawn(filing, rita, alice):
    services.filing_decide(acting_user=rita, filing=filing, decision="approve", opinion="")
    with pytest.raises(RuleViolation):
        services.filing_withdraw(acting_user=alice, filing=filing)


def test_approval_extended_within_six_months(alice, branch_a, rita):
    """《细则》第二十九条: "特殊情况可以延长审批时间，但不得超过六个月"."""
    filing = submit(alice, branch_a, FilingKind.APPROVE, today=date(2024, 1, 31))
    services.filing_extend(acting_user=rita, filing=filing, until=date(2024, 7, 31), reason="发展对象外出务工")
    filing.refresh_from_db()
    assert (filing.due_on, filing.extended_until, filing.deadline) == (date(2024, 4, 30), date(2024, 7, 31),
                                                                       date(2024, 7, 31))


def test_approval_extension_beyond_six_months_is_refused(alice, branch_a, rita):
    filing = submit(alice, branch_a, FilingKind.APPROVE, today=date(2024, 1, 31))
    with pytest.raises(RuleViolation) as error:
        services.filing_extend(acting_user=rita, filing=filing, until=date(2024, 8, 1), reason="特殊情况")
    assert "六个月" in error.value.message
    filing.refresh_from_db()
    assert filing.extended_until is None


# --- the daily job ------------------------------------------------------------------------------------------

def test_tick_marks_only_filings_past_their_last_day(filing):
    assert services.filings_tick(today=date(2024, 4, 1)) == 0  # due 2024-04-01: still the last day
    assert services.filings_tick(today=date(2024, 4, 2)) == 1
    filing.refresh_from_db()
    assert filing.overdue_since == date(2024, 4, 2)


def test_tick_twice_sends_no_duplicate_notifications(filing, rita, alice):
    services.filings_tick(today=date(2024, 4, 2))
    events = Event.objects.filter(action="filing.overdue").count()
    assert services.filings_tick(today=date(2024, 4, 3)) == 0
    key = f"filing:{filing.pk}:overdue:2024-04-01"
    assert Notification.objects.filter(key=key, user=rita).count() == 1
    assert Notification.objects.filter(key=key, user=alice).count() == 1
    assert Event.objects.filter(action="filing.overdue").count() == events == 1


def test_tick_ignores_decided_filings(filing, rita):
    services.filing_decide(acting_user=rita, filing=filing, decision="approve", opinion="")
    assert services.filings_tick(today=date(2024, 6, 1)) == 0


def test_extension_clears_the_overdue_mark_and_a_new_deadline_notifies_again(alice, branch_a, rita):
    filing = submit(alice, branch_a, FilingKind.APPROVE, today=date(2024, 1, 31))
    services.filings_tick(today=date(2024, 5, 1))
    filing.refresh_from_db()
    services.filing_extend(acting_user=rita, filing=filing, until=date(2024, 6, 30), reason="特殊情况")
    assert services.filings_tick(today=date(2024, 5, 2)) == 0
    assert services.filings_tick(today=date(2024, 7, 1)) == 1
    keys = set(Notification.objects.filter(user=rita, kind="filing", key__contains="overdue").values_list("key", flat=True))
    assert keys == {f"filing:{filing.pk}:overdue:2024-04-30", f"filing:{filing.pk}:overdue:2024-06-30"}


def test_tick_by_county_leaves_other_counties_alone(filing, other_county):
    assert services.filings_tick(today=date(2024, 5, 1), county_id=other_county.pk) == 0
    assert services.filings_tick(today=date(2024, 5, 1), county_id=filing.county_id) == 1
