"""Reads of meetings, attendance and compliance, always through the tenancy scope (branches.scoping).

Who sees what (DESIGN §2.1):
* whoever may view an organization's members (`Action.VIEW_MEMBER`: branch officers, clerks,
  township and county reviewers) reads its meetings, attendance and photos;
* officers who may change its members (`Action.CHANGE_MEMBER`: secretary, committee) record and
  edit them;
* a member (the `member` role) reads their own attendance only (`own_attendance`).
Everything else is a 404, exactly like a meeting that does not exist.

The interface scoring reads (scoring sits above branch life and imports this module):
* `attendance_for(organization_ids=… | county=…, start=, end=)` — one row per attendance:
  (member_id, meeting_id, meeting_type, status, held_on), voided meetings left out;
* `attendance_counts(member_ids=, start=, end=)` — {member_id: {status: count}} in one query.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import ExtractMonth, ExtractQuarter, ExtractYear

from branches import scoping
from branches.life_models import CommitteeMember
from branches.models import Organization, OrganizationKind, OrganizationPolicy
from branches.policies import policy_value
from branches.scoping import Action, AnyUser
from membership.models import Member
from membership.selectors import member_for_user
from partyadmin.workdays import add_months

from . import policies, rules
from .models import Attendance, Meeting, MeetingPhoto, MeetingStatus
from .rules import Frequency, MeetingType

VIEW = Action.VIEW_MEMBER
CHANGE = Action.CHANGE_MEMBER
PATH_FIELD = "organization__path"

# seed 004 二(三)1 "三会一课" first, then the rest, as the pages list them.
TYPE_ORDER: list[str] = list(rules.MEETING_TYPE_LABELS)


# --- meetings ---------------------------------------------------------------------------------------


def _meetings() -> QuerySet[Meeting]:
    return Meeting.objects.select_related("organization", "branch")


def meeting_list(*, user: AnyUser, organization: Organization | None = None, meeting_type: str = "",
                 year: int | None = None, include_voided: bool = False) -> QuerySet[Meeting]:
    """Meetings the user may see, newest first, with attendance counts (one query per page)."""
    meetings = scoping.scoped(_meetings(), user, VIEW, path_field=PATH_FIELD)
    if organization is not None:
        meetings = meetings.filter(organization__path__startswith=organization.path)
    if meeting_type:
        meetings = meetings.filter(type=meeting_type)
    if year:
        meetings = meetings.filter(held_on__year=year)
    if not include_voided:
        meetings = meetings.filter(status=MeetingStatus.RECORDED)
    return meetings.annotate(
        attendee_count=Count("attendance"),
        present_count=Count("attendance", filter=Q(attendance__status=rules.AttendanceStatus.PRESENT)),
    ).order_by("-held_on", "-pk")


def meeting_get(*, user: AnyUser, pk: object) -> Meeting:
    """One meeting the user may see; 404 for missing and for out of scope alike."""
    return scoping.get_or_404(
        _meetings().select_related("host_member__person", "entered_by"), user, VIEW, path_field=PATH_FIELD, pk=pk,
    )


def may_change(*, user: AnyUser, meeting: Meeting) -> bool:
    return scoping.can(user, CHANGE, meeting.organization)


def meeting_get_for_change(*, user: AnyUser, pk: object) -> Meeting:
    """A meeting the user may edit: 404 outside the view scope, 403 for a reader who may not edit."""
    meeting = meeting_get(user=user, pk=pk)
    if not may_change(user=user, meeting=meeting):
        raise PermissionDenied("无权修改该会议记录。")
    return meeting


def organizations_for_recording(*, user: AnyUser) -> QuerySet[Organization]:
    """Branches and party groups whose meetings the user may record."""
    return scoping.organizations_for(user, CHANGE).filter(
        kind__in=[OrganizationKind.BRANCH, OrganizationKind.PARTY_GROUP], is_active=True,
    ).order_by("path")


def branches_for_view(*, user: AnyUser) -> QuerySet[Organization]:
    """Branches whose meetings the user may read (the filters and the calendar links)."""
    return scoping.organizations_for(user, VIEW).filter(kind=OrganizationKind.BRANCH, is_active=True).order_by("path")


def branch_get(*, user: AnyUser, pk: object) -> Organization:
    """A branch whose meetings the user may read; 404 otherwise (also for a node that is not a branch)."""
    return scoping.get_or_404(
        Organization.objects.filter(kind=OrganizationKind.BRANCH), user, VIEW, path_field="path", pk=pk,
    )


def branch_of(organization: Organization) -> Organization:
    """The branch a meeting of `organization` counts for: itself, or a party group's branch."""
    if organization.kind == OrganizationKind.PARTY_GROUP:
        return Organization.objects.get(path=organization.path[: -Organization.steplen])
    return organization


