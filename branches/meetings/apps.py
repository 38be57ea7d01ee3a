from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    """Branch life (DESIGN §3.3): 三会一课 and the other meetings, attendance and photos.

    It sits above `membership` in the layering: it reads members and committee seats and nothing
    below imports it (scoring reads `selectors.attendance_for` / `attendance_counts`).
    """

    name = "branches.meetings"
    label = "meetings"
    verbose_name = "组织生活"

    def ready(self) -> None:
        from audit.registry import register_subject
        from branches.policies import register_policy
        from membership.portal import Panel, register_portal_panel

        from . import policies
        from .selectors import meeting_get

        for policy in policies.POLICIES:
            register_policy(policy)
        # The audit history page shows a meeting's events only to users who may see the meeting.
        register_subject("meetings.meeting", lambda user, subject_id: meeting_get(user=user, pk=subject_id))
        register_portal_panel(Panel("meetings", "我的组织生活", "branches/meetings/_portal_panel.html", _portal_panel,
                                    order=20, title_for_others="组织生活"))


def _portal_panel(user, member) -> dict:  # type: ignore[no-untyped-def]
    """This year's attendance of the member, by status (one query)."""
    from partyadmin.workdays import china_today

    from . import rules
    from .selectors import attendance_counts

    today = china_today()
    counts = attendance_counts(member_ids=[member.pk], start=today.replace(month=1, day=1), end=today)[member.pk]
    return {"year": today.year, "counts": [(rules.ATTENDANCE_STATUS_LABELS[s], s, n) for s, n in counts.items()]}
