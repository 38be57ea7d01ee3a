"""Demo meetings (三会一课): a year of a community branch's organizational life and the last quarter of a
rural branch's, with attendance, a few leaves, one member absent twice, one late entry, one voided
meeting and deliberate gaps (a skipped party lecture, a party group missing two months), so the
calendar and the county compliance page have something to show. Keyed by organization, type and date."""

from datetime import date, timedelta

from django.contrib.auth import get_user_model

from branches.meetings import services
from branches.meetings.models import Meeting
from branches.meetings.rules import AttendanceStatus, MeetingType
from branches.meetings.selectors import expected_attendees
from branches.models import Organization, OrganizationKind

TOPICS = {
    MeetingType.COMMITTEE_MEETING: "研究本月党建工作安排",
    MeetingType.THEME_DAY: "主题党日：志愿服务进网格",
    MeetingType.GROUP_MEETING: "学习传达支部工作部署",
    MeetingType.GENERAL_MEETING: "通报季度工作，讨论发展党员事项",
    MeetingType.PARTY_LECTURE: "书记讲党课：坚定理想信念",
    MeetingType.ORG_LIFE_MEETING: "专题组织生活会",
    MeetingType.DEMOCRATIC_EVALUATION: "年度民主评议党员",
}


def build(organizations: dict[str, Organization], today: date) -> None:
    secretary = get_user_model().objects.get(username="dg_shuji")
    _year(organizations["DEMO-CG-DG"], secretary, today, first_month=1)
    _year(organizations["DEMO-HK-HK"], get_user_model().objects.get(username="hk_shuji"), today,
          first_month=max(1, today.month - 3))


def _record(organization: Organization, user, meeting_type: str, held_on: date, today: date, *,
            late: bool = False, absent: set[int] = frozenset()) -> Meeting | None:
    if held_on >= today or Meeting.objects.filter(organization=organization, type=meeting_type,
                                                   held_on=held_on).exists():
        return None
    members = list(expected_attendees(organization=organization, meeting_type=meeting_type).order_by("pk"))
    attendance = {}
    for n, member in enumerate(members):
        if member.pk in absent:
            attendance[member.pk] = AttendanceStatus.ABSENT
        elif n % 11 == 3:
            attendance[member.pk] = AttendanceStatus.LEAVE_OFFICIAL
        elif n % 13 == 5:
            attendance[member.pk] = AttendanceStatus.LEAVE_PRIVATE
        else:
            attendance[member.pk] = AttendanceStatus.PRESENT
    entered = held_on + timedelta(days=10 if late else 1)
    return services.meeting_record(
        acting_user=user, organization=organization, type=meeting_type, held_on=held_on,
        topic=TOPICS[meeting_type], place="党员活动室", recorder_name="组织委员", attendance=attendance,
        minutes="会议按议程进行，形成决议。", today=min(entered, today),
    )


def _year(branch: Organization, user, today: date, *, first_month: int) -> None:
    groups = list(Organization.objects.filter(path__startswith=branch.path, kind=OrganizationKind.PARTY_GROUP)
                  .order_by("path"))
    year = today.year
    absentee = set(expected_attendees(organization=branch, meeting_type=MeetingType.GENERAL_MEETING)
                   .order_by("-pk").values_list("pk", flat=True)[:1])
    for month in range(first_month, today.month + 1):
        _record(branch, user, MeetingType.COMMITTEE_MEETING, date(year, month, 5), today)
        _record(branch, user, MeetingType.THEME_DAY, date(year, month, 15), today, late=(month == first_month + 1))
        for n, group in enumerate(groups):
            if n == len(groups) - 1 and month in (today.month - 2, today.month - 1):
                continue  # this group missed two months
            _record(group, user, MeetingType.GROUP_MEETING, date(year, month, 20), today)
        if month % 3 == 0:
            _record(branch, user, MeetingType.GENERAL_MEETING, date(year, month, 25), today,
                    absent=absentee if month in (6, 9) else frozenset())
            if month != 9:  # last quarter's party lecture was skipped
                _record(branch, user, MeetingType.PARTY_LECTURE, date(year, month, 26), today)
        if month in (6, 12):
            _record(branch, user, MeetingType.ORG_LIFE_MEETING, date(year, month, 28), today)
    if first_month == 1:
        _record(branch, user, MeetingType.DEMOCRATIC_EVALUATION, date(year, 1, 28), today)
        extra = _record(branch, user, MeetingType.THEME_DAY, date(year, 2, 16), today)
        if extra is not None:
            services.meeting_void(acting_user=user, meeting=extra, reason="与2月15日主题党日重复录入")