def has_meeting_scope(user: AnyUser) -> bool:
    return any(VIEW in scoping.ROLE_ACTIONS[grant.role] for grant in scoping.grants_of(user))


# --- attendees ----------------------------------------------------------------------------------------


def expected_attendees(*, organization: Organization, meeting_type: str) -> QuerySet[Member]:
    """Who should attend, by meeting type (the record form's prefilled list and the service's check).

    支委会: the sitting committee (seats not ended); 党小组会 (and a party group's 组织生活会): the
    group's members; every other meeting: all members in the branch's register.
    """
    members = Member.objects.filter(is_active=True).select_related("person")
    if meeting_type == MeetingType.COMMITTEE_MEETING:
        sitting = CommitteeMember.objects.filter(organization=organization, ended_on__isnull=True).values("member_id")
        members = members.filter(pk__in=sitting)
    elif organization.kind == OrganizationKind.PARTY_GROUP:
        members = members.filter(party_group=organization)
    else:
        members = members.filter(organization=organization)
    return members.order_by("party_group__path", "pk")


def committee_posts(*, organization: Organization) -> dict[int, str]:
    """The sitting committee's posts by member id (shown beside the names on a 支委会's list)."""
    seats = CommitteeMember.objects.filter(organization=organization, ended_on__isnull=True)
    return {seat.member_id: seat.get_post_display() for seat in seats}


def attendance_of(meeting: Meeting) -> list[Attendance]:
    return list(meeting.attendance.select_related("member__person").order_by("member__party_group__path", "member_id"))


@dataclass
class AttendeeRow:
    member: Member
    status: str
    note: str = ""
    post: str = ""  # committee post for a 支委会
    recorded: bool = False

    @property
    def field_name(self) -> str:
        return f"attendance_{self.member.pk}"

    @property
    def note_name(self) -> str:
        return f"note_{self.member.pk}"


def attendee_rows(*, organization: Organization, meeting_type: str, meeting: Meeting | None = None,
                  default: str = rules.AttendanceStatus.PRESENT) -> list[AttendeeRow]:
    """The attendee table: the expected list, with what is recorded for `meeting` (if any), plus
    anyone recorded who has since left the list (kept, so an edit never loses a row)."""
    posts = committee_posts(organization=organization) if meeting_type == MeetingType.COMMITTEE_MEETING else {}
    recorded = {row.member_id: row for row in attendance_of(meeting)} if meeting is not None else {}
    rows = []
    for member in expected_attendees(organization=organization, meeting_type=meeting_type):
        row = recorded.pop(member.pk, None)
        rows.append(AttendeeRow(member, row.status if row else default, row.note if row else "",
                                posts.get(member.pk, ""), row is not None))
    rows.extend(AttendeeRow(row.member, row.status, row.note, posts.get(row.member_id, ""), True)
                for row in recorded.values())
    return rows


def host_candidates(*, organization: Organization) -> QuerySet[Member]:
    """Members who may be named as the host: the branch's register (others are entered by name)."""
    branch = branch_of(organization)
    return Member.objects.filter(organization=branch, is_active=True).select_related("person").order_by("pk")


def photos_of(meeting: Meeting) -> list[MeetingPhoto]:
    return list(meeting.photos.order_by("pk"))


def photo_get(*, user: AnyUser, pk: object) -> MeetingPhoto:
    """A photo of a meeting the user may see; 404 otherwise."""
    return scoping.get_or_404(MeetingPhoto.objects.select_related("meeting__organization"), user, VIEW,
                              path_field="meeting__organization__path", pk=pk)


