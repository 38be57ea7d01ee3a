"""Checklist items the records can answer (DESIGN §8: "items about meetings, terms, committee size and
ledgers are pre-filled from the records (§3) with the evidence linked").

Each provider takes (organization, year) and says whether the item is met, why, and where to look.
An item met by the records gets its full points, one not met gets none ("每月召开一次支委会": a month
without one loses the item). Periods still running on the day of the pre-fill are not judged yet.

Meetings count for their period only with their attendance recorded and more than half of those
expected present ("内容形式、到会人数符合要求"; 《党章》: 党员大会须有半数以上有表决权的党员到会).
"""

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Max, Q
from django.urls import reverse

from branches import rules as branch_rules
from branches.dues import selectors as dues_selectors
from branches.dues.models import DuesBase
from branches.life_models import CommitteeMember
from branches.meetings import rules as meeting_rules
from branches.meetings.models import Meeting, MeetingStatus
from branches.meetings.rules import Frequency, MeetingType
from branches.meetings.selectors import frequencies_for
from branches.models import Organization, OrganizationKind
from membership.models import Member
from partyadmin.workdays import china_today

from .registry import Prefill, register_builtin

ZERO = Decimal("0")
FULL = Decimal("999")  # "met": the caller gives the item its full points

_judged_on: ContextVar[date | None] = ContextVar("standards_judged_on", default=None)


@contextmanager
def judged_on(day: date | None) -> Iterator[None]:
    """The day the records are judged on (default: today in China) for the providers called inside."""
    token = _judged_on.set(day)
    try:
        yield
    finally:
        _judged_on.reset(token)


def today() -> date:
    return _judged_on.get() or china_today()


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


@dataclass
class MeetingFacts:
    """The year's meetings of a branch, counted once for every meeting item."""

    as_of: date
    frequencies: dict[str, str]
    groups: list[Organization]
    # (unit id, type) → dates of meetings that count; unit = the branch, or the party group for 党小组会.
    dates: dict[tuple[int, str], list[date]] = field(default_factory=lambda: defaultdict(list))
    held: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # every meeting, by type
    short: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # too few present
    present: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    expected: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    without_minutes: int = 0
    without_photos: int = 0
    total: int = 0


def forget_facts(organization: Organization) -> None:
    """Drops what one pre-fill run read once for all its items (the next run reads the records again)."""
    organization.__dict__.pop("_standards_meeting_facts", None)
    organization.__dict__.pop("_standards_seats", None)


def _facts(organization: Organization, year: int) -> MeetingFacts:
    cache = organization.__dict__.setdefault("_standards_meeting_facts", {})
    if year in cache:
        return cache[year]
    today_ = today()
    # The day the year is judged on: periods ending before it are over (the whole year once it has passed).
    as_of = today_ if year == today_.year else date(year + 1, 1, 1) if year < today_.year else date(year, 1, 1)
    groups = list(Organization.objects.filter(
        path__startswith=organization.path, depth=organization.depth + 1, kind=OrganizationKind.PARTY_GROUP,
        is_active=True).order_by("path"))
    facts = MeetingFacts(as_of=as_of, frequencies=frequencies_for(organization), groups=groups)
    group_ids = {g.pk for g in groups}
    rows = (Meeting.objects.filter(branch=organization, status=MeetingStatus.RECORDED, held_on__year=year)
            .values("organization_id", "type", "held_on", "minutes")
            .annotate(attendees=Count("attendance", distinct=True),
                      came=Count("attendance", filter=Q(attendance__status="present"), distinct=True),
                      pictures=Count("photos", distinct=True)))
    for row in rows:
        kind = row["type"]
        facts.total += 1
        facts.held[kind] += 1
        facts.present[kind] += row["came"]
        facts.expected[kind] += row["attendees"]
        facts.without_minutes += 0 if (row["minutes"] or "").strip() else 1
        facts.without_photos += 0 if row["pictures"] else 1
        if not row["attendees"] or 2 * row["came"] <= row["attendees"]:
            facts.short[kind] += 1
            continue
        unit = row["organization_id"] if kind == MeetingType.GROUP_MEETING else organization.pk
        if kind == MeetingType.GROUP_MEETING and unit not in group_ids:
            continue
        facts.dates[(unit, kind)].append(row["held_on"])
    cache[year] = facts
    return facts


