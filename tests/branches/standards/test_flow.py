"""The flow (seed 004 四2 "由党支部对照标准创建,各单位党(工)委考核、申报,区委组织部验收、评定"), its returns, the
result (备注2: "评分在85分及以上,且无一票否决情况,经公示无异议的,确认为党支部规范化建设合格支部"), rectification,
and the award eligibility that depends on it."""

from datetime import timedelta
from decimal import Decimal

import pytest

from audit.filings.models import Filing, FilingKind, FilingStatus
from audit.publicity.services import publicity_tick
from branches.standards import services
from branches.standards.models import AssessmentStatus, Rectification
from branches.standards.selectors import is_qualified, queue
from partyadmin.errors import RuleViolation
from partyadmin.workdays import china_today

from .conftest import YEAR, declare_funds, review_score_all, self_score_all

pytestmark = pytest.mark.django_db
D = Decimal
ZERO = Decimal(0)


def _submitted(alice, assessment):
    self_score_all(alice, assessment)
    declare_funds(alice, assessment)
    return services.assessment_submit(acting_user=alice, assessment=assessment, note="请审核")


def _to_county(alice, rita, assessment, minus=ZERO):
    _submitted(alice, assessment)
    review_score_all(rita, assessment, minus=minus)
    return services.committee_report(acting_user=rita, assessment=assessment, opinion="考核属实")


def _confirm(assessment):
    assessment.refresh_from_db()
    day = assessment.publicity.ends_on + timedelta(days=1)
    publicity_tick(today=day)
    services.standards_tick(today=day)
    assessment.refresh_from_db()


def test_the_whole_flow_to_a_qualified_branch(alice, rita, cora, assessment_a, town, county, committee_a):
    _submitted(alice, assessment_a)
    assessment_a.refresh_from_db()
    assert assessment_a.status == AssessmentStatus.COMMITTEE_REVIEW and assessment_a.self_total == D(100)
    filing = assessment_a.committee_filing
    assert filing.kind == FilingKind.REVIEW and filing.to_organization == town
    assert list(queue(user=rita)) == [assessment_a]
    assert list(queue(user=cora)) == [assessment_a]  # the county sees the committee stage too (handler above)
    assert list(queue(user=alice)) == []

    review_score_all(rita, assessment_a, minus=D(3))
    services.committee_report(acting_user=rita, assessment=assessment_a, opinion="实地考察，台账需完善")
    assert assessment_a.status == AssessmentStatus.COUNTY_REVIEW
    filing.refresh_from_db()
    assert filing.status == FilingStatus.APPROVED
    county_filing = assessment_a.county_filing
    assert county_filing.kind == FilingKind.APPROVE and county_filing.to_organization == county
    assert county_filing.from_organization == town
    assert list(queue(user=rita)) == []

    services.county_rate(acting_user=cora, assessment=assessment_a, opinion="同意")
    assert assessment_a.status == AssessmentStatus.RATED and assessment_a.passed is True
    assert assessment_a.review_total == D(97)
    assert assessment_a.publicity is not None
    assert not is_qualified(organization=assessment_a.organization, year=YEAR)  # still under publicity
    _confirm(assessment_a)
    assert assessment_a.status == AssessmentStatus.CONFIRMED
    assert is_qualified(organization=assessment_a.organization, year=YEAR)
    services.award_eligibility_check(organization=assessment_a.organization, year=YEAR)


@pytest.mark.parametrize(("minus", "passed"), [(D("15.5"), False), (D("15"), True), (D("14.5"), True)])
def test_pass_at_84_5_85_85_5(alice, rita, cora, assessment_a, committee_a, minus, passed):
    _to_county(alice, rita, assessment_a, minus=minus)
    services.county_rate(acting_user=cora, assessment=assessment_a)
    assert assessment_a.review_total == D(100) - minus
    assert assessment_a.passed is passed
    assert Rectification.objects.filter(assessment=assessment_a).exists() is not passed


def test_a_failing_branch_gets_a_rectification_task_that_goes_overdue(alice, rita, cora, assessment_a):
    _to_county(alice, rita, assessment_a, minus=D(20))
    services.county_rate(acting_user=cora, assessment=assessment_a)
    task = assessment_a.rectification
    assert task.due_on > china_today() and "规范台账管理" in task.requirement
    assert services.standards_tick(today=task.due_on)["overdue"] == 0
    assert services.standards_tick(today=task.due_on + timedelta(days=1))["overdue"] == 1
    assert services.standards_tick(today=task.due_on + timedelta(days=2))["overdue"] == 0  # once
    task.refresh_from_db()
    assert task.overdue_since == task.due_on + timedelta(days=1)
    with pytest.raises(RuleViolation):
        services.award_eligibility_check(organization=assessment_a.organization, year=YEAR)
    services.rectification_report(acting_user=alice, task=task, report="已完善台账")
    task.refresh_from_db()
    assert task.status == "done"


