"""The meeting rules (DESIGN §3.3) as pure functions over plain values: no ORM, no I/O.

Seed 004 二(三)1 落实“三会一课”制度: "一般每三个月召开一次支部党员大会,讨论或决定本支部的重大问题。支委会一般每个月
召开一次,负责领导和处理支部日常工作。党小组会一般每月召开一次,围绕党的中心工作和支部近期工作开展讨论。党课一般每三个月
安排一次" — and "要将“统一活动日”等工作要求融入到“三会一课”中".
Seed 004 二(三)2: "党支部一般每半年召开一次党支部或党小组组织生活会".
Seed 004 二(二)4: "党支部每年要开展一次民主评议党员工作".

Periods are calendar-aligned (months, quarters, halves, years all start in January), so a
requirement "one per quarter" is met by any meeting held in that quarter; three meetings in one
month do not make up for the two months without one. Each requirement is checked per *unit*: the
branch itself, or for 党小组会 each of its party groups.
"""

import calendar
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import Any

from partyadmin.errors import RuleViolation


class MeetingType(StrEnum):
    GENERAL_MEETING = "general_meeting"
    COMMITTEE_MEETING = "committee_meeting"
    GROUP_MEETING = "group_meeting"
    PARTY_LECTURE = "party_lecture"
    ORG_LIFE_MEETING = "org_life_meeting"
    THEME_DAY = "theme_day"
    DEMOCRATIC_EVALUATION = "democratic_evaluation"


MEETING_TYPE_LABELS: dict[str, str] = {
    MeetingType.GENERAL_MEETING: "支部党员大会",
    MeetingType.COMMITTEE_MEETING: "支委会",
    MeetingType.GROUP_MEETING: "党小组会",
    MeetingType.PARTY_LECTURE: "党课",
    MeetingType.ORG_LIFE_MEETING: "组织生活会",
    MeetingType.THEME_DAY: "主题党日",
    MeetingType.DEMOCRATIC_EVALUATION: "民主评议党员",
}


class AttendanceStatus(StrEnum):
    """Seed 001 tells the two kinds of leave apart ("党员因公请假 6 次及以下的不扣分 … 因私请假 4 次及以下的,每次扣 1 分"),
    and its rural scheme deducts for absence without reason ("无故不参加的每次扣 2分;请假者,每次扣 0.5 分")."""

    PRESENT = "present"
    LEAVE_OFFICIAL = "leave_official"
    LEAVE_PRIVATE = "leave_private"
    ABSENT = "absent"


ATTENDANCE_STATUS_LABELS: dict[str, str] = {
    AttendanceStatus.PRESENT: "出席",
    AttendanceStatus.LEAVE_OFFICIAL: "因公请假",
    AttendanceStatus.LEAVE_PRIVATE: "因私请假",
    AttendanceStatus.ABSENT: "缺席",
}