def own_attendance(*, user: AnyUser) -> tuple[Member | None, QuerySet[Attendance]]:
    """The member portal: the user's own attendance, newest first."""
    member = member_for_user(user)
    if member is None:
        return None, Attendance.objects.none()
    rows = (Attendance.objects.filter(member=member, meeting__status=MeetingStatus.RECORDED)
            .select_related("meeting__organization").order_by("-meeting__held_on", "-meeting_id"))
    return member, rows


# --- the interface scoring reads ---------------------------------------------------------------------


def attendance_for(*, organization_ids: Iterable[int] | None = None, county: Organization | None = None,
                   start: date, end: date) -> QuerySet:
    """Attendance at meetings held in [start, end], for branches (`organization_ids`: branch ids; a
    party group's meetings count for its branch) or a whole `county`.

    Rows (dicts): member_id, meeting_id, meeting_type, status, held_on — ordered by date. Voided
    meetings are left out. Scoring turns them into entries by its scheme, e.g. seed 001's rural
    scheme: "无故不参加的每次扣 2分;请假者,每次扣 0.5 分". The caller has checked its scope.
    """
    if organization_ids is None and county is None:
        raise ValueError("attendance_for needs organization_ids or county")
    rows = Attendance.objects.filter(
        meeting__status=MeetingStatus.RECORDED, meeting__held_on__gte=start, meeting__held_on__lte=end,
    )
    if organization_ids is not None:
        rows = rows.filter(meeting__branch_id__in=list(organization_ids))
    if county is not None:
        rows = rows.filter(county=county)
    return rows.values(
        "member_id", "meeting_id", "status", meeting_type=F("meeting__type"), held_on=F("meeting__held_on"),
    ).order_by("meeting__held_on", "meeting_id", "member_id")


def attendance_counts(*, member_ids: Iterable[int], start: date, end: date,
                      meeting_types: Iterable[str] | None = None) -> dict[int, dict[str, int]]:
    """{member_id: {status: count}} over meetings held in [start, end] (one GROUP BY query); every
    requested member gets every status, zero when none."""
    wanted = sorted(set(member_ids))
    counts = {member_id: dict.fromkeys(rules.ATTENDANCE_STATUS_LABELS, 0) for member_id in wanted}
    if not wanted:
        return counts
    rows = Attendance.objects.filter(
        member_id__in=wanted, meeting__status=MeetingStatus.RECORDED,
        meeting__held_on__gte=start, meeting__held_on__lte=end,
    )
    if meeting_types is not None:
        rows = rows.filter(meeting__type__in=list(meeting_types))
    for member_id, status, n in rows.values_list("member_id", "status").annotate(n=Count("pk")).order_by():
        counts[member_id][status] = n
    return counts


# --- policies -----------------------------------------------------------------------------------------


def frequencies_for(branch: Organization) -> dict[str, str]:
    return rules.effective_frequencies(policy_value(branch, policies.MEETING_FREQUENCIES))


def _frequencies_by_path(*, roots: list[str], key: str) -> dict[str, Any]:
    """Every setting of `key` on the roots, their ancestors and everything under them (one query)."""
    if not roots:
        return {}
    step = Organization.steplen
    ancestors = {root[:end] for root in roots for end in range(step, len(root), step)}
    within = reduce(or_, (Q(organization__path__startswith=root) for root in roots))
    rows = OrganizationPolicy.objects.filter(key=key).filter(within | Q(organization__path__in=ancestors))
    return dict(rows.values_list("organization__path", "value"))


def _nearest(settings: Mapping[str, Any], path: str) -> Any:
    step = Organization.steplen
    for end in range(len(path), 0, -step):
        if path[:end] in settings:
            return settings[path[:end]]
    return None


# --- the branch calendar ------------------------------------------------------------------------------


@dataclass
class CalendarCell:
    month: int
    count: int
    status: str  # the status of the slot the month lies in


