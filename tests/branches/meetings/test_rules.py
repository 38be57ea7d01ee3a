"""Meeting rules as pure functions: frequencies (seed 004), periods, due/overdue at the boundaries, late entry,
attendee lists."""

import random
from datetime import date, timedelta

import pytest

from branches.meetings import rules
from branches.meetings.rules import AttendanceStatus, Frequency, MeetingType, SlotStatus
from partyadmin.errors import RuleViolation

YEAR_2024 = rules.parse_period("2024")
Q1_2024 = rules.parse_period("2024-Q1")


def required_in(window: rules.Period, meeting_type: str, *, groups: int = 1, has_committee: bool = True) -> int:
    frequency = rules.DEFAULT_FREQUENCIES[meeting_type]
    units = rules.unit_count(meeting_type, has_committee=has_committee, group_count=groups)
    return units * len(rules.slots_for(window, frequency))


# --- frequencies per type (seed 004) --------------------------------------------------------------------


def test_general_meeting_is_required_once_a_quarter():
    """seed 004 二(三)1: "一般每三个月召开一次支部党员大会,讨论或决定本支部的重大问题。" """
    assert rules.DEFAULT_FREQUENCIES[MeetingType.GENERAL_MEETING] == Frequency.QUARTER
    assert required_in(YEAR_2024, MeetingType.GENERAL_MEETING) == 4
    assert required_in(Q1_2024, MeetingType.GENERAL_MEETING) == 1


def test_committee_meeting_is_required_every_month():
    """seed 004 二(三)1: "支委会一般每个月召开一次,负责领导和处理支部日常工作。" """
    assert rules.DEFAULT_FREQUENCIES[MeetingType.COMMITTEE_MEETING] == Frequency.MONTH
    assert required_in(YEAR_2024, MeetingType.COMMITTEE_MEETING) == 12
    assert required_in(Q1_2024, MeetingType.COMMITTEE_MEETING) == 3


def test_group_meeting_is_required_every_month_of_each_party_group():
    """seed 004 二(三)1: "党小组会一般每月召开一次,围绕党的中心工作和支部近期工作开展讨论。" """
    assert rules.DEFAULT_FREQUENCIES[MeetingType.GROUP_MEETING] == Frequency.MONTH
    assert required_in(Q1_2024, MeetingType.GROUP_MEETING, groups=2) == 6
    assert required_in(Q1_2024, MeetingType.GROUP_MEETING, groups=0) == 0


def test_party_lecture_is_required_once_a_quarter():
    """seed 004 二(三)1: "党课一般每三个月安排一次" """
    assert rules.DEFAULT_FREQUENCIES[MeetingType.PARTY_LECTURE] == Frequency.QUARTER
    assert required_in(YEAR_2024, MeetingType.PARTY_LECTURE) == 4


def test_org_life_meeting_is_required_every_half_year_and_judged_over_the_whole_half():
    """seed 004 二(三)2: "党支部一般每半年召开一次党支部或党小组组织生活会" """
    assert rules.DEFAULT_FREQUENCIES[MeetingType.ORG_LIFE_MEETING] == Frequency.HALF
    assert required_in(YEAR_2024, MeetingType.ORG_LIFE_MEETING) == 2
    assert rules.slots_for(Q1_2024, Frequency.HALF) == [rules.parse_period("2024-H1")]
    assert rules.coverage_range(Q1_2024, Frequency.HALF) == (date(2024, 1, 1), date(2024, 6, 30))


def test_democratic_evaluation_is_required_once_a_year():
    """seed 004 二(二)4: "党支部每年要开展一次民主评议党员工作" """
    assert rules.DEFAULT_FREQUENCIES[MeetingType.DEMOCRATIC_EVALUATION] == Frequency.YEAR
    assert required_in(YEAR_2024, MeetingType.DEMOCRATIC_EVALUATION) == 1
    assert rules.slots_for(Q1_2024, Frequency.YEAR) == [YEAR_2024]


def test_theme_day_is_required_every_month():
    """seed 004 二(三)1: "要将“统一活动日”等工作要求融入到“三会一课”中" — the monthly 主题党日 of seed 000."""
    assert rules.DEFAULT_FREQUENCIES[MeetingType.THEME_DAY] == Frequency.MONTH
    assert required_in(YEAR_2024, MeetingType.THEME_DAY) == 12


def test_branch_without_committee_owes_no_committee_meeting():
    """seed 000: "不设支部委员会的由支部大会" decides what the committee would."""
    assert required_in(Q1_2024, MeetingType.COMMITTEE_MEETING, has_committee=False) == 0
    assert rules.unit_count(MeetingType.GENERAL_MEETING, has_committee=False, group_count=0) == 1


def test_tenant_frequency_overrides_lie_over_the_defaults():
    frequencies = rules.effective_frequencies({"theme_day": "quarter", "party_lecture": "none", "bogus": "month",
                                               "general_meeting": "weekly"})
    assert frequencies[MeetingType.THEME_DAY] == Frequency.QUARTER
    assert frequencies[MeetingType.PARTY_LECTURE] == Frequency.NONE
    assert frequencies[MeetingType.GENERAL_MEETING] == Frequency.QUARTER  # unknown frequency ignored
    assert "bogus" not in frequencies
    assert rules.slots_for(Q1_2024, Frequency.NONE) == []


