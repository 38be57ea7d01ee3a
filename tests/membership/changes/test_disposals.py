"""Disposal of unqualified members (处置不合格党员): the procedure of seed 001 第十五条, step by step."""

from datetime import date
from decimal import Decimal

import pytest

from audit.filings import services as filings
from audit.filings.models import Filing, FilingKind, FilingStatus
from audit.notifications.models import Notification
from audit.publicity.models import PublicityWindow
from branches.dues import services as dues
from branches.dues.models import DuesCategory, DuesLapseFlag, LapseResolution, PaymentMethod
from membership.changes import selectors, services
from membership.changes.models import DisposalOutcome, DisposalStep, StatusChange, StatusChangeKind
from membership.changes.registry import dues_paid_until
from membership.models import Member
from partyadmin.errors import RuleViolation

from .conftest import TODAY, decide

pytestmark = pytest.mark.django_db


def open_case(user, member, measure="rectify_deadline", **extra):
    return services.disposal_open(acting_user=user, member=member, measure=measure, finding_on=date(2026, 7, 1),
                                  finding="连续两年民主评议不合格，经提醒教育仍未改正。", **extra)


def investigate(user, case):
    return services.disposal_investigate(acting_user=user, case=case, investigated_on=date(2026, 7, 5),
                                         investigation="走访群众5人，核实属实。", proposal="建议按程序处置。")


def vote(user, case, in_favour=12):
    return services.disposal_record_vote(acting_user=user, case=case, meeting_on=TODAY, eligible=20, attended=16,
                                         in_favour=in_favour, against=3, abstained=1)


def pre_reviewed(alice, rita, case, victor=None):
    investigate(alice, case)
    services.disposal_submit_pre_review(acting_user=alice, case=case, today=TODAY)
    decide(case.pre_review_filing_id, rita)
    case.refresh_from_db()
    if victor is not None:
        decide(case.pre_review_county_filing_id, victor)
        case.refresh_from_db()
    return case


def approved(alice, rita, case, victor=None):
    pre_reviewed(alice, rita, case, victor)
    vote(alice, case)
    services.disposal_submit_approval(acting_user=alice, case=case, today=TODAY)
    decide(case.approval_filing_id, rita)
    case.refresh_from_db()
    if victor is not None:
        decide(case.approval_county_filing_id, victor)
        case.refresh_from_db()
    return case


def test_rectification_runs_the_whole_procedure_with_a_one_year_deadline(alice, rita, member, town):
    """seed 001 第十四条: "要责令其限期改正,限期改正的时间为一年"."""
    case = open_case(alice, member)
    investigate(alice, case)
    services.disposal_submit_pre_review(acting_user=alice, case=case, today=TODAY)
    pre = Filing.objects.get(pk=case.pre_review_filing_id)
    assert pre.kind == FilingKind.PRE_REVIEW and pre.to_organization == town
    decide(pre.pk, rita)
    case.refresh_from_db()
    assert case.step == DisposalStep.PRE_REVIEWED and case.pre_review_county_filing_id is None
    vote(alice, case)
    services.disposal_submit_approval(acting_user=alice, case=case, today=TODAY)
    decide(case.approval_filing_id, rita)
    case.refresh_from_db()
    assert case.step == DisposalStep.APPROVED
    assert case.approved_on == TODAY and case.rectify_until == date(2027, 7, 15)
    services.disposal_announce(acting_user=alice, case=case, announced_on=TODAY, member_notified_on=TODAY,
                               method="general_meeting", today=TODAY)
    assert case.step == DisposalStep.ANNOUNCED and case.is_open


def test_steps_out_of_order_are_refused(alice, member):
    """seed 001 第十五条: "经预审同意后,党支部召开支部大会…讨论处置意见并进行表决"."""
    case = open_case(alice, member)
    with pytest.raises(RuleViolation) as error:
        vote(alice, case)
    assert error.value.code == "disposal.out_of_order"
    with pytest.raises(RuleViolation):
        services.disposal_submit_pre_review(acting_user=alice, case=case, today=TODAY)
    investigate(alice, case)
    with pytest.raises(RuleViolation):
        investigate(alice, case)
    with pytest.raises(RuleViolation):
        services.disposal_submit_approval(acting_user=alice, case=case, today=TODAY)


def test_removal_is_forwarded_to_the_county_department(alice, rita, victor, member, county):
    """seed 001 第十五条: "对拟作出劝退、除名处置的,由镇党委报市委组织部门预审"."""
    case = open_case(alice, member, measure="remove")
    investigate(alice, case)
    services.disposal_submit_pre_review(acting_user=alice, case=case, today=TODAY)
    decide(case.pre_review_filing_id, rita)
    case.refresh_from_db()
    assert case.step == DisposalStep.PRE_REVIEW
    forwarded = Filing.objects.get(pk=case.pre_review_county_filing_id)
    assert forwarded.to_organization == county and forwarded.kind == FilingKind.PRE_REVIEW
    decide(forwarded.pk, victor)
    case.refresh_from_db()
    assert case.step == DisposalStep.PRE_REVIEWED