def _meeting_links(organization: Organization, year: int, meeting_type: str) -> list[tuple[str, str]]:
    return [
        (f"{year}年会议日历", f"{reverse('meetings:calendar', args=[organization.pk])}?year={year}"),
        (f"{meeting_rules.MEETING_TYPE_LABELS[meeting_type]}记录",
         f"{reverse('meetings:list')}?organization={organization.pk}&type={meeting_type}&year={year}"),
    ]


def meeting_prefill(meeting_type: str, organization: Organization, year: int) -> Prefill | None:
    """Every period of the year that has ended by the pre-fill (and the running one, if already met) has
    a qualifying meeting of the type, in every unit that owes one."""
    facts = _facts(organization, year)
    label = meeting_rules.MEETING_TYPE_LABELS[meeting_type]
    frequency = facts.frequencies[meeting_type]
    links = _meeting_links(organization, year, meeting_type)
    if meeting_type == MeetingType.COMMITTEE_MEETING and not organization.has_committee:
        return Prefill(FULL, True, "本支部不设支部委员会，由支部党员大会讨论决定，不要求召开支委会。", links)
    if meeting_type == MeetingType.GROUP_MEETING and not facts.groups:
        return None  # no party groups: the branch explains it in its self-assessment
    if frequency == Frequency.NONE:
        return Prefill(FULL, True, f"本单位对{label}不作频次要求。", links)
    if meeting_type == MeetingType.GROUP_MEETING:
        units = {g.name: facts.dates.get((g.pk, meeting_type), []) for g in facts.groups}
    else:
        units = {organization.name: facts.dates.get((organization.pk, meeting_type), [])}
    window = meeting_rules.period_of(date(year, 1, 1), Frequency.YEAR)
    slots = meeting_rules.slots_from_dates(meeting_type=meeting_type, frequency=frequency, window=window,
                                           units=units, today=facts.as_of)
    judged = [s for s in slots if s.period.end < facts.as_of or s.status == meeting_rules.SlotStatus.HELD]
    missed = [s for s in judged if s.status != meeting_rules.SlotStatus.HELD]
    required = sum(s.required for s in judged)
    held = sum(min(s.held, s.required) for s in judged)
    attendance = ""
    if facts.expected[meeting_type]:
        rate = round(100 * facts.present[meeting_type] / facts.expected[meeting_type])
        attendance = f"，平均到会率{rate}%"
    short = f"；{facts.short[meeting_type]}次到会人数未过半或未登记出勤，不计入" if facts.short[meeting_type] else ""
    note = (f"{meeting_rules.FREQUENCY_LABELS[frequency]}：应开{required}次，按期召开{held}次"
            f"（全年共召开{facts.held[meeting_type]}次{attendance}）{short}")
    if missed:
        periods = "、".join(f"{s.period.label}{'（' + '、'.join(s.missing) + '）' if len(units) > 1 else ''}"
                           for s in missed[:6])
        more = f"等{len(missed)}期" if len(missed) > 6 else ""
        return Prefill(ZERO, False, f"{note}。未按期召开：{periods}{more}。", links)
    if not required:
        return None  # nothing owed yet this year: nothing to judge
    return Prefill(FULL, True, f"{note}。", links)


def _sitting(organization: Organization) -> list[CommitteeMember]:
    cache = organization.__dict__.setdefault("_standards_seats", None)
    if cache is None:
        cache = list(CommitteeMember.objects.filter(organization=organization, ended_on__isnull=True)
                     .select_related("member__person").order_by("post", "pk"))
        organization.__dict__["_standards_seats"] = cache
    return cache


def _committee_link(organization: Organization) -> list[tuple[str, str]]:
    return [("委员会与换届", reverse("committee:page", args=[organization.pk]))]


