"""Reads of the points ledger. Officers see the branches under their grants (VIEW_MEMBER; writes need
RECORD_POINTS, confirmations a secretary or committee grant); a member sees their own entries, score
and appeals, and others' only as far as the branch's ranking visibility allows. Out of scope is a 404.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth
from django.http import Http404

from branches import scoping
from branches.models import Organization
from branches.scoping import Action, AnyUser, Role
from membership.models import Member, Person

from . import registry, rules
from .models import (
    Appeal,
    AppealStatus,
    Entry,
    EntryStatus,
    Evidence,
    Item,
    PublishScope,
    RankingVisibility,
    Scheme,
    SchemeStatus,
    SectionKind,
    VetoStage,
)

ZERO = Decimal("0")
VIEW = Action.VIEW_MEMBER
CONFIRMING_ROLES = (Role.SECRETARY, Role.COMMITTEE)


# --- scope ------------------------------------------------------------------------------------------------


def has_points_scope(user: AnyUser) -> bool:
    return bool(scoping.path_roots(user, VIEW))


def branches_for_view(*, user: AnyUser) -> QuerySet[Organization]:
    """Organizations where the user may see points and that have or may have a scheme (branches)."""
    return scoping.organizations_for(user, VIEW).filter(
        Q(kind__in=["branch", "general_branch"]) | Q(scoring_schemes__isnull=False)
    ).distinct().order_by("path")


def branches_for_record(*, user: AnyUser) -> QuerySet[Organization]:
    return branches_for_view(user=user).filter(scoping.path_q(user, Action.RECORD_POINTS))


def branch_get(*, user: AnyUser, pk: object) -> Organization:
    return scoping.get_or_404(Organization.objects.all(), user, VIEW, path_field="path", pk=pk)


def may_record(*, user: AnyUser, organization: Organization) -> bool:
    return scoping.can(user, Action.RECORD_POINTS, organization)


def may_confirm(*, user: AnyUser, organization: Organization) -> bool:
    """The committee (or the secretary for it) confirms entries; a clerk only records them."""
    return any(g.role in CONFIRMING_ROLES and organization.path.startswith(g.path) for g in scoping.grants_of(user))


def own_person(user: AnyUser) -> Person | None:
    if not user.is_authenticated:
        return None
    return Person.objects.filter(user=user).select_related("member__organization").first()


def own_branch(user: AnyUser) -> Organization | None:
    member = Member.objects.filter(person__user=user, is_active=True).select_related("organization").first() \
        if user.is_authenticated else None
    return member.organization if member else None


def _self_q(user: AnyUser, field_name: str = "person__user") -> Q:
    if not user.is_authenticated:
        return Q(pk__in=[])
    return Q(**{field_name: user})


# --- schemes --------------------------------------------------------------------------------------------


def scheme_list(*, user: AnyUser, year: int | None = None) -> QuerySet[Scheme]:
    schemes = scoping.scoped(Scheme.objects.select_related("organization"), user, VIEW,
                             path_field="organization__path")
    if year:
        schemes = schemes.filter(year=year)
    return schemes.order_by("-year", "organization__path")


def scheme_get(*, user: AnyUser, pk: object) -> Scheme:
    return scoping.get_or_404(Scheme.objects.select_related("organization"), user, VIEW,
                              path_field="organization__path", pk=pk)


def scheme_for_member(*, user: AnyUser, year: int) -> Scheme | None:
    """The published scheme of the user's own branch for `year`."""
    branch = own_branch(user)
    if branch is None:
        return None
    return Scheme.objects.filter(organization=branch, year=year, status=SchemeStatus.PUBLISHED) \
        .select_related("organization").first()


def published_scheme_of(organization: Organization, year: int) -> Scheme | None:
    return Scheme.objects.filter(organization=organization, year=year, status=SchemeStatus.PUBLISHED).first()


def scheme_items(scheme: Scheme, *, active_only: bool = True) -> list[Item]:
    items = scheme.items.all()
    if active_only:
        items = items.filter(is_active=True)
    return list(items.order_by("order", "pk"))


def item_get(*, scheme: Scheme, pk: object) -> Item:
    try:
        return scheme.items.get(pk=pk)
    except (Item.DoesNotExist, ValueError, TypeError):
        raise Http404("对象不存在或无权访问。") from None


def scheme_rules(scheme: Scheme) -> rules.SchemeRules:
    return rules.SchemeRules(
        mode=scheme.mode, aggregation=scheme.aggregation,
        part_caps={k: Decimal(str(v)) for k, v in (scheme.section_caps or {}).items()},
        total_cap=scheme.total_cap, floor_zero=scheme.floor_zero, veto_zeroes=scheme.veto_zeroes,
    )


