"""Demo points (积分定星): for 东关社区党支部 (seed 001 社区 template) and 河口村党支部 (seed 000 焦作 template), a
published 2026 scheme announced at the January general meeting, a year of ledger entries confirmed by the
committee, attendance and the dues paid (demo_branch_life runs first) turned into entries, one correction,
some declarations still waiting, and one open appeal by the demo member account. Deterministic (no
randomness: every choice follows from a member's position in the register) and idempotent (a branch whose
scheme exists is left alone; attendance and dues entries are keyed by their source).
"""

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile

from branches.models import Organization
from membership.models import Member, Person
from scoring import services
from scoring.models import Entry, Item, Scheme

BRANCHES = {"DEMO-CG-DG": ("seed001_community", "dg_shuji"), "DEMO-HK-HK": ("seed000_jiaozuo", "hk_shuji")}


def _png() -> bytes:
    from io import BytesIO

    from PIL import Image

    image = Image.new("RGB", (96, 64), (181, 18, 27))
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def build(organizations: dict[str, Organization], today: date) -> None:
    users = get_user_model().objects
    for code, (template, secretary) in BRANCHES.items():
        branch = organizations[code]
        user = users.get(username=secretary)
        scheme = Scheme.objects.filter(organization=branch, year=today.year).first()
        if scheme is None:
            scheme = _scheme(branch, user, template, today)
            _year(scheme, user, today)
        services.attendance_entries_sync(today=today, organization_ids=[branch.pk])
        services.dues_entries_sync(today=today, organization_ids=[branch.pk])


def _scheme(branch: Organization, user, template: str, today: date) -> Scheme:
    scheme = services.scheme_create_from_template(acting_user=user, organization=branch, year=today.year,
                                                  template_code=template)
    services.scheme_announce(acting_user=user, scheme=scheme, announced_on=date(today.year, 1, 8))
    return services.scheme_publish(acting_user=user, scheme=scheme)


def _item(scheme: Scheme, code: str) -> Item:
    return scheme.items.get(code=code, is_active=True)


def _record(scheme: Scheme, user, code: str, people: list[int], day: date, *, points: str | None = None,
            note: str = "", body: str = "committee") -> list[Entry]:
    if not people or day.year != scheme.year:
        return []
    return services.entries_record(acting_user=user, scheme=scheme, item=_item(scheme, code), person_ids=people,
                                   occurred_on=day, points=Decimal(points) if points else None, note=note,
                                   confirm_body=body, decided_on=day)


def _year(scheme: Scheme, user, today: date) -> None:
    members = list(Member.objects.filter(organization=scheme.organization, is_active=True).order_by("pk")
                   .values_list("person_id", flat=True))
    year = today.year
    months = [m for m in range(1, 13) if date(year, m, 28) < today]
    if scheme.template_code == "seed001_community":
        _community(scheme, user, members, months, today)
    else:
        _rural(scheme, user, members, months, today)
    _pending_and_appeal(scheme, user, members, today)


def _community(scheme: Scheme, user, members: list[int], months: list[int], today: date) -> None:
    year = today.year
    _record(scheme, user, "b0", members, date(year, 1, 10), note="年初记基础积分", body="general_meeting")
    late = members[2::9]
    _record(scheme, user, "b2", late, date(year, 4, 12), points="2", note="未按时交纳党费")
    if 6 in months:
        for n, person in enumerate(members):
            _record(scheme, user, "e2", [person], date(year, 6, 30), points=str(5 - n % 3), note="上半年群众评议")
    contributions = [("c1", "3", "网格防疫值守"), ("c4", "2", "社区义务劳动"), ("c5", "3", "调解邻里纠纷"),
                     ("c3", "2", "组织广场文艺活动"), ("c2", "4", "协调解决停车难题")]
    for month in months:
        code, points, note = contributions[month % len(contributions)]
        chosen = [p for n, p in enumerate(members) if (n + month) % 4 == 0]
        _record(scheme, user, code, chosen, date(year, month, 18), points=points, note=note)
    wrong = _record(scheme, user, "c4", members[5:6], date(year, 3, 18), points="3", note="社区义务劳动")
    if wrong:
        services.entry_compensate(acting_user=user, entry=wrong[0], reason="与 3 月登记重复", body="committee",
                                  decided_on=date(year, 4, 5))


def _rural(scheme: Scheme, user, members: list[int], months: list[int], today: date) -> None:
    year = today.year
    for month in months:
        if month % 3 == 0:
            _record(scheme, user, "b4", members, date(year, month, 26), note="佩戴党徽参加党员大会")
    if 6 in months:
        _record(scheme, user, "b2", members, date(year, 6, 28), note="参加组织生活会")
    bonus = [("c2", "3", "带头移风易俗"), ("c4", "2", "帮助五保户秋收"), ("c1", "6", "防汛抢险值守")]
    for month in months:
        code, points, note = bonus[month % len(bonus)]
        _record(scheme, user, code, [p for n, p in enumerate(members) if (n * 3 + month) % 7 == 0],
                date(year, month, 20), points=points, note=note)
    _record(scheme, user, "d2", members[7:8], date(year, 5, 9), note="未完成党支部分配的巡河任务")
    _record(scheme, user, "d1", members[11:12], date(year, 9, 30), note="连续两次无故不参加组织生活")


def _pending_and_appeal(scheme: Scheme, user, members: list[int], today: date) -> None:
    declaring = [p for p in members[:3]]
    own = Person.objects.filter(user__username="dg_dangyuan", member__organization=scheme.organization).first()
    if own is not None and own.pk not in declaring:
        declaring = [own.pk, *declaring[:2]]
    day = date(today.year, max(1, today.month - 1), 25)
    code = "c4" if scheme.template_code == "seed001_community" else "c2"
    for n, person_id in enumerate(declaring):
        person = Person.objects.get(pk=person_id)
        account = person.user or user
        item = _item(scheme, code)
        if person.user is not None:
            services.entry_declare(
                acting_user=account, person=person, scheme=scheme, item=item, occurred_on=day,
                points=Decimal("2"), note="参加“敲门行动”走访独居老人",
                files=[services.EvidenceUpload(file=ContentFile(_png(), name="走访照片.png"))])
        else:
            services.entry_suggest(acting_user=user, person_id=person_id, scheme=scheme, item=item, occurred_on=day,
                                   points=Decimal("2"), note="群众反映帮助邻居抢修水管", proposer_name=f"受惠群众{n + 1}")
    if own is not None:
        entry = Entry.objects.filter(scheme=scheme, person=own, status="confirmed").order_by("-occurred_on").first()
        services.appeal_raise(acting_user=own.user, raised_by_person=own, person=own, organization=scheme.organization,
                              year=scheme.year, kind="query", entry=entry,
                              text="这条积分的分值是按哪一项标准计算的？请支部说明。")
