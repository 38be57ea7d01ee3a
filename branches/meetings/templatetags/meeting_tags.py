"""Small display helpers for the meeting pages."""

from django import template

from .. import rules

register = template.Library()

_BADGES = {
    rules.SlotStatus.HELD: "text-bg-success",
    rules.SlotStatus.DUE: "text-bg-warning",
    rules.SlotStatus.OVERDUE: "text-bg-danger",
    rules.SlotStatus.UPCOMING: "text-bg-secondary",
    rules.SlotStatus.NOT_REQUIRED: "text-bg-light",
}

_CELLS = {
    rules.SlotStatus.HELD: "table-success",
    rules.SlotStatus.DUE: "table-warning",
    rules.SlotStatus.OVERDUE: "table-danger",
    rules.SlotStatus.UPCOMING: "",
    rules.SlotStatus.NOT_REQUIRED: "text-muted",
}

_ATTENDANCE = {
    rules.AttendanceStatus.PRESENT: "text-bg-success",
    rules.AttendanceStatus.LEAVE_OFFICIAL: "text-bg-info",
    rules.AttendanceStatus.LEAVE_PRIVATE: "text-bg-warning",
    rules.AttendanceStatus.ABSENT: "text-bg-danger",
}


@register.filter
def slot_badge(status: str) -> str:
    """The Bootstrap badge class for a slot or compliance status."""
    return _BADGES.get(status, "text-bg-light")


@register.filter
def slot_cell(status: str) -> str:
    """The table-cell class for a slot status (the calendar grid and the compliance table)."""
    return _CELLS.get(status, "")


@register.filter
def attendance_badge(status: str) -> str:
    return _ATTENDANCE.get(status, "text-bg-light")


@register.filter
def slot_status_label(status: str) -> str:
    return rules.SLOT_STATUS_LABELS.get(status, status)