# --- periods --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("day", "kind", "key", "label", "end"), [
    (date(2024, 2, 29), Frequency.MONTH, "2024-02", "2024年2月", date(2024, 2, 29)),
    (date(2024, 3, 31), Frequency.QUARTER, "2024-Q1", "2024年第一季度", date(2024, 3, 31)),
    (date(2024, 4, 1), Frequency.QUARTER, "2024-Q2", "2024年第二季度", date(2024, 6, 30)),
    (date(2024, 6, 30), Frequency.HALF, "2024-H1", "2024年上半年", date(2024, 6, 30)),
    (date(2024, 7, 1), Frequency.HALF, "2024-H2", "2024年下半年", date(2024, 12, 31)),
    (date(2024, 12, 31), Frequency.YEAR, "2024", "2024年", date(2024, 12, 31)),
])
def test_periods_are_calendar_aligned(day, kind, key, label, end):
    period = rules.period_of(day, kind)
    assert (period.key, period.label, period.end) == (key, label, end)
    assert rules.parse_period(key) == period


def test_unknown_period_key_is_refused():
    with pytest.raises(ValueError, match="无法识别"):
        rules.parse_period("2024-Q5")


def test_previous_and_next_period_cross_the_year():
    q1 = rules.parse_period("2025-Q1")
    assert rules.previous_period(q1).key == "2024-Q4"
    assert rules.next_period(rules.previous_period(q1)) == q1


# --- due and overdue at period boundaries ---------------------------------------------------------------


def _slots(meeting_type: str, window: rules.Period, dates: list[date], today: date, **units: list[date]):
    return rules.slots_from_dates(meeting_type=meeting_type, frequency=rules.DEFAULT_FREQUENCIES[meeting_type],
                                  window=window, units=units or {"支部": dates}, today=today)


def test_monthly_meeting_is_due_on_the_last_day_and_overdue_the_next():
    march = rules.parse_period("2024-03")
    [on_last_day] = _slots(MeetingType.COMMITTEE_MEETING, march, [], date(2024, 3, 31))
    [next_day] = _slots(MeetingType.COMMITTEE_MEETING, march, [], date(2024, 4, 1))
    assert on_last_day.status == SlotStatus.DUE
    assert next_day.status == SlotStatus.OVERDUE


def test_meeting_on_the_last_day_of_a_quarter_counts_for_that_quarter_only():
    held = [date(2024, 3, 31)]
    [q1] = _slots(MeetingType.GENERAL_MEETING, Q1_2024, held, date(2024, 4, 1))
    [q2] = _slots(MeetingType.GENERAL_MEETING, rules.parse_period("2024-Q2"), held, date(2024, 7, 1))
    assert q1.status == SlotStatus.HELD
    assert q2.status == SlotStatus.OVERDUE


def test_future_slots_are_upcoming_not_overdue():
    slots = _slots(MeetingType.COMMITTEE_MEETING, YEAR_2024, [date(2024, 1, 9)], date(2024, 2, 10))
    assert [s.status for s in slots[:3]] == [SlotStatus.HELD, SlotStatus.DUE, SlotStatus.UPCOMING]


def test_three_committee_meetings_in_one_month_do_not_cover_the_quarter():
    """seed 004 二(三)1: "支委会一般每个月召开一次" — each month on its own."""
    held = [date(2024, 1, 5), date(2024, 1, 15), date(2024, 1, 25)]
    compliance = rules.summarize(meeting_type=MeetingType.COMMITTEE_MEETING, frequency=Frequency.MONTH,
                                 slots=_slots(MeetingType.COMMITTEE_MEETING, Q1_2024, held, date(2024, 4, 1)),
                                 meetings=3)
    assert (compliance.required, compliance.held, compliance.overdue) == (3, 1, 2)
    assert compliance.status == SlotStatus.OVERDUE


def test_group_meeting_names_the_party_groups_that_missed_it():
    [slot] = _slots(MeetingType.GROUP_MEETING, rules.parse_period("2024-02"), [], date(2024, 3, 1),
                    第一党小组=[date(2024, 2, 20)], 第二党小组=[])
    assert (slot.required, slot.held, slot.missing, slot.status) == (2, 1, ("第二党小组",), SlotStatus.OVERDUE)


def test_half_yearly_org_life_in_the_first_quarter_is_due_not_overdue():
    compliance = rules.compliance_from_counts(
        meeting_type=MeetingType.ORG_LIFE_MEETING, frequency=Frequency.HALF, window=Q1_2024, units=1, covered=0,
        covered_closed=0, meetings=0, today=date(2024, 4, 15),
    )
    assert (compliance.required, compliance.overdue, compliance.due, compliance.status) == (1, 0, 1, SlotStatus.DUE)