class Frequency(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"
    NONE = "none"  # not required (a tenant may switch a type off)


FREQUENCY_MONTHS: dict[str, int] = {Frequency.MONTH: 1, Frequency.QUARTER: 3, Frequency.HALF: 6, Frequency.YEAR: 12}

FREQUENCY_LABELS: dict[str, str] = {
    Frequency.MONTH: "每月一次",
    Frequency.QUARTER: "每季度一次",
    Frequency.HALF: "每半年一次",
    Frequency.YEAR: "每年一次",
    Frequency.NONE: "不作要求",
}

DEFAULT_FREQUENCIES: dict[str, str] = {
    # seed 004 二(三)1: "一般每三个月召开一次支部党员大会"
    MeetingType.GENERAL_MEETING: Frequency.QUARTER,
    # seed 004 二(三)1: "支委会一般每个月召开一次"
    MeetingType.COMMITTEE_MEETING: Frequency.MONTH,
    # seed 004 二(三)1: "党小组会一般每月召开一次"
    MeetingType.GROUP_MEETING: Frequency.MONTH,
    # seed 004 二(三)1: "党课一般每三个月安排一次"
    MeetingType.PARTY_LECTURE: Frequency.QUARTER,
    # seed 004 二(三)2: "党支部一般每半年召开一次党支部或党小组组织生活会"
    MeetingType.ORG_LIFE_MEETING: Frequency.HALF,
    # seed 004 二(三)1 folds the "统一活动日" into 三会一课; seed 000 names it "主题党日": monthly in practice.
    MeetingType.THEME_DAY: Frequency.MONTH,
    # seed 004 二(二)4: "党支部每年要开展一次民主评议党员工作"
    MeetingType.DEMOCRATIC_EVALUATION: Frequency.YEAR,
}

# A meeting entered more than this many days after it was held is marked late (DESIGN §3.3).
DEFAULT_LATE_ENTRY_DAYS = 7


def effective_frequencies(override: Mapping[str, Any] | None) -> dict[str, str]:
    """The defaults with a tenant's overrides (a partial {type: frequency} mapping) laid over them."""
    frequencies = dict(DEFAULT_FREQUENCIES)
    for meeting_type, frequency in (override or {}).items():
        if meeting_type in frequencies and frequency in FREQUENCY_LABELS:
            frequencies[meeting_type] = str(frequency)
    return frequencies


# --- periods ----------------------------------------------------------------------------------------

_CHINESE_QUARTERS = {1: "一", 2: "二", 3: "三", 4: "四"}


@dataclass(frozen=True, order=True)
class Period:
    """A calendar-aligned month, quarter, half-year or year; `end` is the last day (inclusive)."""

    start: date
    end: date
    kind: str

    @property
    def key(self) -> str:
        if self.kind == Frequency.MONTH:
            return f"{self.start:%Y-%m}"
        if self.kind == Frequency.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == Frequency.HALF:
            return f"{self.start.year}-H{1 if self.start.month <= 6 else 2}"
        return f"{self.start.year}"

    @property
    def label(self) -> str:
        year = self.start.year
        if self.kind == Frequency.MONTH:
            return f"{year}年{self.start.month}月"
        if self.kind == Frequency.QUARTER:
            return f"{year}年第{_CHINESE_QUARTERS[(self.start.month - 1) // 3 + 1]}季度"
        if self.kind == Frequency.HALF:
            return f"{year}年{'上' if self.start.month <= 6 else '下'}半年"
        return f"{year}年"

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def period_of(day: date, kind: str) -> Period:
    """The period of `kind` (month, quarter, half, year) that contains `day`."""
    months = FREQUENCY_MONTHS[kind]
    first_month = (day.month - 1) // months * months + 1
    last_month = first_month + months - 1
    return Period(
        date(day.year, first_month, 1), date(day.year, last_month, calendar.monthrange(day.year, last_month)[1]), kind,
    )


def next_period(period: Period) -> Period:
    following = period.end.toordinal() + 1
    return period_of(date.fromordinal(following), period.kind)


def previous_period(period: Period) -> Period:
    return period_of(date.fromordinal(period.start.toordinal() - 1), period.kind)


def periods_between(kind: str, first: date, last: date) -> list[Period]:
    """Every period of `kind` that overlaps [first, last], in order."""
    periods: list[Period] = []
    period = period_of(first, kind)
    while period.start <= last:
        periods.append(period)
        period = next_period(period)
    return periods


_PERIOD_KEY = re.compile(r"^(\d{4})(?:-(?:(\d{2})|Q([1-4])|H([12])))?$")


def parse_period(key: str) -> Period:
    """"2024", "2024-H1", "2024-Q3" or "2024-07" back to a Period; ValueError otherwise."""
    match = _PERIOD_KEY.match(key.strip())
    if not match:
        raise ValueError(f"无法识别的期间：{key}")
    year, month, quarter, half = match.groups()
    if month:
        return period_of(date(int(year), int(month), 1), Frequency.MONTH)
    if quarter:
        return period_of(date(int(year), (int(quarter) - 1) * 3 + 1, 1), Frequency.QUARTER)
    if half:
        return period_of(date(int(year), 1 if half == "1" else 7, 1), Frequency.HALF)
    return period_of(date(int(year), 1, 1), Frequency.YEAR)


def slots_for(window: Period, frequency: str) -> list[Period]:
    """The periods in which `frequency` requires one meeting, as judged for `window`.

    Periods no longer than the window are taken inside it (the three months of a quarter for a
    monthly meeting); a longer period is taken whole around it (the half-year around a quarter for
    the half-yearly 组织生活会: it is met by a meeting anywhere in that half).
    """
    return list(_slots(window, str(frequency)))


@lru_cache(maxsize=512)
def _slots(window: Period, frequency: str) -> tuple[Period, ...]:
    # Cached: the county view asks the same few questions for every one of thousands of branches.
    if frequency == Frequency.NONE:
        return ()
    if FREQUENCY_MONTHS[frequency] <= FREQUENCY_MONTHS[window.kind]:
        return tuple(periods_between(frequency, window.start, window.end))
    return (period_of(window.start, frequency),)


def coverage_range(window: Period, frequency: str) -> tuple[date, date]:
    """The dates whose meetings count for `window` under `frequency` (the window, or the longer period around it)."""
    slots = slots_for(window, frequency) or [window]
    return slots[0].start, slots[-1].end


# --- requirement per unit and slot -----------------------------------------------------------------


class SlotStatus(StrEnum):
    HELD = "held"
    DUE = "due"
    OVERDUE = "overdue"
    UPCOMING = "upcoming"
    NOT_REQUIRED = "not_required"


SLOT_STATUS_LABELS: dict[str, str] = {
    SlotStatus.HELD: "已召开",
    SlotStatus.DUE: "待召开",
    SlotStatus.OVERDUE: "逾期未开",
    SlotStatus.UPCOMING: "未到期",
    SlotStatus.NOT_REQUIRED: "不作要求",
}


def unit_count(meeting_type: str, *, has_committee: bool, group_count: int) -> int:
    """How many units owe the meeting: one branch, or each party group for 党小组会.

    A branch without a committee holds no 支委会: "不设支部委员会的由支部大会" decides instead (seed 000).
    A branch without party groups owes no 党小组会.
    """
    if meeting_type == MeetingType.COMMITTEE_MEETING:
        return 1 if has_committee else 0
    if meeting_type == MeetingType.GROUP_MEETING:
        return group_count
    return 1


def slot_status(*, period: Period, required: int, held: int, today: date) -> str:
    if required <= 0:
        return SlotStatus.NOT_REQUIRED
    if held >= required:
        return SlotStatus.HELD
    if period.end < today:
        return SlotStatus.OVERDUE
    if period.start <= today:
        return SlotStatus.DUE
    return SlotStatus.UPCOMING


@dataclass(frozen=True)
class Slot:
    """One requirement: a meeting of `meeting_type` in `period`, owed by `required` units."""

    meeting_type: str
    period: Period
    required: int
    held: int
    missing: tuple[str, ...]  # the units without one (party-group names for 党小组会)
    status: str

    @property
    def type_label(self) -> str:
        return MEETING_TYPE_LABELS[self.meeting_type]

    @property
    def status_label(self) -> str:
        return SLOT_STATUS_LABELS[self.status]


def slots_from_dates(*, meeting_type: str, frequency: str, window: Period,
                     units: Mapping[str, Collection[date]], today: date) -> list[Slot]:
    """The slots of `window` with what each unit held (`units`: unit label → the dates of its meetings)."""
    slots = []
    for period in slots_for(window, frequency):
        missing = tuple(label for label, days in units.items() if not any(period.contains(d) for d in days))
        held = len(units) - len(missing)
        slots.append(Slot(meeting_type, period, len(units), held, missing,
                          slot_status(period=period, required=len(units), held=held, today=today)))
    return slots


@dataclass(frozen=True)
class Compliance:
    """Required vs held for one meeting type over a window, counted in (unit, period) pairs."""

    meeting_type: str
    frequency: str
    required: int
    held: int
    overdue: int  # owed in periods that have ended
    due: int  # owed in the period running today
    meetings: int  # meetings held in the window (three in one month still count three here)

    @property
    def status(self) -> str:
        if self.required == 0:
            return SlotStatus.NOT_REQUIRED
        if self.held >= self.required:
            return SlotStatus.HELD
        if self.overdue:
            return SlotStatus.OVERDUE
        if self.due:
            return SlotStatus.DUE
        return SlotStatus.UPCOMING

    @property
    def type_label(self) -> str:
        return MEETING_TYPE_LABELS[self.meeting_type]

    @property
    def frequency_label(self) -> str:
        return FREQUENCY_LABELS[self.frequency]

    @property
    def status_label(self) -> str:
        return SLOT_STATUS_LABELS[self.status]


def summarize(*, meeting_type: str, frequency: str, slots: list[Slot], meetings: int) -> Compliance:
    return Compliance(
        meeting_type=meeting_type,
        frequency=frequency,
        required=sum(s.required for s in slots),
        held=sum(min(s.held, s.required) for s in slots),
        overdue=sum(s.required - s.held for s in slots if s.status == SlotStatus.OVERDUE),
        due=sum(s.required - s.held for s in slots if s.status == SlotStatus.DUE),
        meetings=meetings,
    )


def compliance_from_counts(*, meeting_type: str, frequency: str, window: Period, units: int, covered: int,
                           covered_closed: int, meetings: int, today: date) -> Compliance:
    """The same numbers as `summarize(slots_from_dates(...))`, from counts one GROUP BY can give.

    `covered`: (unit, slot) pairs with at least one meeting; `covered_closed`: those among the slots
    that ended before `today`. No meeting is dated in the future, so the rest lie in the running slot.
    """
    slots = _slots(window, str(frequency))
    closed = sum(1 for s in slots if s.end < today)
    running = sum(1 for s in slots if s.start <= today <= s.end)
    required = units * len(slots)
    covered = min(covered, required)
    covered_closed = min(covered_closed, units * closed)
    return Compliance(
        meeting_type=meeting_type,
        frequency=frequency,
        required=required,
        held=covered,
        overdue=units * closed - covered_closed,
        due=max(0, units * running - (covered - covered_closed)),
        meetings=meetings,
    )


# --- entry ------------------------------------------------------------------------------------------


def days_after(*, held_on: date, entered_on: date) -> int:
    return (entered_on - held_on).days


def is_late(*, held_on: date, entered_on: date, late_days: int) -> bool:
    """DESIGN §3.3: "a meeting entered more than N days after it was held is marked late"."""
    return days_after(held_on=held_on, entered_on=entered_on) > late_days


def check_entry(*, held_on: date, entered_on: date, late_days: int, refuse_late: bool) -> bool:
    """Refuses a meeting dated in the future, and a late one where the tenant refuses back-filling
    ("some provincial platforms refuse it outright"); returns whether the entry is late."""
    if held_on > entered_on:
        raise RuleViolation("meeting.future", "会议日期不能晚于今天，请在会议召开后录入。", field="held_on")
    late = is_late(held_on=held_on, entered_on=entered_on, late_days=late_days)
    if late and refuse_late:
        raise RuleViolation(
            "meeting.late_refused",
            f"该会议已召开{days_after(held_on=held_on, entered_on=entered_on)}天，超过{late_days}天的录入期限，"
            "按本单位规定不能补录。",
            field="held_on",
        )
    return late


def check_attendance(*, statuses: Mapping[int, str], expected: Collection[int]) -> None:
    """Attendance only for the meeting's own attendee list, and only with a known status.

    The message names no one: an id outside the list may be a member the user may not see.
    """
    unknown = sorted({status for status in statuses.values() if status not in ATTENDANCE_STATUS_LABELS})
    if unknown:
        raise RuleViolation("attendance.bad_status", f"出勤情况只能是：{'、'.join(ATTENDANCE_STATUS_LABELS.values())}。",
                            field="attendance")
    foreign = [member_id for member_id in statuses if member_id not in expected]
    if foreign:
        raise RuleViolation(
            "attendance.foreign_member",
            f"有{len(foreign)}人不在本次会议的应到人员名单内，不能登记出勤。",
            field="attendance",
        )


# seed 004 二(三)2: "党支部一般每半年召开一次党支部或党小组组织生活会" — a party group may hold it too, for the branch.
GROUP_MAY_HOLD = frozenset({MeetingType.GROUP_MEETING, MeetingType.ORG_LIFE_MEETING})


def check_organization_kind(*, meeting_type: str, organization_kind: str) -> None:
    """党小组会 is held by a party group, 组织生活会 by the branch or a party group, every other meeting by the branch."""
    if meeting_type == MeetingType.GROUP_MEETING:
        if organization_kind != "party_group":
            raise RuleViolation("meeting.group_needs_group", "党小组会须选择召开会议的党小组。", field="organization")
        return
    if organization_kind == "branch" or (organization_kind == "party_group" and meeting_type in GROUP_MAY_HOLD):
        return
    raise RuleViolation(
        "meeting.needs_branch", f"{MEETING_TYPE_LABELS[meeting_type]}须由党支部召开，请选择党支部。", field="organization",
    )