def item_rules(items: Iterable[Item]) -> dict[int, rules.ItemRule]:
    return {i.pk: rules.ItemRule(id=i.pk, section=i.section, part=i.part, cap=i.cap, cap_period=i.cap_period)
            for i in items}


# --- scores ---------------------------------------------------------------------------------------------


def _scores_for(scheme: Scheme, person_ids: Iterable[int] | None = None, *,
                until: date | None = None) -> dict[int, rules.YearScore]:
    """Every person's score under one scheme (two queries)."""
    items = item_rules(Item.objects.filter(scheme=scheme))
    rows = Entry.objects.filter(scheme=scheme, status=EntryStatus.CONFIRMED)
    if person_ids is not None:
        rows = rows.filter(person_id__in=list(person_ids))
    if until is not None:
        rows = rows.filter(occurred_on__lte=until)
    by_person: dict[int, list[rules.Points]] = defaultdict(list)
    for person_id, item_id, points, occurred_on, section in rows.values_list(
            "person_id", "item_id", "points", "occurred_on", "section"):
        by_person[person_id].append(rules.Points(item_id=item_id, points=points, occurred_on=occurred_on,
                                                 is_veto=section == SectionKind.VETO))
    ids = set(person_ids) if person_ids is not None else set(by_person)
    scheme_rule = scheme_rules(scheme)
    return {pid: rules.year_score(by_person.get(pid, []), items, scheme_rule) for pid in ids}


def scheme_scores(scheme: Scheme, person_ids: Iterable[int] | None = None) -> dict[int, rules.YearScore]:
    """{person_id: YearScore} under the scheme (its year and quarters). Used by scoring.stars."""
    return _scores_for(scheme, person_ids)


def person_totals(*, person_ids: Iterable[int], year: int) -> dict[int, Decimal]:
    """Each person's year total under the published schemes of `year` (zero when none)."""
    ids = list(set(person_ids))
    totals = dict.fromkeys(ids, ZERO)
    pairs = Entry.objects.filter(person_id__in=ids, scheme__year=year, scheme__status=SchemeStatus.PUBLISHED) \
        .values_list("scheme_id", "person_id").distinct()
    by_scheme: dict[int, set[int]] = defaultdict(set)
    for scheme_id, person_id in pairs:
        by_scheme[scheme_id].add(person_id)
    for scheme in Scheme.objects.filter(pk__in=list(by_scheme)):
        for person_id, score in _scores_for(scheme, by_scheme[scheme.pk]).items():
            totals[person_id] += score.total
    return totals


@dataclass(frozen=True)
class Standing:
    score: Decimal
    threshold: Decimal | None
    is_low: bool


def activist_standing(*, person_id: int, organization: Organization, on: date) -> Standing | None:
    """An activist's score this year in the branch, against the scheme's activist threshold (seed 000
    四: "入党积极分子积分结果…积分较低的,取消入党积极分子资格"). None without a published scheme."""
    scheme = published_scheme_of(organization, on.year)
    if scheme is None:
        return None
    score = _scores_for(scheme, [person_id], until=on)[person_id].total
    return Standing(score=score, threshold=scheme.activist_min_score,
                    is_low=rules.activist_is_low(score, scheme.activist_min_score))


# --- people of a branch -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoredRow:
    person_id: int
    name: str
    kind: str  # "" for a member, e.g. "activist" otherwise
    member_id: int | None = None


KIND_LABELS = {"activist": "入党积极分子", "probationary": "预备党员"}


def scored_people(organization: Organization, *, on: date) -> list[ScoredRow]:
    """Members of the branch in the register (one query) and the people other apps score there."""
    rows = [
        ScoredRow(person_id=pid, name=name, kind="probationary" if status == "probationary" else "", member_id=mid)
        for mid, pid, name, status in Member.objects.filter(organization=organization, is_active=True)
        .order_by("person__name", "pk").values_list("pk", "person_id", "person__name", "status")
    ]
    known = {r.person_id for r in rows}
    extra = [p for p in registry.scored_people(organization_ids=[organization.pk], on=on) if p.person_id not in known]
    if extra:
        names = dict(Person.objects.filter(pk__in=[p.person_id for p in extra]).values_list("pk", "name"))
        rows += [ScoredRow(person_id=p.person_id, name=names.get(p.person_id, ""), kind=p.kind) for p in extra]
    return rows


# --- ledger ------------------------------------------------------------------------------------------------


@dataclass
class Ledger:
    organization: Organization
    scheme: Scheme | None
    year: int
    month: int
    people: list[ScoredRow]
    items: list[Item]
    cells: dict[tuple[int, int], Decimal]
    person_totals: dict[int, Decimal]
    pending: dict[int, int]


