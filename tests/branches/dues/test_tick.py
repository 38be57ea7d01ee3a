"""The daily dues step: reminders for 3 months owed, a self-lapse flag for 6 consecutive unpaid months."""

from datetime import date

import pytest

from audit.notifications.models import Notification
from branches.dues import services
from branches.dues.models import DuesLapseFlag, LapseResolution
from partyadmin.jobs import daily_steps

from .conftest import TODAY, pay, set_base

pytestmark = pytest.mark.django_db


def test_dues_and_terms_steps_are_registered_daily():
    names = [step.name for step in daily_steps()]
    assert "dues_tick" in names and "terms_tick" in names


def test_six_consecutive_unpaid_months_flag_a_lapse_candidate_once(alice, member):
    """seed 001: "没有正当理由,连续 6 个月不交纳党费的 … 视为自动脱党" — flagged once, notified once."""
    set_base(member)  # January to June 2026 unpaid on 15 July
    first = services.dues_tick(today=TODAY)
    second = services.dues_tick(today=TODAY)
    flag = DuesLapseFlag.objects.get(member=member)
    assert (flag.since_month, flag.months_unpaid, flag.resolved) == (date(2026, 1, 1), 6, False)
    assert (first["flagged"], second["flagged"]) == (1, 0)
    assert Notification.objects.filter(user=alice, key=f"dues:lapse:{flag.pk}").count() == 1


def test_five_unpaid_months_raise_no_flag(alice, member):
    set_base(member)
    pay(member, 1)
    services.dues_tick(today=TODAY)
    assert not DuesLapseFlag.objects.exists()


def test_owing_three_months_reminds_the_secretary_once_a_month(alice, bob, member):
    set_base(member)
    pay(member, 1, 3)  # April to June owed
    services.dues_tick(today=TODAY)
    services.dues_tick(today=date(2026, 7, 20))
    reminders = Notification.objects.filter(key=f"dues:owing:{member.organization_id}:2026-06")
    assert [n.user for n in reminders] == [alice]  # the secretary, not the committee member
    assert "张党员（3个月）" in reminders.get().body
    services.dues_tick(today=date(2026, 8, 3))  # July now owed too: a new month, a new reminder
    assert Notification.objects.filter(user=alice, kind="dues").count() == 2


def test_owing_two_months_is_not_reminded(alice, member):
    set_base(member)
    pay(member, 1, 4)
    assert services.dues_tick(today=TODAY)["reminded"] == 0
    assert not Notification.objects.exists()


def test_the_secretary_of_another_branch_is_not_told(charlie, alice, member):
    set_base(member)
    services.dues_tick(today=TODAY)
    assert not Notification.objects.filter(user=charlie).exists()


def test_paying_up_resolves_the_flag(alice, member):
    set_base(member)
    services.dues_tick(today=TODAY)
    pay(member, 1, 6)
    counts = services.dues_tick(today=TODAY)
    flag = DuesLapseFlag.objects.get(member=member)
    assert (counts["resolved"], flag.resolved, flag.resolution) == (1, True, LapseResolution.PAID_UP)


def test_a_run_found_justified_is_not_flagged_again(alice, member):
    """seed 001: only "没有正当理由" makes a lapse: a run the branch found justified stays settled."""
    set_base(member)
    services.dues_tick(today=TODAY)
    services.dues_lapse_flag_resolve(acting_user=alice, flag=DuesLapseFlag.objects.get(),
                                     resolution=LapseResolution.JUSTIFIED, note="长期住院", today=TODAY)
    services.dues_tick(today=date(2026, 8, 3))
    assert not DuesLapseFlag.objects.filter(resolved=False).exists()


def test_a_new_run_after_paying_up_is_flagged_again(alice, member):
    set_base(member, year=2025)
    set_base(member)
    services.dues_tick(today=date(2025, 7, 15))
    pay(member, 1, 12, year=2025)
    services.dues_tick(today=TODAY)  # paid up to December 2025, then January to June 2026 unpaid
    flags = DuesLapseFlag.objects.filter(member=member).order_by("pk")
    assert [(f.since_month, f.resolved) for f in flags] == [(date(2025, 1, 1), True), (date(2026, 1, 1), False)]


def test_justified_resolution_needs_a_note(alice, member):
    from partyadmin.errors import RuleViolation

    set_base(member)
    services.dues_tick(today=TODAY)
    with pytest.raises(RuleViolation):
        services.dues_lapse_flag_resolve(acting_user=alice, flag=DuesLapseFlag.objects.get(),
                                         resolution=LapseResolution.JUSTIFIED, note="", today=TODAY)