def test_counts_give_the_same_compliance_as_dates():
    """The county view counts with one GROUP BY; the branch calendar walks dates: they must agree."""
    rng = random.Random(20240315)
    windows = [rules.parse_period(k) for k in ("2024-Q1", "2024-Q3", "2024-H2", "2024", "2024-05")]
    for _ in range(400):
        window = rng.choice(windows)
        frequency = rng.choice([Frequency.MONTH, Frequency.QUARTER, Frequency.HALF, Frequency.YEAR])
        today = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 420))
        units = {
            f"u{i}": [d for d in (date(2024, 1, 1) + timedelta(days=rng.randrange(0, 366)) for _ in range(rng.randrange(4)))
                      if d <= today]
            for i in range(rng.randrange(0, 3))
        }
        slots = rules.slots_from_dates(meeting_type=MeetingType.THEME_DAY, frequency=frequency, window=window,
                                       units=units, today=today)
        expected = rules.summarize(meeting_type=MeetingType.THEME_DAY, frequency=frequency, slots=slots, meetings=0)
        start, end = rules.coverage_range(window, frequency)
        closed = [s for s in rules.slots_for(window, frequency) if s.end < today]
        covered = sum(len({rules.period_of(d, frequency) for d in days if start <= d <= end}) for days in units.values())
        covered_closed = sum(len({rules.period_of(d, frequency) for d in days if closed and start <= d <= closed[-1].end})
                             for days in units.values())
        counted = rules.compliance_from_counts(
            meeting_type=MeetingType.THEME_DAY, frequency=frequency, window=window, units=len(units), covered=covered,
            covered_closed=covered_closed, meetings=0, today=today,
        )
        assert counted == expected, (window, frequency, today, units)


# --- entry: future, late, refused -----------------------------------------------------------------------


def test_meeting_dated_in_the_future_is_refused():
    with pytest.raises(RuleViolation) as error:
        rules.check_entry(held_on=date(2024, 3, 16), entered_on=date(2024, 3, 15), late_days=7, refuse_late=False)
    assert error.value.code == "meeting.future"


def test_entry_more_than_n_days_after_the_meeting_is_marked_late():
    """DESIGN §3.3: "a meeting entered more than N days after it was held is marked late"."""
    assert rules.check_entry(held_on=date(2024, 3, 7), entered_on=date(2024, 3, 15), late_days=7,
                             refuse_late=False) is True
    assert rules.check_entry(held_on=date(2024, 3, 8), entered_on=date(2024, 3, 15), late_days=7,
                             refuse_late=False) is False


def test_late_entry_is_refused_outright_where_the_policy_says_so():
    """DESIGN §3.3: "some provincial platforms refuse it outright"."""
    with pytest.raises(RuleViolation) as error:
        rules.check_entry(held_on=date(2024, 3, 1), entered_on=date(2024, 3, 15), late_days=7, refuse_late=True)
    assert error.value.code == "meeting.late_refused"
    assert "14天" in error.value.message
    assert rules.check_entry(held_on=date(2024, 3, 10), entered_on=date(2024, 3, 15), late_days=7,
                             refuse_late=True) is False


# --- attendance and organization kind -------------------------------------------------------------------


def test_attendance_for_someone_off_the_list_is_refused_without_naming_them():
    with pytest.raises(RuleViolation) as error:
        rules.check_attendance(statuses={1: AttendanceStatus.PRESENT, 99: AttendanceStatus.ABSENT}, expected={1, 2})
    assert error.value.code == "attendance.foreign_member"
    assert "99" not in error.value.message


def test_unknown_attendance_status_is_refused():
    with pytest.raises(RuleViolation) as error:
        rules.check_attendance(statuses={1: "late"}, expected={1})
    assert error.value.code == "attendance.bad_status"


def test_attendance_statuses_keep_official_and_private_leave_apart():
    """seed 001 第九条: "党员因公请假 6 次及以下的不扣分,6 次以上每次扣 2 分;因私请假 4 次及以下的,每次扣 1 分" """
    assert set(rules.ATTENDANCE_STATUS_LABELS) == {"present", "leave_official", "leave_private", "absent"}


def test_group_meeting_is_held_by_a_party_group():
    with pytest.raises(RuleViolation) as error:
        rules.check_organization_kind(meeting_type=MeetingType.GROUP_MEETING, organization_kind="branch")
    assert error.value.code == "meeting.group_needs_group"
    rules.check_organization_kind(meeting_type=MeetingType.GROUP_MEETING, organization_kind="party_group")


def test_org_life_meeting_may_be_held_by_a_party_group_but_a_general_meeting_may_not():
    """seed 004 二(三)2: "党支部一般每半年召开一次党支部或党小组组织生活会" """
    rules.check_organization_kind(meeting_type=MeetingType.ORG_LIFE_MEETING, organization_kind="party_group")
    with pytest.raises(RuleViolation):
        rules.check_organization_kind(meeting_type=MeetingType.GENERAL_MEETING, organization_kind="party_group")
    with pytest.raises(RuleViolation):
        rules.check_organization_kind(meeting_type=MeetingType.GENERAL_MEETING, organization_kind="committee")