def ledger(*, user: AnyUser, organization: Organization, year: int, month: int) -> Ledger:
    """The month's ledger grid: person × item, confirmed points (pending counted apart)."""
    if not scoping.can(user, VIEW, organization):
        raise Http404("对象不存在或无权访问。")
    start, end = rules.month_range(year, month)
    scheme = Scheme.objects.filter(organization=organization, year=year).first()
    people = scored_people(organization, on=end)
    items: list[Item] = []
    cells: dict[tuple[int, int], Decimal] = {}
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    pending: dict[int, int] = defaultdict(int)
    if scheme is not None:
        items = list(scheme.items.filter(Q(is_active=True) | Q(entries__occurred_on__range=(start, end)))
                     .distinct().order_by("order", "pk"))
        for person_id, item_id, status, points, n in Entry.objects.filter(
                scheme=scheme, occurred_on__range=(start, end), status__in=[EntryStatus.CONFIRMED, EntryStatus.PROPOSED],
        ).values_list("person_id", "item_id", "status").annotate(s=Sum("points"), n=Count("pk")).order_by():
            if status == EntryStatus.CONFIRMED:
                cells[(person_id, item_id)] = cells.get((person_id, item_id), ZERO) + points
                totals[person_id] += points
            else:
                pending[person_id] += n
    return Ledger(organization=organization, scheme=scheme, year=year, month=month, people=people, items=items,
                  cells=cells, person_totals=dict(totals), pending=dict(pending))


def monthly_summary(*, user: AnyUser, organization: Organization, year: int) -> list[dict[str, Any]]:
    """Per month: confirmed entries and their points, pending and rejected counts (one query)."""
    if not scoping.can(user, VIEW, organization):
        raise Http404("对象不存在或无权访问。")
    months = {m: {"month": m, "confirmed": 0, "points": ZERO, "proposed": 0, "rejected": 0} for m in range(1, 13)}
    for month, status, n, points in Entry.objects.filter(organization=organization, occurred_on__year=year) \
            .annotate(m=ExtractMonth("occurred_on")).values_list("m", "status") \
            .annotate(n=Count("pk"), s=Sum("points")).order_by():
        months[month][status] = n
        if status == EntryStatus.CONFIRMED:
            months[month]["points"] = points or ZERO
    return list(months.values())


# --- entries -----------------------------------------------------------------------------------------------


def _entries() -> QuerySet[Entry]:
    return Entry.objects.select_related("person", "item", "scheme", "decided_by", "proposed_by", "compensates") \
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("pk")), "compensations")


def entry_get(*, user: AnyUser, pk: object) -> Entry:
    return scoping.get_or_404(_entries(), user, VIEW, path_field="organization__path", self_q=_self_q(user), pk=pk)


def entry_list(*, user: AnyUser, organization: Organization | None = None, person_id: int | None = None,
               year: int | None = None, status: str = "") -> QuerySet[Entry]:
    entries = scoping.scoped(_entries(), user, VIEW, path_field="organization__path", self_q=_self_q(user))
    if organization is not None:
        entries = entries.filter(organization=organization)
    if person_id is not None:
        entries = entries.filter(person_id=person_id)
    if year:
        entries = entries.filter(occurred_on__year=year)
    if status:
        entries = entries.filter(status=status)
    return entries.order_by("-occurred_on", "-pk")


def pending_confirmations(*, user: AnyUser, organization: Organization | None = None) -> QuerySet[Entry]:
    """Proposed entries waiting for the committee or general meeting (vetoes under review excluded)."""
    entries = scoping.scoped(_entries(), user, VIEW, path_field="organization__path") \
        .filter(status=EntryStatus.PROPOSED).exclude(veto_stage=VetoStage.FILED)
    if organization is not None:
        entries = entries.filter(organization=organization)
    return entries.order_by("occurred_on", "pk")


def vetoes_under_review(*, user: AnyUser, organization: Organization | None = None) -> QuerySet[Entry]:
    entries = scoping.scoped(_entries(), user, VIEW, path_field="organization__path") \
        .filter(veto_stage=VetoStage.FILED)
    if organization is not None:
        entries = entries.filter(organization=organization)
    return entries


def evidence_get(*, user: AnyUser, pk: object) -> Evidence:
    return scoping.get_or_404(Evidence.objects.select_related("entry"), user, VIEW,
                              path_field="entry__organization__path", self_q=_self_q(user, "entry__person__user"),
                              pk=pk)


# --- the member's own score -----------------------------------------------------------------------------------


@dataclass
class ItemLine:
    item: Item
    points: Decimal


@dataclass
class SectionLine:
    section: str
    label: str
    points: Decimal
    items: list[ItemLine] = field(default_factory=list)


@dataclass
class MyScore:
    person: Person
    scheme: Scheme | None
    year: int
    quarter: int
    score: rules.YearScore | None
    sections: list[SectionLine]
    entries: list[Entry]
    rank: int | None
    ranked_count: int
    ranking: list[tuple[int, str, Decimal]]  # (rank, name, total) as far as the branch shows it