def test_no_funds_declared_is_a_veto(alice, rita, cora, assessment_a, committee_a):
    """备注3: "未落实党建工作专项经费的" — declared by the branch."""
    self_score_all(alice, assessment_a)
    declare_funds(alice, assessment_a, found=True)
    services.assessment_submit(acting_user=alice, assessment=assessment_a)
    review_score_all(rita, assessment_a)
    services.committee_report(acting_user=rita, assessment=assessment_a, opinion="")
    services.county_rate(acting_user=cora, assessment=assessment_a)
    assert assessment_a.review_total == D(100) and assessment_a.vetoed and assessment_a.passed is False


def test_a_declaration_that_funds_are_in_place_needs_evidence(alice, assessment_a):
    from branches.standards.models import AssessmentVeto

    self_score_all(alice, assessment_a)
    with pytest.raises(RuleViolation, match="请申报"):
        services.assessment_submit(acting_user=alice, assessment=assessment_a)
    row = AssessmentVeto.objects.select_related("veto").get(assessment=assessment_a, veto__key="no_funds")
    services.veto_declare(acting_user=alice, assessment=assessment_a, veto_row=row, found=False)
    with pytest.raises(RuleViolation, match="佐证材料"):
        services.assessment_submit(acting_user=alice, assessment=assessment_a)


def test_secretary_vacant_is_a_veto(alice, rita, cora, assessment_a):
    """"党支部书记缺职" (no committee seats at all in branch A here)."""
    _to_county(alice, rita, assessment_a)
    services.county_rate(acting_user=cora, assessment=assessment_a)
    assert assessment_a.vetoed and assessment_a.passed is False


def test_discipline_is_a_veto_and_reviewers_may_decide_otherwise(alice, rita, cora, assessment_a, committee_a):
    services.seat_discipline_set(acting_user=alice, seat=committee_a[0], discipline="warning")
    _to_county(alice, rita, assessment_a)
    veto = assessment_a.vetoes.get(veto__key="discipline")
    assert veto.found is True
    with pytest.raises(RuleViolation, match="认定理由"):
        services.review_veto_set(acting_user=cora, assessment=assessment_a, veto_row=veto, found=False, note="")
    services.review_veto_set(acting_user=cora, assessment=assessment_a, veto_row=veto, found=False,
                             note="处分影响期已满")
    services.county_rate(acting_user=cora, assessment=assessment_a)
    assert assessment_a.passed is True and not assessment_a.vetoed


def test_committee_returns_and_the_branch_resubmits(alice, rita, assessment_a):
    _submitted(alice, assessment_a)
    with pytest.raises(RuleViolation):
        services.self_scores_save(acting_user=alice, assessment=assessment_a, entries=[])
    services.committee_return(acting_user=rita, assessment=assessment_a, opinion="佐证材料不全")
    assert assessment_a.status == AssessmentStatus.RETURNED and assessment_a.committee_opinion == "佐证材料不全"
    self_score_all(alice, assessment_a, total_minus=D(2))
    services.assessment_submit(acting_user=alice, assessment=assessment_a)
    assessment_a.refresh_from_db()
    assert assessment_a.status == AssessmentStatus.COMMITTEE_REVIEW and assessment_a.self_total == D(98)
    filing = assessment_a.committee_filing
    filing.refresh_from_db()
    assert filing.revision == 2 and filing.status == FilingStatus.PENDING
    assert Filing.objects.filter(subject_type="standards.assessment").count() == 1


def test_county_returns_to_the_committee(alice, rita, cora, assessment_a, committee_a):
    _to_county(alice, rita, assessment_a)
    services.county_return(acting_user=cora, assessment=assessment_a, opinion="请实地复核")
    assert assessment_a.status == AssessmentStatus.COMMITTEE_REVIEW and assessment_a.county_opinion == "请实地复核"
    review_score_all(rita, assessment_a, minus=D(5))
    services.committee_report(acting_user=rita, assessment=assessment_a, opinion="已复核")
    assert assessment_a.status == AssessmentStatus.COUNTY_REVIEW
    assessment_a.county_filing.refresh_from_db()
    assert assessment_a.county_filing.revision == 2
    services.county_rate(acting_user=cora, assessment=assessment_a)
    assert assessment_a.review_total == D(95)


def test_the_committee_cannot_report_without_every_review_score(alice, rita, assessment_a):
    _submitted(alice, assessment_a)
    with pytest.raises(RuleViolation, match="未填写考核分"):
        services.committee_report(acting_user=rita, assessment=assessment_a, opinion="")


def test_a_review_score_other_than_the_self_score_needs_a_note(alice, rita, assessment_a):
    _submitted(alice, assessment_a)
    row = assessment_a.items.select_related("item").first()
    with pytest.raises(RuleViolation, match="考核说明"):
        services.review_scores_save(acting_user=rita, assessment=assessment_a,
                                    entries=[services.ScoreInput(row.pk, row.item.points - 1)])


def test_an_upheld_objection_keeps_the_branch_unqualified(alice, rita, cora, assessment_a, committee_a):
    _to_county(alice, rita, assessment_a)
    services.county_rate(acting_user=cora, assessment=assessment_a)
    services.objection_upheld(acting_user=cora, subject_id=str(assessment_a.pk), window=None, objection=None)
    _confirm(assessment_a)
    assert assessment_a.status == AssessmentStatus.OBJECTED
    assert not is_qualified(organization=assessment_a.organization, year=YEAR)