@dataclass
class CalendarRow:
    meeting_type: str
    frequency: str
    cells: list[CalendarCell]
    compliance: rules.Compliance

    @property
    def type_label(self) -> str:
        return rules.MEETING_TYPE_LABELS[self.meeting_type]

    @property
    def frequency_label(self) -> str:
        return rules.FREQUENCY_LABELS[self.frequency]


@dataclass
class BranchCalendar:
    branch: Organization
    today: date
    year: int
    frequencies: dict[str, str]
    groups: list[Organization]
    current: list[rules.Slot]  # the slot running today, per required type
    overdue: list[rules.Slot]  # unmet slots that ended within the last twelve months
    rows: list[CalendarRow] = field(default_factory=list)  # the year's grid

    @property
    def due_this_month(self) -> list[rules.Slot]:
        month = rules.period_of(self.today, Frequency.MONTH)
        return [s for s in self.current if s.status == rules.SlotStatus.DUE and s.period.end <= month.end]

    @property
    def due_this_quarter(self) -> list[rules.Slot]:
        quarter = rules.period_of(self.today, Frequency.QUARTER)
        return [s for s in self.current if s.status == rules.SlotStatus.DUE and s.period.end <= quarter.end]


OVERDUE_LOOKBACK_MONTHS = 12


def _units(*, meeting_type: str, branch: Organization, groups: list[Organization],
           dates: Mapping[tuple[int, str], list[date]]) -> dict[str, list[date]]:
    """The units owing `meeting_type` with their meeting dates (see `rules.unit_count`)."""
    if meeting_type == MeetingType.GROUP_MEETING:
        return {group.name: dates.get((group.pk, meeting_type), []) for group in groups}
    if meeting_type == MeetingType.COMMITTEE_MEETING and not branch.has_committee:
        return {}
    held = [d for (_, kind), days in dates.items() if kind == meeting_type for d in days]
    return {branch.name: held}


def branch_calendar(*, branch: Organization, today: date, year: int | None = None) -> BranchCalendar:
    """What the branch owes: the running slot per type, overdue slots of the last twelve months, and
    a year's month-by-month grid. The caller has checked that the user may see `branch` (`branch_get`).
    Four queries: the policy, the party groups, the meeting dates, nothing per type or per month."""
    year = year or today.year
    frequencies = frequencies_for(branch)
    groups = list(Organization.objects.filter(
        path__startswith=branch.path, depth=branch.depth + 1, kind=OrganizationKind.PARTY_GROUP, is_active=True,
    ).order_by("path"))
    lookback = add_months(today, -OVERDUE_LOOKBACK_MONTHS)
    first = min(date(year, 1, 1), date(lookback.year, 1, 1))
    last = max(today, date(year, 12, 31))
    group_ids = {g.pk for g in groups}
    dates: dict[tuple[int, str], list[date]] = defaultdict(list)
    rows = Meeting.objects.filter(branch=branch, status=MeetingStatus.RECORDED, held_on__gte=first, held_on__lte=last)
    for organization_id, meeting_type, held_on in rows.values_list("organization_id", "type", "held_on"):
        unit = organization_id if meeting_type == MeetingType.GROUP_MEETING else branch.pk
        if meeting_type == MeetingType.GROUP_MEETING and unit not in group_ids:
            continue  # a group since dissolved no longer owes (nor covers) anything
        dates[(unit, meeting_type)].append(held_on)

    current: list[rules.Slot] = []
    overdue: list[rules.Slot] = []
    grid: list[CalendarRow] = []
    year_window = rules.period_of(date(year, 1, 1), Frequency.YEAR)
    for meeting_type in TYPE_ORDER:
        frequency = frequencies[meeting_type]
        units = _units(meeting_type=meeting_type, branch=branch, groups=groups, dates=dates)
        if frequency != Frequency.NONE and units:
            running = rules.period_of(today, frequency)
            current += rules.slots_from_dates(meeting_type=meeting_type, frequency=frequency, window=running,
                                              units=units, today=today)
            past = [p for p in rules.periods_between(frequency, lookback, today) if lookback <= p.end < today]
            for period in past:
                overdue += [s for s in rules.slots_from_dates(meeting_type=meeting_type, frequency=frequency,
                                                              window=period, units=units, today=today)
                            if s.status == rules.SlotStatus.OVERDUE]
        slots = rules.slots_from_dates(meeting_type=meeting_type, frequency=frequency, window=year_window,
                                       units=units, today=today) if units else []
        per_month = defaultdict(int)
        for days in units.values():
            for d in days:
                if d.year == year:
                    per_month[d.month] += 1
        cells = []
        for month in range(1, 13):
            slot = next((s for s in slots if s.period.contains(date(year, month, 1))), None)
            cells.append(CalendarCell(month, per_month[month], slot.status if slot else rules.SlotStatus.NOT_REQUIRED))
        grid.append(CalendarRow(meeting_type, frequency, cells, rules.summarize(
            meeting_type=meeting_type, frequency=frequency, slots=slots, meetings=sum(per_month.values()),
        )))
    overdue.sort(key=lambda s: (s.period.end, TYPE_ORDER.index(s.meeting_type)), reverse=True)
    return BranchCalendar(branch, today, year, frequencies, groups, current, overdue, grid)


