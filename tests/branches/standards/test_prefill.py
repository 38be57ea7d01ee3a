"""Pre-fill from the records (DESIGN §8): meetings per type and period with attendance, the committee, the
term, dues, the register, the democratic evaluation — and the registry for keys only higher apps answer."""

from datetime import date
from decimal import Decimal

import pytest

from branches.life_models import CommitteeMember
from branches.meetings.rules import AttendanceStatus, MeetingType
from branches.models import Organization
from branches.standards import registry, services
from branches.standards.models import AssessmentItem, AssessmentVeto
from tests.branches.meetings.factories import all_present, record

from .conftest import YEAR

pytestmark = pytest.mark.django_db
ENTERED = date(2026, 1, 5)


def _row(assessment, key) -> AssessmentItem:
    return AssessmentItem.objects.select_related("item").get(assessment=assessment, item__key=key)


def _prefill(user, assessment):
    services.assessment_prefill(acting_user=user, assessment=assessment)


def test_quarterly_general_meetings_meet_the_item(alice, assessment_a, branch_a, members_a, committee_a):
    """"每三个月召开一次支部党员大会,内容形式、到会人数符合要求" (2分)."""
    for month in (2, 5, 8, 11):
        record(branch_a, MeetingType.GENERAL_MEETING, date(YEAR, month, 10), attendance=all_present(members_a),
               today=ENTERED)
    _prefill(alice, assessment_a)
    row = _row(assessment_a, "activities.general_meeting")
    assert row.prefill_met is True and row.prefill_score == Decimal(2) and row.self_score == Decimal(2)
    assert "应开4次，按期召开4次" in row.prefill_note
    assert any("会议日历" in label for label, _ in row.prefill_evidence)


def test_a_missed_quarter_loses_the_general_meeting_item(alice, assessment_a, branch_a, members_a, committee_a):
    for month in (2, 5, 8):  # nothing in the fourth quarter
        record(branch_a, MeetingType.GENERAL_MEETING, date(YEAR, month, 10), attendance=all_present(members_a),
               today=ENTERED)
    _prefill(alice, assessment_a)
    row = _row(assessment_a, "activities.general_meeting")
    assert row.prefill_met is False and row.prefill_score == 0
    assert "第四季度" in row.prefill_note


def test_monthly_committee_meetings_a_missed_month_loses_the_item(alice, assessment_a, branch_a, members_a,
                                                                    committee_a):
    """"每月召开一次支委会" (6分): eleven of twelve months is not enough."""
    sitting = [seat.member for seat in committee_a]
    for month in range(1, 13):
        if month != 6:
            record(branch_a, MeetingType.COMMITTEE_MEETING, date(YEAR, month, 20), attendance=all_present(sitting),
                   today=ENTERED)
    _prefill(alice, assessment_a)
    row = _row(assessment_a, "activities.committee_meeting")
    assert row.prefill_met is False and row.prefill_score == 0
    assert "2025年6月" in row.prefill_note
    record(branch_a, MeetingType.COMMITTEE_MEETING, date(YEAR, 6, 20), attendance=all_present(sitting), today=ENTERED)
    _prefill(alice, assessment_a)
    row = _row(assessment_a, "activities.committee_meeting")
    assert row.prefill_met is True and row.prefill_score == Decimal(6)


def test_a_meeting_with_too_few_present_does_not_count(alice, assessment_a, branch_a, members_a, committee_a):
    """"到会人数符合要求": more than half of those expected must be present."""
    half = {m.pk: (AttendanceStatus.PRESENT if i < 2 else AttendanceStatus.ABSENT) for i, m in enumerate(members_a)}
    for month in (2, 5, 8):
        record(branch_a, MeetingType.GENERAL_MEETING, date(YEAR, month, 10), attendance=all_present(members_a),
               today=ENTERED)
    record(branch_a, MeetingType.GENERAL_MEETING, date(YEAR, 11, 10), attendance=half, today=ENTERED)
    _prefill(alice, assessment_a)
    row = _row(assessment_a, "activities.general_meeting")
    assert row.prefill_met is False
    assert "1次到会人数未过半" in row.prefill_note


def test_democratic_evaluation_from_meetings(alice, assessment_a, branch_a, members_a, committee_a):
    _prefill(alice, assessment_a)
    assert _row(assessment_a, "members.evaluation").prefill_met is False
    record(branch_a, MeetingType.DEMOCRATIC_EVALUATION, date(YEAR, 12, 20), attendance=all_present(members_a),
           today=ENTERED)
    _prefill(alice, assessment_a)
    row = _row(assessment_a, "members.evaluation")
    assert row.prefill_met is True and row.prefill_score == Decimal(3)


