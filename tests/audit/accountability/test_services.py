"""Accountability services: open (due in 30 days), parties, extension (≤ 3 months), close, daily job."""

from datetime import date

import pytest

from audit.accountability import services
from audit.accountability.models import AccountabilityCase, CaseStatus, Outcome, PartyRole
from audit.models import Event
from audit.notifications.models import Notification
from partyadmin.errors import RuleViolation

from .conftest import DISCOVERED_ON

pytestmark = pytest.mark.django_db


def test_open_sets_due_30_days_after_discovery_and_audits(case, rita, county, town):
    """seed 000 二(三)3(4): "自发现之日起，一般应在30日内处理完毕"."""
    assert case.due_on == date(2024, 3, 1)
    assert (case.county, case.township, case.status) == (county, town, CaseStatus.OPEN)
    assert Event.objects.filter(action="accountability.open", subject_id=str(case.pk), actor=rita).exists()


def test_open_notifies_the_reviewers_above_but_not_the_branch(cora, alice, case, rita):
    notified = set(Notification.objects.filter(key=f"case:{case.pk}:opened").values_list("user__username", flat=True))
    assert notified == {"rita", "cora"}


def test_open_with_a_future_discovery_date_is_refused(rita, branch_a):
    with pytest.raises(RuleViolation):
        services.case_open(acting_user=rita, organization=branch_a, subject_label="事项", violation_type="other",
                           description="描述", discovered_on=date(2024, 3, 1), today=date(2024, 2, 1))
    assert not AccountabilityCase.objects.exists()


def test_add_responsible_parties(case, rita):
    """seed 000 二(三)3(1): "负有责任的党组织及其书记、副书记和组织委员、谈话考察人、入党介绍人、培养联系人…"."""
    services.party_add(acting_user=rita, case=case, name="东街社区党支部", role=PartyRole.ORGANIZATION)
    services.party_add(acting_user=rita, case=case, name="张某", role=PartyRole.INTRODUCER, member_id=42)
    assert list(case.parties.values_list("role", "name")) == [("organization", "东街社区党支部"), ("introducer", "张某")]
    assert Event.objects.filter(action="accountability.add_party").count() == 2


def test_extension_within_three_months(case, cora):
    """seed 000 二(三)3(4): "经县（市、区）…组织部门同意，可适当延长，最长不得超过3个月"."""
    services.case_extend(acting_user=cora, case=case, until=date(2024, 4, 30), reason="涉及人员外出")
    case.refresh_from_db()
    assert (case.extended_until, case.extension_approved_by, case.deadline) == (date(2024, 4, 30), cora,
                                                                                 date(2024, 4, 30))


def test_extension_beyond_three_months_is_refused(case, cora):
    with pytest.raises(RuleViolation) as error:
        services.case_extend(acting_user=cora, case=case, until=date(2024, 5, 1), reason="特殊情况")
    assert error.value.code == "case.extension_too_long"
    case.refresh_from_db()
    assert case.extended_until is None


def test_extension_needs_a_reason(case, cora):
    with pytest.raises(RuleViolation) as error:
        services.case_extend(acting_user=cora, case=case, until=date(2024, 4, 1), reason=" ")
    assert error.value.field == "reason"


def test_close_with_outcome_and_non_recognition(case, rita):
    """seed 000 二(三)3(3): "对违反规定吸收入党的，一律不予承认，并在支部大会上公布"."""
    services.case_close(acting_user=rita, case=case, outcome=Outcome.WRITTEN_SELF_CRITICISM, outcome_note="责令检查",
                        admission_not_recognized=True, announced_on=date(2024, 2, 20))
    case.refresh_from_db()
    assert (case.status, case.outcome, case.admission_not_recognized, case.announced_on) == (
        CaseStatus.CLOSED, Outcome.WRITTEN_SELF_CRITICISM, True, date(2024, 2, 20))
    assert case.closed_by == rita and case.closed_at is not None


def test_close_non_recognition_without_announcement_is_refused(case, rita):
    with pytest.raises(RuleViolation):
        services.case_close(acting_user=rita, case=case, outcome=Outcome.CRITICISM, admission_not_recognized=True)
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_a_closed_case_cannot_be_changed(case, rita, cora):
    services.case_close(acting_user=rita, case=case, outcome=Outcome.NOT_PURSUED)
    with pytest.raises(RuleViolation):
        services.party_add(acting_user=rita, case=case, name="张某", role=PartyRole.INTRODUCER)
    with pytest.raises(RuleViolation):
        services.case_extend(acting_user=cora, case=case, until=date(2024, 4, 1), reason="特殊")
    with pytest.raises(RuleViolation):
        services.case_close(acting_user=rita, case=case, outcome=Outcome.CRITICISM)


def test_tick_marks_overdue_from_the_day_after_the_deadline(case):
    assert services.cases_tick(today=date(2024, 3, 1)) == 0
    assert services.cases_tick(today=date(2024, 3, 2)) == 1
    case.refresh_from_db()
    assert case.overdue_since == date(2024, 3, 2)


def test_tick_twice_sends_no_duplicate_notifications(case, rita, cora):
    services.cases_tick(today=date(2024, 3, 2))
    services.cases_tick(today=date(2024, 3, 3))
    key = f"case:{case.pk}:overdue:2024-03-01"
    assert Notification.objects.filter(key=key, user=rita).count() == 1
    assert Notification.objects.filter(key=key, user=cora).count() == 1
    assert Event.objects.filter(action="accountability.overdue").count() == 1


def test_tick_respects_the_extension(case, cora):
    services.case_extend(acting_user=cora, case=case, until=date(2024, 4, 30), reason="特殊情况")
    assert services.cases_tick(today=date(2024, 4, 30)) == 0
    assert services.cases_tick(today=date(2024, 5, 1)) == 1


def test_tick_ignores_closed_cases(case, rita):
    services.case_close(acting_user=rita, case=case, outcome=Outcome.CRITICISM)
    assert services.cases_tick(today=date(2024, 6, 1)) == 0


def test_discovered_on_unchanged_by_extension(case, cora):
    services.case_extend(acting_user=cora, case=case, until=date(2024, 4, 1), reason="特殊情况")
    case.refresh_from_db()
    assert (case.discovered_on, case.due_on) == (DISCOVERED_ON, date(2024, 3, 1))
