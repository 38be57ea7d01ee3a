"""Status changes: probationary → full, death, and no hard delete, ever."""

from datetime import date

import pytest
from django.contrib import admin
from django.test import RequestFactory

from membership.changes import services
from membership.changes.models import StatusChange, StatusChangeKind, Transfer, TransferStatus
from membership.models import HardDeleteRefused, Member, Person
from partyadmin.errors import RuleViolation
from tests.membership.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def due_for_conversion(branch_a):
    """Joined 2025-06-01: the probation year ended on 2026-06-01."""
    return MemberFactory(organization=branch_a, joined_on=date(2025, 6, 1), status="probationary",
                         person__name="王转正")


def test_make_full_dates_the_membership_from_the_end_of_probation(alice, due_for_conversion):
    """党章第七条: "党员的党龄，从预备期满转为正式党员之日算起"."""
    member = services.member_make_full(acting_user=alice, member=due_for_conversion, meeting_on=date(2026, 6, 10),
                                       approved_on=date(2026, 7, 1), approval="城关镇党委批复")
    member.refresh_from_db()
    assert member.status == "full" and member.full_on == date(2026, 6, 1)
    change = StatusChange.objects.get(member=member)
    assert change.kind == StatusChangeKind.MADE_FULL and "城关镇党委批复" in change.details


def test_make_full_is_refused_before_the_probation_year_is_over(alice, probationary):
    with pytest.raises(RuleViolation) as error:
        services.member_make_full(acting_user=alice, member=probationary, meeting_on=date(2026, 7, 1),
                                  approved_on=date(2026, 7, 10))
    assert error.value.code == "member.probation_not_over"


def test_make_full_is_refused_for_a_full_member(alice, member):
    with pytest.raises(RuleViolation) as error:
        services.member_make_full(acting_user=alice, member=member, meeting_on=date(2026, 7, 1),
                                  approved_on=date(2026, 7, 10))
    assert error.value.code == "member.not_probationary"


def test_make_full_waits_for_an_open_disposal(alice, due_for_conversion):
    services.disposal_open(acting_user=alice, member=due_for_conversion, measure="rectify_deadline",
                           finding_on=date(2026, 7, 1), finding="不履行党员义务")
    with pytest.raises(RuleViolation) as error:
        services.member_make_full(acting_user=alice, member=due_for_conversion, meeting_on=date(2026, 6, 10),
                                  approved_on=date(2026, 7, 1))
    assert error.value.code == "member.disposal_open"


def test_death_takes_the_member_out_of_the_register(alice, member, branch_b):
    transfer = services.transfer_request(acting_user=alice, member=member, to_organization=branch_b, reason="调动")
    flow = services.flow_register(acting_user=alice, member=member, direction="flow_in", other_organization="外地党委",
                                  started_on=date(2026, 1, 1))
    services.member_record_death(acting_user=alice, member=member, died_on=date(2026, 7, 10), note="病故")
    member.refresh_from_db()
    flow.refresh_from_db()
    assert not member.is_active and flow.returned_on == date(2026, 7, 10)
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.CANCELLED
    assert StatusChange.objects.filter(member=member, kind=StatusChangeKind.DECEASED,
                                       effective_on=date(2026, 7, 10)).exists()


def test_death_date_cannot_be_in_the_future(alice, member):
    with pytest.raises(RuleViolation) as error:
        services.member_record_death(acting_user=alice, member=member, died_on=date(2026, 7, 16))
    assert error.value.field == "died_on"


def test_a_member_is_never_deleted(member):
    with pytest.raises(HardDeleteRefused):
        member.delete()
    with pytest.raises(HardDeleteRefused):
        Member.objects.filter(pk=member.pk).delete()
    assert Member.objects.filter(pk=member.pk).exists()


def test_a_person_is_never_deleted(member):
    with pytest.raises(HardDeleteRefused):
        member.person.delete()
    with pytest.raises(HardDeleteRefused):
        Person.objects.all().delete()
    assert Person.objects.filter(pk=member.person_id).exists()


@pytest.mark.parametrize("model", [Member, Person])
def test_the_admin_cannot_delete_people_or_members(admin_user, model):
    request = RequestFactory().get("/")
    request.user = admin_user
    assert not admin.site._registry[model].has_delete_permission(request)