def committee_size(*, organization: Organization, year: int) -> Prefill | None:
    """"合理配备书记、副书记和其他支部委员,最多不超过7人" (seed 004 二(一)1)."""
    seats = _sitting(organization)
    links = _committee_link(organization)
    if not organization.has_committee:
        return Prefill(FULL, True, "本支部不设支部委员会（党员人数较少），由书记主持工作。", links) if any(
            s.post == "secretary" for s in seats) else Prefill(ZERO, False, "未配备支部书记。", links)
    n = len(seats)
    if n > branch_rules.MAX_COMMITTEE_MEMBERS:
        return Prefill(ZERO, False, f"在任支部委员{n}人，超过最多{branch_rules.MAX_COMMITTEE_MEMBERS}人的规定。", links)
    if not any(s.post == "secretary" for s in seats):
        return Prefill(ZERO, False, f"在任支部委员{n}人，书记缺职。", links)
    if n < 3:
        return Prefill(ZERO, False, f"设支部委员会的支部在任委员仅{n}人，职数不全。", links)
    return Prefill(FULL, True, f"在任支部委员{n}人（最多7人），设书记。", links)


def committee_roles(*, organization: Organization, year: int) -> Prefill | None:
    """"党支部班子搭配科学,分工明确": a secretary and distinct posts for the others."""
    seats = _sitting(organization)
    links = _committee_link(organization)
    if not seats:
        return Prefill(ZERO, False, "无在任支部委员。", links)
    posts = [s.get_post_display() for s in seats]
    duplicated = sorted({p for p in posts if posts.count(p) > 1 and p != "委员"})
    if not any(s.post == "secretary" for s in seats):
        return Prefill(ZERO, False, "书记缺职，班子分工不明确。", links)
    if duplicated:
        return Prefill(ZERO, False, f"分工重复：{'、'.join(duplicated)}。", links)
    return Prefill(FULL, True, f"班子分工：{'、'.join(posts)}。", links)


def term(*, organization: Organization, year: int) -> Prefill | None:
    """"党支部按期换届,委员出缺及时补选" (seed 004 二(一)3)."""
    links = _committee_link(organization)
    if organization.term_ends_on is None:
        return Prefill(ZERO, False, "未登记本届任期，无法核实是否按期换届。", links)
    as_of = min(today(), date(year, 12, 31))
    status = branch_rules.term_status(ends_on=organization.term_ends_on, extended_until=organization.term_extended_until,
                                      today=as_of)
    deadline = organization.term_extended_until or organization.term_ends_on
    if status == "overdue":
        return Prefill(ZERO, False, f"本届任期已于{_day(deadline)}届满，未按期换届。", links)
    extended = "（经批准延期）" if organization.term_extended_until else ""
    return Prefill(FULL, True, f"本届任期至{_day(deadline)}{extended}，未超期。", links)


def dues(*, organization: Organization, year: int) -> Prefill | None:
    """"党费基数一年一核定,提醒党员主动、按时、足额交纳党费": every member has the year's base and owes
    nothing up to the last completed month."""
    links = [("党费台账", f"{reverse('dues:branch', args=[organization.pk])}?year={year}")]
    members = dues_selectors.branch_members(organization)
    total = members.count()
    if not total:
        return None
    without_base = total - DuesBase.objects.filter(organization=organization, year=year,
                                                   member__in=members).values("member").distinct().count()
    from branches.dues import rules as dues_rules
    up_to = dues_rules.reference_month(year=year, today=today())
    rows = [dues_selectors.dues_row(m, year=year, up_to_month=up_to)
            for m in dues_selectors.with_dues_position(members, year=year, up_to_month=up_to)]
    owing = sum(1 for r in rows if r.owed > 0)
    note = f"在册党员{total}人，{year}年党费基数已核定{total - without_base}人；截至{up_to}月欠交党员{owing}人。"
    if without_base or owing:
        return Prefill(ZERO, False, note, links)
    return Prefill(FULL, True, note, links)


