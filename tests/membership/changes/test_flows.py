"""Floating members (流动党员): registration, reports, the daily reminders and the transfer prompt."""

from datetime import date

import pytest

from audit.notifications.models import Notification
from membership.changes import services
from membership.changes.models import FlowRecord
from membership.selectors import member_list
from partyadmin.errors import RuleViolation
from partyadmin.jobs import daily_steps

from .conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def flow(alice, member):
    return services.flow_register(acting_user=alice, member=member, direction="flow_out",
                                  other_organization="苏州工业园区某公司党委", place="江苏苏州",
                                  certificate_no="LD2026001", started_on=date(2026, 1, 5), fixed_place=True)


def test_registration_shows_on_the_register(flow, alice, member):
    member.refresh_from_db()
    assert (member.flow, member.flow_organization, member.flow_certificate_no) == (
        "flow_out", "苏州工业园区某公司党委", "LD2026001")
    assert member in member_list(user=alice, flow="floating")


def test_return_ends_the_flow_and_clears_the_register(flow, alice, member):
    services.flow_end(acting_user=alice, flow=flow, returned_on=date(2026, 7, 1), note="返乡")
    member.refresh_from_db()
    assert member.flow == "none" and member.flow_organization == ""
    with pytest.raises(RuleViolation):
        services.flow_end(acting_user=alice, flow=flow, returned_on=date(2026, 7, 2))


def test_a_member_has_one_open_flow(flow, alice, member):
    with pytest.raises(RuleViolation) as error:
        services.flow_register(acting_user=alice, member=member, direction="flow_out", other_organization="x",
                               started_on=date(2026, 3, 1))
    assert error.value.code == "flow.already_open"


def test_the_other_organization_is_required(alice, member):
    with pytest.raises(RuleViolation) as error:
        services.flow_register(acting_user=alice, member=member, direction="flow_out", other_organization=" ",
                               started_on=date(2026, 3, 1))
    assert error.value.field == "other_organization"


def test_report_reminder_in_june_without_a_report(flow, alice, bob):
    """seed 001 第十一条: "每年至少向原所在村党组织汇报两次外出期间的思想、工作和参加党的组织生活等情况"."""
    counts = services.flow_tick(today=date(2026, 6, 2))
    assert counts["report_reminders"] == 1
    assert set(Notification.objects.filter(key=f"flow:{flow.pk}:report:2026H1").values_list("user__username", flat=True)) \
        == {"alice", "bob"}


def test_report_reminders_are_never_sent_twice(flow, alice):
    services.flow_tick(today=date(2026, 6, 2))
    before = Notification.objects.count()
    assert services.flow_tick(today=date(2026, 6, 3)) == {"report_reminders": 0, "transfer_prompts": 0}
    assert Notification.objects.count() == before


def test_the_member_is_reminded_too(flow, mary_for):
    user = mary_for(flow.member)
    services.flow_tick(today=date(2026, 6, 2))
    assert Notification.objects.filter(user=user, key__startswith=f"flow:{flow.pk}:report").exists()


def test_no_reminder_when_the_half_year_has_a_report(flow, alice):
    services.flow_report_add(acting_user=alice, flow=flow, reported_on=date(2026, 3, 10),
                             content="在苏州工作，参加了流入地党组织的主题党日。", today=TODAY)
    assert services.flow_tick(today=date(2026, 6, 2))["report_reminders"] == 0


def test_six_months_in_a_fixed_place_prompts_a_transfer_once(flow, alice):
    """seed 001 第十一条: "党员外出时间较长的(6 个月以上),且工作地点固定…一般应将组织关系转入工作单位"."""
    assert services.flow_tick(today=date(2026, 7, 4))["transfer_prompts"] == 0
    assert services.flow_tick(today=date(2026, 7, 5))["transfer_prompts"] == 1
    assert services.flow_tick(today=date(2026, 7, 6))["transfer_prompts"] == 0
    assert Notification.objects.filter(user=alice, key=f"flow:{flow.pk}:transfer_prompt").count() == 1


def test_no_transfer_prompt_without_a_fixed_place(alice, member):
    services.flow_register(acting_user=alice, member=member, direction="flow_out", other_organization="各地工地",
                           started_on=date(2025, 1, 5), fixed_place=False)
    assert services.flow_tick(today=TODAY)["transfer_prompts"] == 0


def test_a_report_cannot_predate_the_outflow(flow, alice):
    with pytest.raises(RuleViolation) as error:
        services.flow_report_add(acting_user=alice, flow=flow, reported_on=date(2025, 12, 1), content="x", today=TODAY)
    assert error.value.code == "flow.report_before_start"


def test_flow_tick_is_a_daily_step():
    assert "flow_tick" in {step.name for step in daily_steps()}
    assert "disposal_tick" in {step.name for step in daily_steps()}


def test_update_records_the_certificate_issued_later(alice, member):
    flow = services.flow_register(acting_user=alice, member=member, direction="flow_out", other_organization="x",
                                  started_on=date(2026, 5, 1), ends_on=date(2026, 9, 1))
    services.flow_update(acting_user=alice, flow=flow, certificate_no="LD-7", ends_on=date(2026, 10, 1),
                         fixed_place=False)
    member.refresh_from_db()
    assert member.flow_certificate_no == "LD-7"
    assert FlowRecord.objects.get(pk=flow.pk).ends_on == date(2026, 10, 1)
