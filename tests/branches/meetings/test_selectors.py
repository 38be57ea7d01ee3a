"""Meeting reads: the attendance interface scoring reads, the branch calendar (due and overdue), and the
county compliance report in a fixed number of queries."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from branches import services as org_services
from branches.meetings import policies, selectors
from branches.meetings.rules import AttendanceStatus, MeetingType, SlotStatus, parse_period
from branches.models import OrganizationKind
from tests.conftest import make_org
from tests.membership.factories import MemberFactory

from .factories import all_present, record

pytestmark = pytest.mark.django_db


# --- attendance for scoring ------------------------------------------------------------------------------


@pytest.fixture
def attended(branch_a, branch_b, group, members, member_b):
    """Branch A: a general meeting in January and a group meeting in February (one voided lecture);
    branch B: one general meeting."""
    general = record(branch_a, MeetingType.GENERAL_MEETING, date(2024, 1, 10), today=date(2024, 1, 10), attendance={
        members[0].pk: AttendanceStatus.PRESENT, members[1].pk: AttendanceStatus.ABSENT,
        members[2].pk: AttendanceStatus.LEAVE_OFFICIAL, members[3].pk: AttendanceStatus.LEAVE_PRIVATE,
    })
    grouped = record(group, MeetingType.GROUP_MEETING, date(2024, 2, 5), today=date(2024, 2, 5), attendance={
        members[0].pk: AttendanceStatus.PRESENT, members[1].pk: AttendanceStatus.ABSENT,
    })
    voided = record(branch_a, MeetingType.PARTY_LECTURE, date(2024, 2, 6), today=date(2024, 2, 6),
                    attendance=all_present(members))
    from branches.meetings import services

    services.meeting_void(acting_user=None, meeting=voided, reason="重复录入")
    record(branch_b, MeetingType.GENERAL_MEETING, date(2024, 1, 12), today=date(2024, 1, 12),
           attendance={member_b.pk: AttendanceStatus.ABSENT})
    return general, grouped


def test_attendance_for_a_branch_includes_its_party_groups_and_leaves_out_voided_meetings(branch_a, members, attended):
    rows = list(selectors.attendance_for(organization_ids=[branch_a.pk], start=date(2024, 1, 1), end=date(2024, 3, 31)))
    general, grouped = attended
    assert [(r["member_id"], r["meeting_id"], r["meeting_type"], r["status"], r["held_on"]) for r in rows] == [
        (members[0].pk, general.pk, "general_meeting", "present", date(2024, 1, 10)),
        (members[1].pk, general.pk, "general_meeting", "absent", date(2024, 1, 10)),
        (members[2].pk, general.pk, "general_meeting", "leave_official", date(2024, 1, 10)),
        (members[3].pk, general.pk, "general_meeting", "leave_private", date(2024, 1, 10)),
        (members[0].pk, grouped.pk, "group_meeting", "present", date(2024, 2, 5)),
        (members[1].pk, grouped.pk, "group_meeting", "absent", date(2024, 2, 5)),
    ]


def test_attendance_for_keeps_to_the_period_and_the_county(county, other_county, attended):
    january = selectors.attendance_for(county=county, start=date(2024, 1, 1), end=date(2024, 1, 31))
    assert sorted(r["meeting_type"] for r in january) == ["general_meeting"] * 5  # four in A, one in B
    assert not selectors.attendance_for(county=other_county, start=date(2024, 1, 1), end=date(2024, 12, 31)).exists()


def test_attendance_for_needs_a_scope():
    with pytest.raises(ValueError, match="needs"):
        selectors.attendance_for(start=date(2024, 1, 1), end=date(2024, 1, 31))


def test_attendance_counts_per_member_and_status_in_one_query(members, member_b, attended,
                                                               django_assert_num_queries):
    ids = [m.pk for m in members] + [member_b.pk]
    with django_assert_num_queries(1):
        counts = selectors.attendance_counts(member_ids=ids, start=date(2024, 1, 1), end=date(2024, 12, 31))
    assert counts[members[0].pk] == {"present": 2, "leave_official": 0, "leave_private": 0, "absent": 0}
    assert counts[members[1].pk] == {"present": 0, "leave_official": 0, "leave_private": 0, "absent": 2}
    assert counts[members[3].pk]["leave_private"] == 1
    assert counts[member_b.pk]["absent"] == 1
    only_groups = selectors.attendance_counts(member_ids=ids, start=date(2024, 1, 1), end=date(2024, 12, 31),
                                              meeting_types=[MeetingType.GROUP_MEETING])
    assert only_groups[members[1].pk]["absent"] == 1


# --- the branch calendar ---------------------------------------------------------------------------------


def test_calendar_lists_what_is_due_and_what_is_overdue_after_a_quarter_ends(branch_a, group, group_two, committee):
    """seed 004 二(三)1: "支委会一般每个月召开一次 … 党小组会一般每月召开一次" and "一般每三个月召开一次支部党员大会"."""
    record(branch_a, MeetingType.COMMITTEE_MEETING, date(2024, 1, 8), today=date(2024, 1, 8))
    record(branch_a, MeetingType.COMMITTEE_MEETING, date(2024, 2, 6), today=date(2024, 2, 6))
    record(group, MeetingType.GROUP_MEETING, date(2024, 3, 20), today=date(2024, 3, 20))
    calendar = selectors.branch_calendar(branch=branch_a, today=date(2024, 4, 1))

    overdue = {(s.meeting_type, s.period.key, s.missing) for s in calendar.overdue}
    assert (MeetingType.COMMITTEE_MEETING, "2024-03", ("东街社区党支部",)) in overdue
    assert (MeetingType.GENERAL_MEETING, "2024-Q1", ("东街社区党支部",)) in overdue
    assert (MeetingType.GROUP_MEETING, "2024-03", ("第二党小组",)) in overdue
    assert not any(key == "2024-02" and kind == MeetingType.COMMITTEE_MEETING for kind, key, _ in overdue)
    current = {s.meeting_type: s for s in calendar.current}
    assert current[MeetingType.COMMITTEE_MEETING].period.key == "2024-04"
    assert current[MeetingType.GENERAL_MEETING].period.key == "2024-Q2"
    assert current[MeetingType.ORG_LIFE_MEETING].period.key == "2024-H1"
    assert {s.meeting_type for s in calendar.due_this_month} == {
        MeetingType.COMMITTEE_MEETING, MeetingType.GROUP_MEETING, MeetingType.THEME_DAY,
    }
    assert MeetingType.GENERAL_MEETING in {s.meeting_type for s in calendar.due_this_quarter}


def test_calendar_grid_counts_meetings_per_month(branch_a):
    record(branch_a, MeetingType.THEME_DAY, date(2024, 1, 1), today=date(2024, 1, 1))
    record(branch_a, MeetingType.THEME_DAY, date(2024, 1, 31), today=date(2024, 1, 31))
    calendar = selectors.branch_calendar(branch=branch_a, today=date(2024, 3, 15), year=2024)
    theme = next(row for row in calendar.rows if row.meeting_type == MeetingType.THEME_DAY)
    assert [c.count for c in theme.cells[:3]] == [2, 0, 0]
    assert [c.status for c in theme.cells[:4]] == [SlotStatus.HELD, SlotStatus.OVERDUE, SlotStatus.DUE,
                                                  SlotStatus.UPCOMING]
    assert (theme.compliance.required, theme.compliance.held) == (12, 1)


def test_calendar_follows_the_branch_frequency_policy_and_a_branch_without_committee(branch_a):
    org_services.policy_set(acting_user=None, organization=branch_a, key=policies.MEETING_FREQUENCIES,
                            value={"theme_day": "none"})
    branch_a.has_committee = False
    branch_a.save()
    calendar = selectors.branch_calendar(branch=branch_a, today=date(2024, 4, 1))
    kinds = {s.meeting_type for s in calendar.current + calendar.overdue}
    assert MeetingType.THEME_DAY not in kinds and MeetingType.COMMITTEE_MEETING not in kinds
    assert MeetingType.GROUP_MEETING not in kinds  # no party groups, no 党小组会 owed


def test_overdue_looks_back_twelve_months_across_the_year(branch_a):
    calendar = selectors.branch_calendar(branch=branch_a, today=date(2025, 1, 10))
    keys = {(s.meeting_type, s.period.key) for s in calendar.overdue}
    assert (MeetingType.DEMOCRATIC_EVALUATION, "2024") in keys
    assert (MeetingType.THEME_DAY, "2024-02") in keys
    assert (MeetingType.THEME_DAY, "2023-12") not in keys


# --- county compliance -----------------------------------------------------------------------------------


def _branch_with_meetings(town, n: int):
    branch = make_org(town, f"第{n}党支部", f"C01T01X{n:02d}", OrganizationKind.BRANCH)
    group = make_org(branch, f"第{n}支部党小组", f"C01T01X{n:02d}G", OrganizationKind.PARTY_GROUP)
    MemberFactory(organization=branch, party_group=group)
    record(branch, MeetingType.GENERAL_MEETING, date(2024, 2, 1), today=date(2024, 2, 1))
    record(branch, MeetingType.COMMITTEE_MEETING, date(2024, 1, 15), today=date(2024, 1, 15))
    record(group, MeetingType.GROUP_MEETING, date(2024, 3, 3), today=date(2024, 3, 3))
    return branch


def test_compliance_report_counts_held_against_required_per_branch(rita, branch_a, group, branch_b, town):
    """seed 004 二(三)1 in a quarter: 支部党员大会 1, 支委会 3, 党小组会 3 per group, 党课 1."""
    record(branch_a, MeetingType.COMMITTEE_MEETING, date(2024, 1, 10), today=date(2024, 1, 10))
    record(branch_a, MeetingType.COMMITTEE_MEETING, date(2024, 1, 20), today=date(2024, 1, 20))
    record(branch_a, MeetingType.COMMITTEE_MEETING, date(2024, 3, 20), today=date(2024, 3, 20))
    record(branch_a, MeetingType.ORG_LIFE_MEETING, date(2024, 5, 20), today=date(2024, 5, 20))
    record(group, MeetingType.GROUP_MEETING, date(2024, 2, 20), today=date(2024, 2, 20))
    report = selectors.compliance_report(user=rita, window=parse_period("2024-Q1"), today=date(2024, 6, 1))
    rows = {row.branch.pk: row for row in report.rows}
    a = rows[branch_a.pk].by_type
    assert (a[MeetingType.COMMITTEE_MEETING].held, a[MeetingType.COMMITTEE_MEETING].required) == (2, 3)
    assert a[MeetingType.COMMITTEE_MEETING].meetings == 3
    assert (a[MeetingType.GROUP_MEETING].held, a[MeetingType.GROUP_MEETING].required) == (1, 3)
    assert (a[MeetingType.GENERAL_MEETING].held, a[MeetingType.GENERAL_MEETING].overdue) == (0, 1)
    # The half-year around the quarter is not over on 1 June: held in May, so met.
    assert a[MeetingType.ORG_LIFE_MEETING].status == SlotStatus.HELD
    assert a[MeetingType.DEMOCRATIC_EVALUATION].status == SlotStatus.DUE
    b = rows[branch_b.pk].by_type
    assert b[MeetingType.GROUP_MEETING].required == 0  # branch B has no party groups
    assert rows[branch_a.pk].overdue == 1 + 2 + 1 + 1 + 3  # general, group, committee, lecture, theme day
    assert report.townships == [(town, rows[branch_a.pk].overdue + rows[branch_b.pk].overdue)]


def test_compliance_report_agrees_with_the_branch_calendar(rita, branch_a, group, committee):
    for day in (date(2024, 1, 3), date(2024, 2, 3), date(2024, 2, 4)):
        record(branch_a, MeetingType.COMMITTEE_MEETING, day, today=day)
        record(branch_a, MeetingType.THEME_DAY, day, today=day)
    record(group, MeetingType.ORG_LIFE_MEETING, date(2024, 2, 10), today=date(2024, 2, 10))
    today = date(2024, 3, 10)
    window = parse_period("2024-Q1")
    report = selectors.compliance_report(user=rita, window=window, today=today)
    counted = next(r for r in report.rows if r.branch.pk == branch_a.pk).by_type
    calendar = selectors.branch_calendar(branch=branch_a, today=today, year=2024)
    for row in calendar.rows:
        quarter = [c.status for c in row.cells[:3]]
        if row.meeting_type in (MeetingType.COMMITTEE_MEETING, MeetingType.THEME_DAY):
            assert quarter == [SlotStatus.HELD, SlotStatus.HELD, SlotStatus.DUE]
            assert (counted[row.meeting_type].held, counted[row.meeting_type].due) == (2, 1)
    assert counted[MeetingType.ORG_LIFE_MEETING].status == SlotStatus.HELD  # a party group's 组织生活会 counts


def test_compliance_report_applies_each_branch_frequency_policy(rita, town, branch_a, branch_b):
    org_services.policy_set(acting_user=None, organization=town, key=policies.MEETING_FREQUENCIES,
                            value={"general_meeting": "month"})
    org_services.policy_set(acting_user=None, organization=branch_b, key=policies.MEETING_FREQUENCIES,
                            value={"general_meeting": "year"})
    report = selectors.compliance_report(user=rita, window=parse_period("2024-Q1"), today=date(2024, 6, 1))
    required = {r.branch.pk: r.by_type[MeetingType.GENERAL_MEETING].required for r in report.rows}
    assert required == {branch_a.pk: 3, branch_b.pk: 1}


def test_compliance_report_shows_only_branches_in_scope(charlie, branch_a, branch_b):
    report = selectors.compliance_report(user=charlie, window=parse_period("2024-Q1"), today=date(2024, 6, 1))
    assert [r.branch.pk for r in report.rows] == [branch_b.pk]


def test_compliance_report_query_count_does_not_grow_with_branches(rita, town):
    window = parse_period("2024-Q1")
    _branch_with_meetings(town, 1)
    _branch_with_meetings(town, 2)
    selectors.compliance_report(user=rita, window=window, today=date(2024, 6, 1))  # warm the per-user grant cache
    with CaptureQueriesContext(connection) as two:
        small = selectors.compliance_report(user=rita, window=window, today=date(2024, 6, 1))
    for n in range(3, 9):
        _branch_with_meetings(town, n)
    with CaptureQueriesContext(connection) as eight:
        large = selectors.compliance_report(user=rita, window=window, today=date(2024, 6, 1))
    assert (len(small.rows), len(large.rows)) == (2, 8)
    assert len(eight) == len(two) <= 6
    aggregates = [q["sql"] for q in eight.captured_queries if "GROUP BY" in q["sql"] and "meetings_meeting" in q["sql"]]
    assert len(aggregates) == 1
    assert all(r.by_type[MeetingType.GROUP_MEETING].held == 1 for r in large.rows)