def _rank(scores: dict[int, rules.YearScore], people: list[ScoredRow]) -> list[tuple[int, int, Decimal]]:
    """(rank, person_id, total), competition ranking (ties share a rank)."""
    ordered = sorted(((scores[p.person_id].total if p.person_id in scores else ZERO, p.person_id) for p in people),
                     key=lambda pair: -pair[0])
    ranked, last, last_rank = [], None, 0
    for n, (total, pid) in enumerate(ordered, 1):
        if total != last:
            last_rank, last = n, total
        ranked.append((last_rank, pid, total))
    return ranked


def person_score(*, person: Person, scheme: Scheme | None, year: int, today: date,
                 with_ranking: bool = True) -> MyScore:
    quarter = rules.quarter_of(today) if today.year == year else 4
    if scheme is None:
        return MyScore(person=person, scheme=None, year=year, quarter=quarter, score=None, sections=[], entries=[],
                       rank=None, ranked_count=0, ranking=[])
    items = {i.pk: i for i in Item.objects.filter(scheme=scheme)}
    entries = list(_entries().filter(scheme=scheme, person=person).order_by("-occurred_on", "-pk"))
    confirmed = [rules.Points(item_id=e.item_id, points=e.points, occurred_on=e.occurred_on,
                              is_veto=e.section == SectionKind.VETO)
                 for e in entries if e.status == EntryStatus.CONFIRMED]
    score = rules.year_score(confirmed, item_rules(items.values()), scheme_rules(scheme))
    sections = []
    for value, label in SectionKind.choices:
        lines = [ItemLine(item=items[item_id], points=points) for item_id, points in score.year.by_item.items()
                 if items[item_id].section == value]
        lines.sort(key=lambda line: (line.item.order, line.item.pk))
        sections.append(SectionLine(section=value, label=label, points=score.year.by_section.get(value, ZERO),
                                    items=lines))
    rank, count, ranking = None, 0, []
    if with_ranking and scheme.ranking_visibility != RankingVisibility.HIDDEN:
        people = scored_people(scheme.organization, on=today)
        scores = _scores_for(scheme, [p.person_id for p in people])
        ranked = _rank(scores, people)
        count = len(ranked)
        names = {p.person_id: p.name for p in people}
        rank = next((r for r, pid, _ in ranked if pid == person.pk), None)
        if scheme.ranking_visibility == RankingVisibility.FULL:
            ranking = [(r, names[pid], total) for r, pid, total in ranked]
        elif scheme.ranking_visibility == RankingVisibility.HIDE_ENDS:
            ranking = [(r, names[pid], total) for r, pid, total in ranked[3:-3]] if count > 6 else []
    return MyScore(person=person, scheme=scheme, year=year, quarter=quarter, score=score, sections=sections,
                   entries=entries, rank=rank, ranked_count=count, ranking=ranking)


def my_score(*, user: AnyUser, year: int, today: date) -> MyScore | None:
    person = own_person(user)
    if person is None:
        return None
    return person_score(person=person, scheme=scheme_for_member(user=user, year=year), year=year, today=today)


def declarable_items(scheme: Scheme) -> list[Item]:
    return [i for i in scheme_items(scheme) if i.allow_declaration]


def suggestable_items(scheme: Scheme) -> list[Item]:
    return [i for i in scheme_items(scheme) if i.allow_suggestion]


# --- appeals -------------------------------------------------------------------------------------------------


def _appeal_self_q(user: AnyUser) -> Q:
    if not user.is_authenticated:
        return Q(pk__in=[])
    branch = own_branch(user)
    q = Q(raised_by=user) | Q(person__user=user)
    if branch is not None:
        q |= Q(organization=branch, status=AppealStatus.ANSWERED, publish_scope=PublishScope.BRANCH)
    return q


def _appeals() -> QuerySet[Appeal]:
    return Appeal.objects.select_related("person", "raised_by_person", "entry__item", "organization", "correction")


def appeal_list(*, user: AnyUser, organization: Organization | None = None, status: str = "") -> QuerySet[Appeal]:
    appeals = _appeals().filter(scoping.path_q(user, VIEW, "organization__path") | _appeal_self_q(user))
    if organization is not None:
        appeals = appeals.filter(organization=organization)
    if status:
        appeals = appeals.filter(status=status)
    return appeals.order_by("status", "-raised_at")


def appeal_get(*, user: AnyUser, pk: object) -> Appeal:
    try:
        return appeal_list(user=user).get(pk=pk)
    except (Appeal.DoesNotExist, ValueError, TypeError):
        raise Http404("对象不存在或无权访问。") from None


def open_appeal_count(*, user: AnyUser) -> int:
    return scoping.scoped(Appeal.objects.all(), user, VIEW, path_field="organization__path") \
        .filter(status=AppealStatus.OPEN).count()