# --- county compliance --------------------------------------------------------------------------------


@dataclass
class ComplianceRow:
    branch: Organization
    township: Organization | None
    by_type: dict[str, rules.Compliance]

    @property
    def cells(self) -> list[rules.Compliance]:
        return [self.by_type[t] for t in TYPE_ORDER]

    @property
    def overdue(self) -> int:
        return sum(c.overdue for c in self.by_type.values())

    @property
    def required(self) -> int:
        return sum(c.required for c in self.by_type.values())

    @property
    def held(self) -> int:
        return sum(c.held for c in self.by_type.values())


@dataclass
class ComplianceReport:
    window: rules.Period
    today: date
    rows: list[ComplianceRow]
    townships: list[tuple[Organization | None, int]]  # (township, overdue (unit, period) pairs)

    @property
    def type_labels(self) -> list[str]:
        return [rules.MEETING_TYPE_LABELS[t] for t in TYPE_ORDER]

    @property
    def totals(self) -> list[tuple[str, int, int]]:
        """Per type: (label, held, required) over every branch in the report."""
        return [(rules.MEETING_TYPE_LABELS[t], sum(r.by_type[t].held for r in self.rows),
                 sum(r.by_type[t].required for r in self.rows)) for t in TYPE_ORDER]


_SLOT_KEYS = {
    Frequency.MONTH: ExtractMonth("held_on"),
    Frequency.QUARTER: ExtractQuarter("held_on"),
    Frequency.HALF: Case(When(held_on__month__lte=6, then=Value(1)), default=Value(2), output_field=IntegerField()),
    Frequency.YEAR: ExtractYear("held_on"),
}


def _coverage_annotations(window: rules.Period, today: date) -> dict[str, Any]:
    """Per frequency: distinct slots with a meeting (`cov_<f>`) and those among slots already ended
    (`closed_<f>`), each over the dates that count for `window`; plus the meetings in the window."""
    annotations: dict[str, Any] = {
        "meetings": Count("pk", filter=Q(held_on__gte=window.start, held_on__lte=window.end)),
    }
    for frequency, slot_key in _SLOT_KEYS.items():
        start, end = rules.coverage_range(window, frequency)
        annotations[f"cov_{frequency}"] = Count(slot_key, distinct=True, filter=Q(held_on__gte=start, held_on__lte=end))
        ended = [s for s in rules.slots_for(window, frequency) if s.end < today]
        if ended:
            annotations[f"closed_{frequency}"] = Count(
                slot_key, distinct=True, filter=Q(held_on__gte=start, held_on__lte=ended[-1].end),
            )
        else:
            annotations[f"closed_{frequency}"] = Value(0, output_field=IntegerField())
    return annotations