def test_approved_removal_takes_the_member_out_of_the_register(alice, rita, victor, member):
    """seed 001 第十五条: "对作出劝退、除名处置的,由镇党委集体研究提出审批意见,报市委组织部门审查批准"."""
    case = open_case(alice, member, measure="remove")
    pre_reviewed(alice, rita, case, victor)
    vote(alice, case)
    services.disposal_submit_approval(acting_user=alice, case=case, today=TODAY)
    decide(case.approval_filing_id, rita)
    member.refresh_from_db()
    assert member.is_active  # the township only proposes; the county approves
    case.refresh_from_db()
    decide(case.approval_county_filing_id, victor)
    member.refresh_from_db()
    assert not member.is_active and Member.objects.filter(pk=member.pk).exists()
    assert StatusChange.objects.get(member=member).kind == StatusChangeKind.REMOVED
    case.refresh_from_db()
    services.disposal_announce(acting_user=alice, case=case, announced_on=TODAY, member_notified_on=TODAY,
                               method="notice", today=TODAY)
    assert case.outcome == DisposalOutcome.REMOVED and case.closed_on == TODAY


def test_a_failed_vote_closes_the_case(alice, rita, member):
    case = pre_reviewed(alice, rita, open_case(alice, member))
    vote(alice, case, in_favour=10)
    assert case.outcome == DisposalOutcome.NOT_ADOPTED and not case.is_open


def test_a_returned_pre_review_waits_for_the_resubmission(alice, rita, member):
    case = open_case(alice, member)
    investigate(alice, case)
    services.disposal_submit_pre_review(acting_user=alice, case=case, today=TODAY)
    decide(case.pre_review_filing_id, rita, decision="return", opinion="调查材料不全")
    case.refresh_from_db()
    assert case.filing_returned and case.step == DisposalStep.PRE_REVIEW
    filings.filing_resubmit(acting_user=alice, filing=Filing.objects.get(pk=case.pre_review_filing_id), today=TODAY)
    decide(case.pre_review_filing_id, rita)
    case.refresh_from_db()
    assert case.step == DisposalStep.PRE_REVIEWED and not case.filing_returned


def test_rectification_deadline_reminders_are_sent_once(alice, rita, member):
    case = approved(alice, rita, open_case(alice, member))
    services.disposal_announce(acting_user=alice, case=case, announced_on=TODAY, member_notified_on=TODAY,
                               method="general_meeting", today=TODAY)
    assert services.disposal_tick(today=date(2027, 6, 1)) == {"near": 0, "reached": 0}
    assert services.disposal_tick(today=date(2027, 6, 20)) == {"near": 1, "reached": 0}
    assert services.disposal_tick(today=date(2027, 6, 21)) == {"near": 0, "reached": 0}
    assert services.disposal_tick(today=date(2027, 7, 15)) == {"near": 0, "reached": 1}
    assert services.disposal_tick(today=date(2027, 7, 16)) == {"near": 0, "reached": 0}
    assert Notification.objects.filter(user=alice, key__startswith=f"disposal:{case.pk}:rectify").count() == 2


def test_not_corrected_after_the_year_leads_to_persuasion(alice, rita, member, monkeypatch):
    """seed 001 第十四条: "限期改正期满,仍不符合党员条件的,要给予劝退处理"."""
    case = approved(alice, rita, open_case(alice, member))
    services.disposal_announce(acting_user=alice, case=case, announced_on=TODAY, member_notified_on=TODAY,
                               method="general_meeting", today=TODAY)
    with pytest.raises(RuleViolation) as error:
        services.disposal_conclude_rectification(acting_user=alice, case=case, corrected=False,
                                                 concluded_on=date(2027, 7, 14), note="仍未改正", today=date(2027, 7, 20))
    assert error.value.code == "disposal.rectify_not_due"
    closed, follow_up = services.disposal_conclude_rectification(
        acting_user=alice, case=case, corrected=False, concluded_on=date(2027, 7, 16), note="仍未改正",
        today=date(2027, 7, 20))
    assert closed.outcome == DisposalOutcome.NOT_CORRECTED
    assert follow_up.measure == "persuade_to_quit" and follow_up.follows == closed


def test_refusing_to_quit_leads_to_removal(alice, rita, victor, member):
    """seed 001 第十四条: "对已作出劝退处理,劝而不退的,给予除名处理"."""
    case = approved(alice, rita, open_case(alice, member, measure="persuade_to_quit"), victor)
    services.disposal_announce(acting_user=alice, case=case, announced_on=TODAY, member_notified_on=TODAY,
                               method="general_meeting", today=TODAY)
    closed, follow_up = services.disposal_record_persuasion(acting_user=alice, case=case, quit=False, on=TODAY)
    assert closed.outcome == DisposalOutcome.REFUSED_TO_QUIT and follow_up.measure == "remove"