def _register(organization: Organization, year: int) -> tuple[int, int, date | None]:
    stats = Member.objects.filter(organization=organization, is_active=True).aggregate(
        n=Count("pk"),
        incomplete=Count("pk", filter=Q(person__education="") | Q(person__gender="")),
        last=Max("updated_at"), last_person=Max("person__updated_at"),
    )
    last = max((d for d in (stats["last"], stats["last_person"]) if d is not None), default=None)
    return stats["n"], stats["incomplete"], last.date() if last else None


def member_register(*, organization: Organization, year: int) -> Prefill | None:
    """"定期对党员基本情况进行维护更新": the register was updated during the year and is complete."""
    links = [("党员名册", f"{reverse('membership:list')}?organization={organization.pk}")]
    n, incomplete, last = _register(organization, year)
    if not n:
        return Prefill(ZERO, False, "党员名册中没有在册党员。", links)
    note = f"在册党员{n}人，名册最近更新于{_day(last)}" if last else f"在册党员{n}人"
    if incomplete:
        return Prefill(ZERO, False, f"{note}；{incomplete}人基本情况（性别、学历）不全。", links)
    if last is None or last.year < year:
        return Prefill(ZERO, False, f"{note}；{year}年未维护更新党员信息。", links)
    return Prefill(FULL, True, f"{note}。", links)


def member_ledger(*, organization: Organization, year: int) -> Prefill | None:
    """党员信息台帐: the register kept (as above) and the dues record kept (the year's bases)."""
    register = member_register(organization=organization, year=year)
    fees = dues(organization=organization, year=year)
    if register is None:
        return None
    links = list(register.evidence) + (list(fees.evidence) if fees else [])
    met = register.met and (fees is None or fees.met)
    note = register.note + (f"党费记录：{fees.note}" if fees else "")
    return Prefill(FULL if met else ZERO, met, note, links)


def democratic_evaluation(*, organization: Organization, year: int) -> Prefill | None:
    """"每年以党支部为单位开展一次民主评议党员工作": a meeting of type 民主评议党员 that year."""
    facts = _facts(organization, year)
    links = _meeting_links(organization, year, MeetingType.DEMOCRATIC_EVALUATION)
    n = facts.held[MeetingType.DEMOCRATIC_EVALUATION]
    if n:
        return Prefill(FULL, True, f"{year}年开展民主评议党员{n}次。", links)
    if facts.as_of <= date(year, 12, 31):
        return None  # the year is not over: not judged yet
    return Prefill(ZERO, False, f"{year}年未开展民主评议党员。", links)


def life_ledger(*, organization: Organization, year: int) -> Prefill | None:
    """党组织生活台帐 "图文结合记录": every meeting of the year has minutes, and photos are kept."""
    facts = _facts(organization, year)
    links = [(f"{year}年会议记录", f"{reverse('meetings:list')}?organization={organization.pk}&year={year}")]
    if not facts.total:
        return Prefill(ZERO, False, f"{year}年没有组织生活记录。", links)
    note = (f"{year}年记录组织生活{facts.total}次，缺会议记录{facts.without_minutes}次，"
            f"缺照片{facts.without_photos}次。")
    met = not facts.without_minutes and facts.without_photos < facts.total
    return Prefill(FULL if met else ZERO, met, note, links)


def _meetings(meeting_type: str):  # type: ignore[no-untyped-def]
    def provider(*, organization: Organization, year: int) -> Prefill | None:
        return meeting_prefill(meeting_type, organization, year)
    return provider


BUILTIN = {
    "committee_size": committee_size,
    "committee_roles": committee_roles,
    "term": term,
    "dues": dues,
    "member_register": member_register,
    "member_ledger": member_ledger,
    "democratic_evaluation": democratic_evaluation,
    "life_ledger": life_ledger,
    "general_meeting": _meetings(MeetingType.GENERAL_MEETING),
    "committee_meeting": _meetings(MeetingType.COMMITTEE_MEETING),
    "group_meeting": _meetings(MeetingType.GROUP_MEETING),
    "party_lecture": _meetings(MeetingType.PARTY_LECTURE),
    "org_life_meeting": _meetings(MeetingType.ORG_LIFE_MEETING),
}


def register_builtins() -> None:
    for key, provider in BUILTIN.items():
        register_builtin(key, provider)