def _townships_of(branches: list[Organization]) -> dict[int, Organization | None]:
    """Each branch's township (the node right under its county department): two queries in all."""
    step = Organization.steplen
    county_depths = dict(Organization.objects.filter(pk__in={b.county_id for b in branches if b.county_id})
                         .values_list("pk", "depth"))
    wanted: dict[int, str] = {}
    for branch in branches:
        depth = county_depths.get(branch.county_id)
        if depth is not None and branch.depth > depth + 1:
            wanted[branch.pk] = branch.path[: (depth + 1) * step]
    by_path = {o.path: o for o in Organization.objects.filter(path__in=set(wanted.values()))
               .only("pk", "name", "short_name", "path", "depth")}
    return {branch.pk: by_path.get(wanted.get(branch.pk, "")) for branch in branches}


def compliance_report(*, user: AnyUser, window: rules.Period, today: date, township_id: int | None = None,
                      overdue_only: bool = False) -> ComplianceReport:
    """Branches × meeting types, held vs required for `window`, for every branch the user may see.

    The meetings are counted in ONE aggregate query (GROUP BY branch, unit, type, with the window's
    date filters as conditional counts); with the branches, party groups, policies and townships the
    page takes a fixed number of queries whatever the number of branches.
    """
    branches = list(branches_for_view(user=user).only(
        "pk", "name", "short_name", "path", "depth", "county_id", "has_committee",
    ))
    groups = list(scoping.organizations_for(user, VIEW).filter(kind=OrganizationKind.PARTY_GROUP, is_active=True)
                  .values_list("pk", "path"))
    step = Organization.steplen
    branch_by_path = {b.path: b for b in branches}
    groups_of: dict[int, set[int]] = defaultdict(set)
    for group_id, path in groups:
        branch = branch_by_path.get(path[:-step])
        if branch is not None:
            groups_of[branch.pk].add(group_id)
    overrides = _frequencies_by_path(roots=scoping.path_roots(user, VIEW), key=policies.MEETING_FREQUENCIES)

    first = min(rules.coverage_range(window, f)[0] for f in _SLOT_KEYS)
    last = max(rules.coverage_range(window, f)[1] for f in _SLOT_KEYS)
    unit = Case(When(type=MeetingType.GROUP_MEETING, then=F("organization_id")), default=F("branch_id"),
                output_field=IntegerField())
    aggregate = (
        Meeting.objects.filter(scoping.path_q(user, VIEW, "branch__path"))
        .filter(status=MeetingStatus.RECORDED, held_on__gte=first, held_on__lte=min(last, today))
        .values("branch_id", "type", unit=unit)
        .annotate(**_coverage_annotations(window, today))
        .order_by()
    )
    counted: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in aggregate:
        if row["type"] == MeetingType.GROUP_MEETING and row["unit"] not in groups_of.get(row["branch_id"], ()):
            continue
        totals = counted[(row["branch_id"], row["type"])]
        for key, value in row.items():
            if key.startswith(("cov_", "closed_")) or key == "meetings":
                totals[key] += value

    townships = _townships_of(branches)
    report_rows = []
    for branch in branches:
        frequencies = rules.effective_frequencies(_nearest(overrides, branch.path))
        by_type = {}
        for meeting_type in TYPE_ORDER:
            frequency = frequencies[meeting_type]
            totals = counted.get((branch.pk, meeting_type), {})
            by_type[meeting_type] = rules.compliance_from_counts(
                meeting_type=meeting_type, frequency=frequency, window=window,
                units=rules.unit_count(meeting_type, has_committee=branch.has_committee,
                                       group_count=len(groups_of.get(branch.pk, ()))),
                covered=totals.get(f"cov_{frequency}", 0), covered_closed=totals.get(f"closed_{frequency}", 0),
                meetings=totals.get("meetings", 0), today=today,
            )
        report_rows.append(ComplianceRow(branch, townships[branch.pk], by_type))

    per_township: dict[int | None, list] = {}
    for row in report_rows:
        entry = per_township.setdefault(row.township.pk if row.township else None, [row.township, 0])
        entry[1] += row.overdue
    ordered = sorted(per_township.values(), key=lambda e: e[0].path if e[0] else "")
    if township_id is not None:
        report_rows = [r for r in report_rows if r.township is not None and r.township.pk == township_id]
    if overdue_only:
        report_rows = [r for r in report_rows if r.overdue]
    return ComplianceReport(window, today, report_rows, [(t, n) for t, n in ordered])