def test_quitting_after_persuasion_leaves_the_register(alice, rita, victor, member):
    case = approved(alice, rita, open_case(alice, member, measure="persuade_to_quit"), victor)
    services.disposal_announce(acting_user=alice, case=case, announced_on=TODAY, member_notified_on=TODAY,
                               method="general_meeting", today=TODAY)
    services.disposal_record_persuasion(acting_user=alice, case=case, quit=True, on=TODAY, note="本人递交退党申请")
    member.refresh_from_db()
    assert not member.is_active
    assert StatusChange.objects.get(member=member).kind == StatusChangeKind.QUIT


def test_probation_is_extended_with_the_correction_of_a_probationary_member(alice, rita, probationary):
    """seed 001 第十四条: "预备党员可同时作出延长预备期处理"."""
    case = approved(alice, rita, open_case(alice, probationary, extend_probation=True))
    assert case.probation_extended_until == date(2028, 1, 10)
    assert selectors.probation_end(probationary) == date(2028, 1, 10)


def test_announcement_can_publish_a_notice(alice, rita, member):
    case = approved(alice, rita, open_case(alice, member))
    services.disposal_announce(acting_user=alice, case=case, announced_on=TODAY, member_notified_on=TODAY,
                               method="notice", publish=True, today=TODAY)
    window = PublicityWindow.objects.get(pk=case.publicity_window_id)
    entry = window.entries.get()
    assert entry.snapshot["name"] == "张党员" and "限期改正" in entry.snapshot["results"]
    assert "id_number" not in entry.snapshot


def test_withdrawing_a_case_withdraws_its_pending_filing(alice, member):
    case = open_case(alice, member)
    investigate(alice, case)
    services.disposal_submit_pre_review(acting_user=alice, case=case, today=TODAY)
    services.disposal_withdraw(acting_user=alice, case=case, reason="经核实系误报")
    assert Filing.objects.get(pk=case.pre_review_filing_id).status == FilingStatus.WITHDRAWN
    assert case.outcome == DisposalOutcome.WITHDRAWN


def test_an_approved_case_cannot_be_withdrawn(alice, rita, member):
    case = approved(alice, rita, open_case(alice, member))
    with pytest.raises(RuleViolation) as error:
        services.disposal_withdraw(acting_user=alice, case=case, reason="x")
    assert error.value.code == "disposal.already_approved"


def test_one_open_case_per_member(alice, member):
    open_case(alice, member)
    with pytest.raises(RuleViolation) as error:
        open_case(alice, member)
    assert error.value.code == "disposal.already_open"


# --- self-lapse (自行脱党) ---------------------------------------------------------------------------


@pytest.fixture
def lapse_flag(member, branch_a):
    """Six consecutive months unpaid, flagged by the dues job (branches.dues)."""
    return DuesLapseFlag.objects.create(organization=branch_a, county=branch_a.county, member=member,
                                        since_month=date(2026, 1, 1), months_unpaid=6, raised_on=TODAY)


def test_self_lapse_candidates_come_from_the_dues_flags(lapse_flag, alice, charlie, member):
    rows = selectors.lapse_candidates(user=alice)
    assert [(row.member, row.candidate.reference, row.candidate.ground) for row in rows] == [
        (member, str(lapse_flag.pk), "dues")]
    assert selectors.lapse_candidates(user=charlie) == []


def test_a_self_lapse_candidate_opens_a_removal_case(lapse_flag, alice, member):
    """seed 001 第十四条: "没有正当理由,连续 6 个月不交纳党费的…视为自动脱党,支部大会应当讨论作出除名处理决定"."""
    case = services.disposal_open(acting_user=alice, member=member, measure="remove", finding_on=TODAY,
                                  finding="自2026年1月起连续6个月未交纳党费。", lapse_grounds=["dues"],
                                  education="书记两次上门谈话，仍不交纳。", lapse_source="dues",
                                  lapse_reference=str(lapse_flag.pk))
    lapse_flag.refresh_from_db()
    assert case.is_self_lapse and case.lapse_reference == f"dues:{lapse_flag.pk}"
    assert lapse_flag.resolved and lapse_flag.resolution == LapseResolution.DISPOSAL
    assert selectors.lapse_candidates(user=alice) == []


def test_a_self_lapse_case_must_lead_to_removal(lapse_flag, alice, member):
    with pytest.raises(RuleViolation) as error:
        services.disposal_open(acting_user=alice, member=member, measure="rectify_deadline", finding_on=TODAY,
                               finding="欠交党费", lapse_grounds=["dues"], education="谈话",
                               lapse_source="dues", lapse_reference=str(lapse_flag.pk))
    assert error.value.code == "disposal.lapse_measure"
    lapse_flag.refresh_from_db()
    assert not lapse_flag.resolved


def test_the_dues_paid_until_comes_from_the_dues_ledger(member):
    dues.dues_base_set(acting_user=None, member=member, year=2026, category=DuesCategory.SALARIED,
                       monthly_income_base=Decimal("4000"))
    dues.dues_payment_record(acting_user=None, member=member, year=2026, from_month=1, to_month=3,
                             amount=Decimal("120.00"), paid_on=date(2026, 4, 1), method=PaymentMethod.CASH, today=TODAY)
    assert dues_paid_until(member) == date(2026, 3, 1)