def test_committee_and_term(alice, assessment_a, branch_a, committee_a):
    _prefill(alice, assessment_a)
    assert _row(assessment_a, "organization.posts").prefill_met is True
    assert _row(assessment_a, "organization.team").prefill_met is True
    assert _row(assessment_a, "organization.term").prefill_met is True
    Organization.objects.filter(pk=branch_a.pk).update(term_ends_on=date(2025, 3, 1))
    assessment_a.organization.refresh_from_db()
    _prefill(alice, assessment_a)
    row = _row(assessment_a, "organization.term")
    assert row.prefill_met is False and "未按期换届" in row.prefill_note


def test_activist_training_waits_for_a_provider(alice, assessment_a, committee_a):
    """Only recruitment can answer "对入党积极分子开展教育培训…": without a provider the item stays for self-assessment."""
    registered = registry._providers.pop("activist_training", None)
    try:
        _prefill(alice, assessment_a)
    finally:
        if registered is not None:
            registry._providers["activist_training"] = registered
    row = _row(assessment_a, "members.activist_training")
    assert row.prefill_score is None and row.self_score is None
    calls = []

    def provider(*, organization, year):
        calls.append((organization.pk, year))
        return registry.Prefill(Decimal(0), True, "已制定培养计划", [("计划", "/recruitment/")])

    registry.register_prefill("activist_training", provider)
    try:
        _prefill(alice, assessment_a)
    finally:
        registry._providers.pop("activist_training", None)
        if registered is not None:
            registry._providers["activist_training"] = registered
    row = _row(assessment_a, "members.activist_training")
    assert calls == [(assessment_a.organization_id, YEAR)]
    assert row.prefill_met is True and row.prefill_score == Decimal(3) and row.self_score == Decimal(3)


def test_the_branch_may_disagree_with_a_reason(alice, assessment_a, committee_a):
    _prefill(alice, assessment_a)
    row = _row(assessment_a, "activities.committee_meeting")
    assert row.prefill_score == 0
    with pytest.raises(Exception, match="请说明理由"):
        services.self_scores_save(acting_user=alice, assessment=assessment_a,
                                  entries=[services.ScoreInput(row.pk, Decimal(6))])
    services.self_scores_save(acting_user=alice, assessment=assessment_a,
                              entries=[services.ScoreInput(row.pk, Decimal(6), reason="会议记录在纸质台账")])
    row.refresh_from_db()
    assert row.disagrees and row.self_score == Decimal(6)
    _prefill(alice, assessment_a)  # reading the records again keeps the branch's own score
    row.refresh_from_db()
    assert row.self_score == Decimal(6) and row.disagree_reason == "会议记录在纸质台账"


def _veto(assessment, key) -> AssessmentVeto:
    return AssessmentVeto.objects.get(assessment=assessment, veto__key=key)


def test_veto_secretary_vacant_from_the_records(alice, assessment_a, committee_a):
    """备注3: "党支部书记缺职"."""
    _prefill(alice, assessment_a)
    assert _veto(assessment_a, "secretary_vacant").found is False
    CommitteeMember.objects.filter(pk=committee_a[0].pk).update(ended_on=date(2025, 6, 30))
    _prefill(alice, assessment_a)
    assert _veto(assessment_a, "secretary_vacant").found is True


def test_veto_discipline_from_the_committee_seats(alice, assessment_a, committee_a):
    """"党支部书记受党内警告以上处分的,或支委班子成员受党内严重警告以上处分的"."""
    services.seat_discipline_set(acting_user=alice, seat=committee_a[1], discipline="warning")
    _prefill(alice, assessment_a)
    assert _veto(assessment_a, "discipline").found is False  # a committee member's warning is not enough
    services.seat_discipline_set(acting_user=alice, seat=committee_a[1], discipline="serious_warning")
    _prefill(alice, assessment_a)
    assert _veto(assessment_a, "discipline").found is True
    services.seat_discipline_set(acting_user=alice, seat=committee_a[1], discipline="")
    services.seat_discipline_set(acting_user=alice, seat=committee_a[0], discipline="warning")
    _prefill(alice, assessment_a)
    veto = _veto(assessment_a, "discipline")
    assert veto.found is True and "书记（警告）" in veto.note
