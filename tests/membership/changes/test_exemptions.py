"""Exemption from scoring (免于积分评星): application, branch decision, filing upward, effect on approval."""

from datetime import date

import pytest

from audit.filings import services as filings
from audit.filings.models import Filing, FilingKind
from branches.scoping import Role
from branches.services import grant_role
from membership.changes import services
from membership.changes.models import ApplicationSource, ExemptionStatus
from membership.selectors import member_list
from partyadmin.errors import RuleViolation
from tests.conftest import make_org
from tests.membership.factories import MemberFactory

from .conftest import TODAY, decide

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(alice, member):
    return services.exemption_apply(acting_user=alice, member=member, reason_kind="elderly",
                                    reason="82岁，卧病在床，无法参加组织生活", applied_on=date(2026, 7, 1),
                                    source=ApplicationSource.SECRETARY)


@pytest.fixture
def filed(application, alice):
    return services.exemption_decide(acting_user=alice, exemption=application, agreed=True, body="committee",
                                     decided_on=date(2026, 7, 10))


def test_branch_agreement_files_a_record_with_the_approving_committee(filed, town):
    """seed 001 第七条: "经本人申请,党支部研究同意,并报上级党(工)委(指具有发展党员审批权限的党委、工委,下同)备案"."""
    filing = Filing.objects.get(pk=filed.filing_id)
    assert filing.kind == FilingKind.RECORD and filing.to_organization == town
    assert filed.status == ExemptionStatus.FILED
    filed.member.refresh_from_db()
    assert not filed.member.is_exempt


def test_approval_of_the_filing_exempts_the_member(filed, rita, alice):
    """seed 000: "年老体弱、长期患病、行动不便等有特殊情况的党员，经本人申请、党支部研究同意，可不参加"."""
    decide(filed.filing_id, rita)
    filed.refresh_from_db()
    filed.member.refresh_from_db()
    assert filed.status == ExemptionStatus.APPROVED and filed.effective_on == TODAY
    assert filed.member.is_exempt and filed.member.exempt_reason.startswith("年老体弱")
    assert filed.member in member_list(user=alice, exempt=True)


def test_a_returned_filing_can_be_resubmitted_and_then_approved(filed, rita, alice):
    decide(filed.filing_id, rita, decision="return", opinion="请附本人申请书")
    filed.refresh_from_db()
    assert filed.status == ExemptionStatus.RETURNED and filed.filing_opinion == "请附本人申请书"
    filings.filing_resubmit(acting_user=alice, filing=Filing.objects.get(pk=filed.filing_id), note="已附申请书",
                            today=TODAY)
    decide(filed.filing_id, rita)
    filed.refresh_from_db()
    assert filed.status == ExemptionStatus.APPROVED and filed.member.is_exempt


def test_a_branch_without_committee_decides_by_general_meeting(alice, town, county):
    """seed 000: "不设支部委员会的由支部大会"; seed 001: "由本人提出申请…经支部大会同意,可不参加党员积分制管理"."""
    small = make_org(town, "小村党支部", "C01T01B09", "branch", has_committee=False)
    grant_role(acting_user=None, user=alice, organization=small, role=Role.SECRETARY)
    elder = MemberFactory(organization=small)
    exemption = services.exemption_apply(acting_user=alice, member=elder, reason_kind="illness", reason="长期住院",
                                         applied_on=date(2026, 7, 1), source=ApplicationSource.SECRETARY)
    with pytest.raises(RuleViolation) as error:
        services.exemption_decide(acting_user=alice, exemption=exemption, agreed=True, body="committee",
                                  decided_on=date(2026, 7, 10))
    assert error.value.code == "decision.no_committee"
    services.exemption_decide(acting_user=alice, exemption=exemption, agreed=True, body="general_meeting",
                              decided_on=date(2026, 7, 10))


def test_a_refusal_needs_a_reason_and_files_nothing(application, alice):
    with pytest.raises(RuleViolation):
        services.exemption_decide(acting_user=alice, exemption=application, agreed=False, body="committee",
                                  decided_on=date(2026, 7, 10))
    services.exemption_decide(acting_user=alice, exemption=application, agreed=False, body="committee",
                              decided_on=date(2026, 7, 10), note="本人能正常参加组织生活")
    assert application.status == ExemptionStatus.REJECTED and not Filing.objects.exists()


def test_the_decision_cannot_be_taken_twice(filed, alice):
    with pytest.raises(RuleViolation) as error:
        services.exemption_decide(acting_user=alice, exemption=filed, agreed=True, body="committee",
                                  decided_on=date(2026, 7, 10))
    assert error.value.code == "exemption.not_applied"


def test_one_pending_application_per_member(application, alice, member):
    with pytest.raises(RuleViolation) as error:
        services.exemption_apply(acting_user=alice, member=member, reason_kind="elderly", reason="再次申请",
                                 applied_on=date(2026, 7, 2), source=ApplicationSource.SECRETARY)
    assert error.value.code == "exemption.pending"


def test_ending_the_exemption_brings_the_member_back(filed, rita, alice):
    decide(filed.filing_id, rita)
    filed.refresh_from_db()
    services.exemption_end(acting_user=alice, exemption=filed, ended_on=TODAY, reason="身体康复，本人要求参加")
    filed.member.refresh_from_db()
    assert not filed.member.is_exempt and filed.status == ExemptionStatus.ENDED


def test_the_decision_cannot_predate_the_application(application, alice):
    with pytest.raises(RuleViolation) as error:
        services.exemption_decide(acting_user=alice, exemption=application, agreed=True, body="committee",
                                  decided_on=date(2026, 6, 1))
    assert error.value.code == "decision.too_early"
