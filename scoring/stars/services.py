"""Writes of ranking and stars: quarterly freeze, year-end rollup, decision, publicity, finalization,
consequences and the democratic evaluation. Each write records its audit event in its transaction.

The freeze and the rollup are set-based on PostgreSQL (`scoring.stars.sql`): a fixed number of
statements per batch of branches, whatever the number of members. Any other vendor (the embedded SQLite
default) takes a portable path that computes the same rows with the points rules and writes them with
the ORM; `_set_based` is the one switch between the two.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import Avg, Count, F, Max, Min, Q
from django.db.models.functions import Floor
from django.urls import reverse
from django.utils import timezone

from audit.notifications.services import notify_many
from audit.publicity.models import PublicityWindow, WindowStatus
from audit.publicity.services import publicity_open
from audit.services import appending_in_batch, record
from branches.life_models import CommitteeMember, CommitteePost
from branches.models import Organization
from membership.models import Member, MemberStatus, Person
from partyadmin.errors import RuleViolation
from partyadmin.jobs import job_advance, job_finish, job_start
from partyadmin.models import JobRun
from partyadmin.workdays import add_months, add_working_days, china_today
from scoring import rules as points

from . import rules, sql
from .models import (
    Consequence,
    ConsequenceKind,
    ConsequenceStatus,
    DemocraticEvaluation,
    EvaluationResult,
    EvaluationStatus,
    ProposalStatus,
    QuarterFreeze,
    QuarterResult,
    StarProposal,
    StarRow,
)

BATCH_BRANCHES = 500
UPDATE_BATCH = 5000
NOTE_MAX = 2000
EVALUATION_SOURCE = "scoring.democratic_evaluation"
ROW_SUBJECT = "stars.starrow"
RESULT_SUBJECT = "stars.quarterresult"


def _chunks(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _actor(user: AbstractBaseUser | None) -> AbstractBaseUser | None:
    return user if user is not None and user.is_authenticated else None


def _text(value: str, *, code: str, message: str, field: str, limit: int = NOTE_MAX, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise RuleViolation(code, message, field=field)
    if len(value) > limit:
        raise RuleViolation(code, f"内容过长（最多{limit}字）。", field=field)
    return value


def published_branch_ids(*, year: int, county_id: int | None = None, organization_ids: Iterable[int] | None = None
                         ) -> list[int]:
    from scoring.models import Scheme, SchemeStatus

    qs = Scheme.objects.filter(year=year, status=SchemeStatus.PUBLISHED)
    if county_id is not None:
        qs = qs.filter(Q(county_id=county_id) | Q(organization__county_id=county_id))
    if organization_ids is not None:
        qs = qs.filter(organization_id__in=list(organization_ids))
    return sorted(set(qs.values_list("organization_id", flat=True)))


# --- totals: set-based on PostgreSQL, portable elsewhere ------------------------------------------


def _set_based() -> bool:
    """PostgreSQL runs the set-based statements (`scoring.stars.sql`, `unnest` updates); any other vendor,
    the embedded SQLite default first, takes the portable path: the same rows from `branch_totals`,
    written with the ORM."""
    return connection.vendor == "postgresql"


@dataclass(frozen=True)
class BranchTotal:
    """One row of `sql.TOTALS_SQL` (`ranked`): a scored person's parts, total and rank in a branch."""

    organization_id: int
    person_id: int
    base: Decimal
    bonus: Decimal
    deduction: Decimal
    vetoed: bool
    total: Decimal
    branch_rank: int
    is_member: bool
    is_probationary: bool = False
    is_exempt: bool = False
    is_leading_cadre: bool = False
    joined_on: date | None = None
    member_id: int | None = None


def _score_parts(found: list[points.Points], items: Mapping[int, points.ItemRule],
                 scheme_rule: points.SchemeRules | None, *, quarterly: bool) -> dict[str, Any]:
    """A person's base, bonus, deduction, veto and total over the period, rounded as the SQL rounds them."""
    if not found or scheme_rule is None:
        zero = points.money(0)
        return {"base": zero, "bonus": zero, "deduction": zero, "vetoed": False, "total": zero}
    score = (points.period_score(found, items, scheme_rule) if quarterly
             else points.year_score(found, items, scheme_rule).year)
    return {"base": points.money(score.by_section[points.BASE]), "bonus": points.money(score.by_section[points.BONUS]),
            "deduction": points.money(score.by_section[points.DEDUCTION]), "vetoed": score.vetoed,
            "total": points.money(score.total)}


def branch_totals(organization_ids: Iterable[int], *, year: int, quarter: int | None = None) -> list[BranchTotal]:
    """The rows of `sql.TOTALS_SQL` from the points rules, for the portable path: for each branch with a
    published scheme of the year, its active members (zero without entries) and the people scored there
    who are members nowhere, scored over one quarter (`period_score`, divisor 1) or the year
    (`year_score`: a "quarter_average" scheme divides by four), ranked in the branch by total."""
    from scoring.models import Entry, EntryStatus, Item, Scheme, SchemeStatus, SectionKind
    from scoring.selectors import item_rules, scheme_rules

    schemes = list(Scheme.objects.filter(organization_id__in=list(organization_ids), year=year,
                                         status=SchemeStatus.PUBLISHED))
    if not schemes:
        return []
    scheme_rule = {s.organization_id: scheme_rules(s) for s in schemes}
    items = item_rules(Item.objects.filter(scheme__in=schemes))
    start, end = ((rules.Quarter(year, quarter).start, rules.Quarter(year, quarter).end) if quarter
                  else (date(year, 1, 1), date(year, 12, 31)))
    entries = Entry.objects.filter(scheme__in=schemes, status=EntryStatus.CONFIRMED, occurred_on__range=(start, end))
    scored: dict[tuple[int, int], list[points.Points]] = defaultdict(list)
    for org_id, person_id, item_id, value, occurred_on, section in entries.values_list(
            "organization_id", "person_id", "item_id", "points", "occurred_on", "section"):
        scored[(org_id, person_id)].append(points.Points(item_id=item_id, points=value, occurred_on=occurred_on,
                                                         is_veto=section == SectionKind.VETO))
    people: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for member_id, org_id, person_id, status, is_exempt, is_leading_cadre, joined_on in Member.objects.filter(
            organization_id__in=list(scheme_rule), is_active=True).values_list(
            "pk", "organization_id", "person_id", "status", "is_exempt", "is_leading_cadre", "joined_on"):
        people[org_id].append({
            "organization_id": org_id, "person_id": person_id, "is_member": True, "member_id": member_id,
            "is_probationary": status == MemberStatus.PROBATIONARY, "is_exempt": is_exempt,
            "is_leading_cadre": is_leading_cadre, "joined_on": joined_on})
    members_somewhere = set(Member.objects.filter(is_active=True, person_id__in=entries.values("person_id"))
                            .values_list("person_id", flat=True))
    for org_id, person_id in scored:
        if person_id not in members_somewhere:
            people[org_id].append({"organization_id": org_id, "person_id": person_id, "is_member": False})
    out: list[BranchTotal] = []
    for org_id, rows in people.items():
        parts = [_score_parts(scored.get((org_id, row["person_id"]), []), items, scheme_rule.get(org_id),
                              quarterly=quarter is not None) for row in rows]
        ranks = rules.ranks(part["total"] for part in parts)
        out += [BranchTotal(**row, **part, branch_rank=rank) for row, part, rank in zip(rows, parts, ranks, strict=True)]
    return out


# --- quarterly freeze (DESIGN §6.4) --------------------------------------------------------------


def _analysis(freeze_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Per freeze: count, average, highest, lowest and the low scorers (below 80% of the average)."""
    stats = {
        row["freeze_id"]: row
        for row in QuarterResult.objects.filter(freeze_id__in=freeze_ids, is_member=True)
        .values("freeze_id").annotate(n=Count("id"), avg=Avg("total"), top=Max("total"), low=Min("total"),
                                      base=Avg("base"), bonus=Avg("bonus"), deduction=Avg("deduction"))
    }
    buckets: dict[int, dict[str, int]] = defaultdict(dict)
    for freeze_id, bucket, n in (QuarterResult.objects.filter(freeze_id__in=freeze_ids, is_member=True)
                                 .annotate(bucket=Floor(F("total") / 10) * 10)
                                 .values_list("freeze_id", "bucket").annotate(n=Count("id"))
                                 .order_by("freeze_id", "-bucket")):
        buckets[freeze_id][f"{int(bucket)}–{int(bucket) + 9}"] = n
    out = {}
    for freeze_id in freeze_ids:
        row = stats.get(freeze_id)
        if not row:
            out[freeze_id] = {"count": 0}
            continue
        avg = Decimal(row["avg"] or 0).quantize(Decimal("0.01"))
        out[freeze_id] = {
            "count": row["n"], "average": str(avg), "highest": str(row["top"]), "lowest": str(row["low"]),
            "average_base": str(Decimal(row["base"] or 0).quantize(Decimal("0.01"))),
            "average_bonus": str(Decimal(row["bonus"] or 0).quantize(Decimal("0.01"))),
            "average_deduction": str(Decimal(row["deduction"] or 0).quantize(Decimal("0.01"))),
            "low_line": str((avg * Decimal("0.8")).quantize(Decimal("0.01"))),
            "distribution": buckets.get(freeze_id, {}),
        }
    return out


def _publicize_quarter(freezes: list[QuarterFreeze], *, acting_user, today: date) -> int:
    """Opens the ranking publicity of each frozen branch whose scheme lets members see rankings, and
    reminds the low scorers. Public fields only: name, rank and quarter total."""
    from scoring.models import RankingVisibility, Scheme

    if not freezes:
        return 0
    year = freezes[0].year
    visibility = dict(Scheme.objects.filter(organization_id__in=[f.organization_id for f in freezes], year=year)
                      .values_list("organization_id", "ranking_visibility"))
    rows: dict[int, list[tuple]] = defaultdict(list)
    for row in (QuarterResult.objects.filter(freeze__in=freezes, is_member=True)
                .order_by("freeze_id", "rank", "person_id")
                .values_list("freeze_id", "pk", "person__name", "rank", "total", "person__user_id")):
        rows[row[0]].append(row[1:])
    opened = 0
    for freeze in freezes:
        shown = visibility.get(freeze.organization_id)
        people = rows.get(freeze.pk, [])
        low_line = Decimal(freeze.analysis.get("low_line") or 0)
        low_users = [uid for _, _, _, total, uid in people if uid and total < low_line]
        if low_users:
            from django.contrib.auth import get_user_model

            notify_many(
                users=get_user_model().objects.filter(pk__in=low_users), key=f"stars.low:{freeze.pk}",
                kind="stars.low_score", title=f"{freeze.label}积分提醒",
                body="您上一季度的积分低于支部平均水平较多，请对照积分项目查找原因、改进提高。",
                url=reverse("stars:my_stars"), organization=freeze.organization,
            )
        if not people or shown in (RankingVisibility.HIDDEN, RankingVisibility.OWN_RANK):
            continue
        fields = {"total": "季度积分"} if shown == RankingVisibility.HIDE_ENDS else {"rank": "名次", "total": "季度积分"}
        entries = []
        for pk, name, rank, total, _ in people:
            snapshot = {"name": name, "total": float(total)}
            if "rank" in fields:
                snapshot["rank"] = rank
            entries.append((RESULT_SUBJECT, str(pk), snapshot))
        window = publicity_open(
            acting_user=acting_user, organization=freeze.organization,
            title=f"{freeze.organization.name}{freeze.label}党员积分排名公示",
            kind="scoring.quarter_ranking", entries=entries, scope=["branch_members"], starts_on=today,
            result_fields=fields, today=today,
        )
        QuarterFreeze.objects.filter(pk=freeze.pk).update(publicity_id=window.pk)
        opened += 1
    return opened


def _freezes_open(organization_ids: list[int], quarter: rules.Quarter, now: Any) -> list[int]:
    """Marks the branches not frozen yet for the quarter; the new markers' ids."""
    if _set_based():
        with connection.cursor() as cursor:
            cursor.execute(
                """INSERT INTO stars_quarterfreeze (organization_id, county_id, year, quarter, frozen_at, people,
                                                    analysis)
                   SELECT o.id, o.county_id, %s, %s, %s, 0, '{}'::jsonb FROM branches_organization o
                   WHERE o.id = ANY(%s)
                   ON CONFLICT (organization_id, year, quarter) DO NOTHING RETURNING id""",
                [quarter.year, quarter.number, now, organization_ids],
            )
            return [r[0] for r in cursor.fetchall()]
    frozen = QuarterFreeze.objects.filter(organization_id__in=organization_ids, year=quarter.year,
                                          quarter=quarter.number)
    done = set(frozen.values_list("organization_id", flat=True))
    QuarterFreeze.objects.bulk_create([
        QuarterFreeze(organization_id=pk, county_id=county_id, year=quarter.year, quarter=quarter.number,
                      frozen_at=now, people=0, analysis={})
        for pk, county_id in Organization.objects.filter(pk__in=organization_ids).values_list("pk", "county_id")
        if pk not in done
    ], ignore_conflicts=True)
    return list(frozen.exclude(organization_id__in=done).values_list("pk", flat=True))


def _freeze_results(organization_ids: list[int], quarter: rules.Quarter, freeze_ids: list[int]) -> int:
    """Writes the ranked quarter of each new freeze; the number of people written."""
    if _set_based():
        with connection.cursor() as cursor:
            cursor.execute(sql.FREEZE_SQL, {
                "orgs": organization_ids, "year": quarter.year, "quarter": quarter.number, "start": quarter.start,
                "end": quarter.end, "quarters": 1, "freeze_ids": freeze_ids,
            })
            return cursor.rowcount
    freeze_of = dict(QuarterFreeze.objects.filter(pk__in=freeze_ids).values_list("organization_id", "pk"))
    results = [
        QuarterResult(freeze_id=freeze_of[t.organization_id], organization_id=t.organization_id,
                      person_id=t.person_id, year=quarter.year, quarter=quarter.number, base=t.base, bonus=t.bonus,
                      deduction=t.deduction, vetoed=t.vetoed, total=t.total, rank=t.branch_rank,
                      is_member=t.is_member)
        for t in branch_totals(list(freeze_of), year=quarter.year, quarter=quarter.number)
        if t.organization_id in freeze_of
    ]
    QuarterResult.objects.bulk_create(results, ignore_conflicts=True)
    return len(results)


def _freezes_analysed(freeze_ids: list[int], analysis: dict[int, dict[str, Any]]) -> None:
    """Stores each freeze's analysis and head count."""
    if _set_based():
        with connection.cursor() as cursor:
            cursor.execute(
                """UPDATE stars_quarterfreeze f SET analysis = v.analysis::jsonb, people = v.people
                   FROM (SELECT unnest(%s::int[]) AS id, unnest(%s::text[]) AS analysis,
                                unnest(%s::int[]) AS people) v
                   WHERE f.id = v.id""",
                [freeze_ids, [json.dumps(analysis[i], ensure_ascii=False) for i in freeze_ids],
                 [analysis[i].get("count", 0) for i in freeze_ids]],
            )
        return
    QuarterFreeze.objects.bulk_update(
        [QuarterFreeze(pk=i, analysis=analysis[i], people=analysis[i].get("count", 0)) for i in freeze_ids],
        ["analysis", "people"], batch_size=UPDATE_BATCH)


def quarter_freeze(*, organization_ids: Iterable[int], quarter: rules.Quarter, acting_user=None,
                   today: date | None = None, publicize: bool = True) -> dict[str, int]:
    """Freezes, ranks and analyses one quarter for the given branches (those with a published scheme
    of that year), opens the ranking publicity and reminds low scorers. Idempotent: a branch frozen
    before is left alone."""
    today = today or china_today()
    ids = published_branch_ids(year=quarter.year, organization_ids=organization_ids)
    if not ids:
        return {"frozen": 0, "people": 0, "publicized": 0}
    now = timezone.now()
    with transaction.atomic(), appending_in_batch():
        freeze_ids = _freezes_open(ids, quarter, now)
        if not freeze_ids:
            return {"frozen": 0, "people": 0, "publicized": 0}
        people = _freeze_results(ids, quarter, freeze_ids)
        _freezes_analysed(freeze_ids, _analysis(freeze_ids))
        freezes = list(QuarterFreeze.objects.filter(pk__in=freeze_ids).select_related("organization"))
        for freeze in freezes:
            record(actor=_actor(acting_user), action="stars.quarter_freeze", organization=freeze.organization,
                   subject=freeze, changes={"quarter": [None, freeze.label], "people": [None, freeze.people]})
        publicized = _publicize_quarter(freezes, acting_user=_actor(acting_user), today=today) if publicize else 0
    return {"frozen": len(freeze_ids), "people": people, "publicized": publicized}


def first_working_day(quarter: rules.Quarter) -> date:
    return add_working_days(quarter.start, 1)


def quarter_freeze_all(*, quarter: rules.Quarter, acting_user=None, today: date | None = None,
                       county_id: int | None = None, job_run: JobRun | None = None,
                       publicize: bool = True) -> dict[str, int]:
    """Every branch (of a county, or everywhere) not yet frozen for the quarter, batch by batch with
    progress on a JobRun."""
    ids = published_branch_ids(year=quarter.year, county_id=county_id)
    done = set(QuarterFreeze.objects.filter(year=quarter.year, quarter=quarter.number, organization_id__in=ids)
               .values_list("organization_id", flat=True))
    todo = [i for i in ids if i not in done]
    run = job_run or job_start("stars_quarter_freeze", total=len(todo), user=_actor(acting_user),
                               label=f"{quarter.label}积分冻结排名")
    totals = {"frozen": 0, "people": 0, "publicized": 0}
    try:
        for chunk in _chunks(todo, BATCH_BRANCHES):
            counts = quarter_freeze(organization_ids=chunk, quarter=quarter, acting_user=acting_user, today=today,
                                    publicize=publicize)
            for key, value in counts.items():
                totals[key] += value
            job_advance(run, len(chunk))
    except Exception as exc:
        if job_run is None:
            job_finish(run, error=str(exc))
        raise
    if job_run is None:
        job_finish(run, result=totals)
    return totals


def quarter_freeze_step(*, today: date) -> dict[str, int]:
    """Daily step: from the first working day of a quarter, freeze the previous quarter of every branch
    not frozen yet (so a missed day catches up); safe to run twice."""
    current = rules.Quarter.of(today)
    if today < first_working_day(current):
        return {"frozen": 0}
    result = quarter_freeze_all(quarter=current.previous(), today=today)
    return {"frozen": result["frozen"], "publicized": result["publicized"]}


# --- year-end rollup (DESIGN §6.5) ---------------------------------------------------------------


def _update_rows(updates: list[tuple[int, int | None, int | None, bool, list[str]]]) -> None:
    """Writes back (row id, rank, proposed level, tie, notes) in batches; the level starts as proposed."""
    if _set_based():
        with connection.cursor() as cursor:
            for batch in _chunks(updates, UPDATE_BATCH):
                cursor.execute(
                    """UPDATE stars_starrow r SET rank = v.rank, proposed_level = v.level, level = v.level,
                              tie = v.tie, notes = v.notes::jsonb
                       FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::int[]) AS rank,
                                    unnest(%s::int[]) AS level, unnest(%s::bool[]) AS tie,
                                    unnest(%s::text[]) AS notes) v
                       WHERE r.id = v.id""",
                    [[u[0] for u in batch], [u[1] for u in batch], [u[2] for u in batch], [u[3] for u in batch],
                     [json.dumps(u[4], ensure_ascii=False) for u in batch]],
                )
        return
    StarRow.objects.bulk_update(
        [StarRow(pk=pk, rank=rank, proposed_level=level, level=level, tie=tie, notes=notes)
         for pk, rank, level, tie, notes in updates],
        ["rank", "proposed_level", "level", "tie", "notes"], batch_size=UPDATE_BATCH)


def _update_proposals(updates: list[tuple[int, int, list[dict[str, Any]], list[str], bool]]) -> None:
    """Writes back (proposal id, participants, quotas, warnings, raised) in batches."""
    if _set_based():
        with connection.cursor() as cursor:
            for batch in _chunks(updates, UPDATE_BATCH):
                cursor.execute(
                    """UPDATE stars_starproposal p SET participants = v.n, quotas = v.quotas::jsonb,
                              warnings = v.warnings::jsonb, raised = v.raised
                       FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::int[]) AS n,
                                    unnest(%s::text[]) AS quotas, unnest(%s::text[]) AS warnings,
                                    unnest(%s::bool[]) AS raised) v
                       WHERE p.id = v.id""",
                    [[u[0] for u in batch], [u[1] for u in batch],
                     [json.dumps(u[2], ensure_ascii=False) for u in batch],
                     [json.dumps(u[3], ensure_ascii=False) for u in batch], [u[4] for u in batch]],
                )
        return
    StarProposal.objects.bulk_update(
        [StarProposal(pk=pk, participants=n, quotas=quotas, warnings=warnings, raised=raised)
         for pk, n, quotas, warnings, raised in updates],
        ["participants", "quotas", "warnings", "raised"], batch_size=UPDATE_BATCH)


def _apply_policies(proposal_ids: list[int]) -> None:
    """Runs the star policy of each proposal over its rows (read in one pass, written back in batches)."""
    policies = {}
    broken: dict[int, str] = {}
    for pk, policy, star_level in StarProposal.objects.filter(pk__in=proposal_ids).values_list(
            "pk", "policy", "organization__star_level"):
        try:
            policies[pk] = (rules.parse_policy(policy), star_level == 5)
        except rules.PolicyError as error:
            broken[pk] = f"积分方案的定星规则有误，未能计算建议：{error}"
    rows_by_proposal: dict[int, list[tuple]] = defaultdict(list)
    for row in (StarRow.objects.filter(proposal_id__in=proposal_ids)
                .values_list("proposal_id", "pk", "person_id", "total", "base", "vetoed", "exclusion")
                .iterator(chunk_size=10000)):
        rows_by_proposal[row[0]].append(row[1:])
    row_updates: list[tuple[int, int | None, int | None, bool, list[str]]] = []
    proposal_updates: list[tuple[int, int, list[dict[str, Any]], list[str], bool]] = []
    for proposal_id, message in broken.items():
        proposal_updates.append((proposal_id, 0, [], [message], False))
    for proposal_id, rows in rows_by_proposal.items():
        if proposal_id in broken:
            continue
        policy, raised = policies[proposal_id]
        row_of = {person_id: pk for pk, person_id, *_ in rows}
        proposal = rules.propose(policy, [
            rules.Candidate(person_id=person_id, total=total, base=base, vetoed=vetoed, exclusion=exclusion)
            for _, person_id, total, base, vetoed, exclusion in rows
        ], raised=raised)
        for r in proposal.rows:
            row_updates.append((row_of[r.person_id], r.rank, r.level, r.tie, list(r.notes)))
        quotas = [{"level": q.level, "label": q.label, "share": str(q.share), "kind": q.kind, "seats": q.seats,
                   "used": q.used} for q in proposal.quotas]
        proposal_updates.append((proposal_id, proposal.participants, quotas, list(proposal.warnings), raised))
    _update_rows(row_updates)
    _update_proposals(proposal_updates)


def _proposals_open(organization_ids: list[int], year: int, now: Any) -> list[int]:
    """Opens a proposal for each branch with a published scheme that has a star policy, and refreshes the
    policy of each proposal still undecided; the ids of the proposals to compute."""
    if _set_based():
        with connection.cursor() as cursor:
            cursor.execute(
                """INSERT INTO stars_starproposal (organization_id, county_id, scheme_id, year, policy, raised,
                                                   status, participants, quotas, warnings, decision_note,
                                                   created_at, updated_at)
                   SELECT s.organization_id, o.county_id, s.id, s.year, s.star_policy, FALSE, 'proposed', 0,
                          '[]'::jsonb, '[]'::jsonb, '', %(now)s, %(now)s
                   FROM scoring_scheme s JOIN branches_organization o ON o.id = s.organization_id
                   WHERE s.organization_id = ANY(%(orgs)s) AND s.year = %(year)s AND s.status = 'published'
                     AND s.star_policy <> '{}'::jsonb
                   ON CONFLICT (organization_id, year) DO NOTHING""",
                {"now": now, "orgs": organization_ids, "year": year},
            )
            cursor.execute(
                """UPDATE stars_starproposal p SET policy = s.star_policy, scheme_id = s.id, computed_at = %(now)s,
                          updated_at = %(now)s
                   FROM scoring_scheme s
                   WHERE s.organization_id = p.organization_id AND s.year = p.year AND p.year = %(year)s
                     AND p.organization_id = ANY(%(orgs)s) AND p.status = 'proposed' AND s.status = 'published'
                   RETURNING p.id""",
                {"now": now, "orgs": organization_ids, "year": year},
            )
            return [r[0] for r in cursor.fetchall()]
    from scoring.models import Scheme, SchemeStatus

    schemes = {org_id: (pk, county_id, policy) for pk, org_id, county_id, policy in Scheme.objects.filter(
        organization_id__in=organization_ids, year=year, status=SchemeStatus.PUBLISHED,
    ).values_list("pk", "organization_id", "organization__county_id", "star_policy")}
    opened = set(StarProposal.objects.filter(organization_id__in=list(schemes), year=year)
                 .values_list("organization_id", flat=True))
    StarProposal.objects.bulk_create([
        StarProposal(organization_id=org_id, county_id=county_id, scheme_id=pk, year=year, policy=policy,
                     created_at=now, updated_at=now)
        for org_id, (pk, county_id, policy) in schemes.items() if org_id not in opened and policy != {}
    ], ignore_conflicts=True)
    proposals = list(StarProposal.objects.filter(organization_id__in=list(schemes), year=year,
                                                 status=ProposalStatus.PROPOSED).only("pk", "organization_id"))
    for proposal in proposals:
        proposal.scheme_id, _, proposal.policy = schemes[proposal.organization_id]
        proposal.computed_at = proposal.updated_at = now
    StarProposal.objects.bulk_update(proposals, ["policy", "scheme_id", "computed_at", "updated_at"],
                                     batch_size=UPDATE_BATCH)
    return [proposal.pk for proposal in proposals]


def _excluded_keys(policy: object) -> frozenset[str]:
    """The reasons a policy's `excluded` names, as the jsonb `?` operator reads them."""
    excluded = policy.get("excluded") if isinstance(policy, dict) else None
    if isinstance(excluded, str):
        return frozenset([excluded])
    if isinstance(excluded, list | dict):
        return frozenset(key for key in excluded if isinstance(key, str))
    return frozenset()


def _exclusion(total: BranchTotal, excluded: frozenset[str], year: int) -> str:
    """The rollup's exclusion: activists always, then the policy's exempt, leading cadre and new member."""
    if not total.is_member:
        return "activist"
    for key, applies in (("exempt", total.is_exempt), ("leading_cadre", total.is_leading_cadre),
                         ("new_member", total.joined_on is not None and total.joined_on.year == year)):
        if applies and key in excluded:
            return key
    return ""


def _rollup_rows(organization_ids: list[int], year: int, proposal_ids: list[int]) -> int:
    """Writes the year's ranked rows of each proposal (parts, total, exclusion, secretary); their number."""
    if _set_based():
        with connection.cursor() as cursor:
            cursor.execute(sql.ROLLUP_SQL, {"orgs": organization_ids, "year": year, "start": date(year, 1, 1),
                                            "end": date(year, 12, 31), "quarters": 4, "proposal_ids": proposal_ids})
            return cursor.rowcount
    proposals = {org_id: (pk, _excluded_keys(policy)) for pk, org_id, policy in StarProposal.objects.filter(
        pk__in=proposal_ids).values_list("pk", "organization_id", "policy")}
    secretaries = set(CommitteeMember.objects.filter(
        organization_id__in=list(proposals), post=CommitteePost.SECRETARY, ended_on__isnull=True,
    ).values_list("organization_id", "member_id"))
    rows = [
        StarRow(proposal_id=proposals[t.organization_id][0], organization_id=t.organization_id,
                person_id=t.person_id, year=year, base=t.base, bonus=t.bonus, deduction=t.deduction,
                vetoed=t.vetoed, total=t.total, branch_rank=t.branch_rank,
                exclusion=_exclusion(t, proposals[t.organization_id][1], year), is_member=t.is_member,
                is_probationary=t.is_probationary,
                is_secretary=(t.organization_id, t.member_id) in secretaries, tie=False, notes=[], reason="")
        for t in branch_totals(list(proposals), year=year) if t.organization_id in proposals
    ]
    StarRow.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def rollup_branches(*, organization_ids: list[int], year: int) -> dict[str, int]:
    """Computes (or recomputes, while still undecided) the star proposals of the given branches."""
    now = timezone.now()
    with transaction.atomic():
        proposal_ids = _proposals_open(organization_ids, year, now)
        if not proposal_ids:
            return {"proposals": 0, "rows": 0}
        StarRow.objects.filter(proposal_id__in=proposal_ids).delete()
        rows = _rollup_rows(organization_ids, year, proposal_ids)
        _apply_policies(proposal_ids)
    return {"proposals": len(proposal_ids), "rows": rows}


def rollup_year(*, acting_user, county: Organization, year: int, job_run: JobRun | None = None) -> dict[str, int]:
    """Year-end rollup for every branch of a county (DESIGN §2.3): batches of branches, progress on a
    JobRun, one audit event for the run. Branches already decided are left alone."""
    ids = published_branch_ids(year=year, county_id=county.pk)
    run = job_run or job_start("stars_rollup", total=len(ids), user=_actor(acting_user),
                               label=f"{county.name}{year}年度积分定星汇总")
    totals = {"proposals": 0, "rows": 0}
    try:
        for chunk in _chunks(ids, BATCH_BRANCHES):
            counts = rollup_branches(organization_ids=chunk, year=year)
            for key, value in counts.items():
                totals[key] += value
            job_advance(run, len(chunk))
        with transaction.atomic():
            record(actor=_actor(acting_user), action="stars.rollup", organization=county, subject=county,
                   changes={"year": [None, year], "proposals": [None, totals["proposals"]],
                            "rows": [None, totals["rows"]]})
    except Exception as exc:
        if job_run is None:
            job_finish(run, error=str(exc))
        raise
    if job_run is None:
        job_finish(run, result=totals)
    return totals


def year_rollup_step(*, today: date) -> dict[str, int]:
    """Daily step (DESIGN §2.3 "January"): from the first working day of the year until the end of
    January, compute the star proposal of every branch of the previous year that has none yet."""
    year = today.year - 1
    if today.month != 1 or today < first_working_day(rules.Quarter(today.year, 1)):
        return {"proposals": 0}
    ids = published_branch_ids(year=year)
    done = set(StarProposal.objects.filter(year=year, organization_id__in=ids).values_list("organization_id",
                                                                                          flat=True))
    todo = [i for i in ids if i not in done]
    if not todo:
        return {"proposals": 0}
    run = job_start("stars_rollup", total=len(todo), label=f"{year}年度积分定星汇总")
    totals = {"proposals": 0, "rows": 0}
    try:
        for chunk in _chunks(todo, BATCH_BRANCHES):
            counts = rollup_branches(organization_ids=chunk, year=year)
            totals["proposals"] += counts["proposals"]
            totals["rows"] += counts["rows"]
            job_advance(run, len(chunk))
    except Exception as exc:
        job_finish(run, error=str(exc))
        raise
    job_finish(run, result=totals)
    return {"proposals": totals["proposals"]}


def proposal_recompute(*, acting_user, proposal: StarProposal) -> StarProposal:
    if proposal.status != ProposalStatus.PROPOSED:
        raise RuleViolation("stars.already_decided", "党员大会已作出决定，不能重新计算。")
    rollup_branches(organization_ids=[proposal.organization_id], year=proposal.year)
    with transaction.atomic():
        record(actor=_actor(acting_user), action="stars.recompute", organization=proposal.organization,
               subject=proposal, changes={"year": [None, proposal.year]})
    proposal.refresh_from_db()
    return proposal


# --- the general meeting's decision ------------------------------------------------------------------


def _candidates(rows: list[StarRow]) -> list[rules.Candidate]:
    return [rules.Candidate(person_id=r.person_id, total=r.total, base=r.base, vetoed=r.vetoed,
                            exclusion=r.exclusion, name=r.person.name) for r in rows]


def _locked(proposal: StarProposal) -> StarProposal:
    return StarProposal.objects.select_for_update().select_related("organization").get(pk=proposal.pk)


@transaction.atomic
def proposal_decide(*, acting_user, proposal: StarProposal, meeting_on: date, levels: Mapping[int, int | None],
                    reasons: Mapping[int, str] | None = None, note: str = "", today: date | None = None
                    ) -> StarProposal:
    """Records the general meeting's decision ("召开支部党员大会…确定党员星级等次"). `levels` and
    `reasons` are keyed by StarRow id. A level other than the proposal's needs a reason; a decision
    that the policy only warns about needs the meeting's explanation in `note`."""
    today = today or china_today()
    proposal = _locked(proposal)
    if proposal.status not in (ProposalStatus.PROPOSED, ProposalStatus.DECIDED):
        raise RuleViolation("stars.not_open", "定星结果已公示或已确定，不能再修改。")
    if meeting_on > today:
        raise RuleViolation("stars.meeting_future", "党员大会日期不能晚于今天。", field="meeting_on")
    if meeting_on.year < proposal.year:
        raise RuleViolation("stars.meeting_early", "党员大会日期不能早于评定年度。", field="meeting_on")
    reasons = {int(k): (v or "").strip() for k, v in (reasons or {}).items()}
    rows = list(proposal.rows.select_related("person").order_by("branch_rank", "person_id"))
    by_id = {r.pk: r for r in rows}
    unknown = set(map(int, levels)) - set(by_id)
    if unknown:
        raise RuleViolation("stars.unknown_row", "决定中含有不属于本支部的人员。")
    decided_by_person = {}
    for row in rows:
        level = levels.get(row.pk, row.proposed_level) if not row.exclusion else levels.get(row.pk)
        decided_by_person[row.person_id] = level
        if level != row.proposed_level and not row.exclusion:
            if not reasons.get(row.pk):
                raise RuleViolation("stars.reason_required",
                                    f"{row.person.name}：调整系统建议的等次须说明理由。", field=f"reason_{row.pk}")
            if len(reasons[row.pk]) > 300:
                raise RuleViolation("stars.reason_long", "理由最多300字。", field=f"reason_{row.pk}")
    try:
        policy = proposal.star_policy
    except rules.PolicyError as error:
        raise RuleViolation("stars.policy", f"定星规则有误：{error}") from None
    check = rules.check_decision(policy, _candidates(rows), decided_by_person, raised=proposal.raised)
    if check.errors:
        raise RuleViolation(check.errors[0].code, "；".join(e.message for e in check.errors[:5]))
    note = (note or "").strip()[:NOTE_MAX]
    if check.warnings and not note:
        raise RuleViolation("stars.warning_note",
                            "决定有以下情况，须在决定说明中写明党员大会的理由：" + "；".join(w.message for w in check.warnings),
                            field="note")
    changed = []
    for row in rows:
        level = decided_by_person[row.person_id]
        reason = reasons.get(row.pk, "") if level != row.proposed_level else ""
        if row.level != level or row.reason != reason:
            if row.level != level:
                changed.append([row.person.name, policy.label_of(row.level), policy.label_of(level)])
            row.level, row.reason = level, reason
            row.save(update_fields=["level", "reason"])
    proposal.status = ProposalStatus.DECIDED
    proposal.meeting_on = meeting_on
    proposal.decision_note = note
    proposal.decided_by = _actor(acting_user)
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "meeting_on", "decision_note", "decided_by", "decided_at", "updated_at"])
    record(actor=_actor(acting_user), action="stars.decide", organization=proposal.organization, subject=proposal,
           changes={"meeting_on": [None, meeting_on], "changed": [None, changed],
                    "warnings": [None, [w.message for w in check.warnings]]})
    return proposal


@transaction.atomic
def proposal_publicize(*, acting_user, proposal: StarProposal, starts_on: date | None = None,
                       today: date | None = None) -> PublicityWindow:
    """"定星结果要进行公示，接受党员群众监督": names and levels of the starred members only."""
    today = today or china_today()
    proposal = _locked(proposal)
    if proposal.status != ProposalStatus.DECIDED:
        raise RuleViolation("stars.not_decided", "党员大会决定后才能公示定星结果。")
    policy = proposal.star_policy
    rows = proposal.rows.filter(is_member=True, level__isnull=False).select_related("person").order_by(
        "-level", "branch_rank", "person_id")
    entries = [(ROW_SUBJECT, str(r.pk), {"name": r.person.name, "star": policy.label_of(r.level)}) for r in rows]
    if not entries:
        raise RuleViolation("stars.nothing_to_publicize", "没有可公示的定星结果。")
    window = publicity_open(
        acting_user=_actor(acting_user), organization=proposal.organization,
        title=f"{proposal.organization.name}{proposal.year}年度党员星级评定结果公示",
        kind="scoring.year_stars", entries=entries, scope=["branch_members"], starts_on=starts_on or today,
        result_fields={"star": "星级等次"}, today=today,
    )
    proposal.status = ProposalStatus.PUBLICIZED
    proposal.publicity_id = window.pk
    proposal.save(update_fields=["status", "publicity_id", "updated_at"])
    record(actor=_actor(acting_user), action="stars.publicize", organization=proposal.organization,
           subject=proposal, changes={"publicity": [None, window.pk], "ends_on": [None, window.ends_on]})
    return window


def publicity_objection_upheld(*, acting_user, subject_id: str, window, objection) -> None:
    """An objection upheld against a published star result sends the branch back to its meeting."""
    row = StarRow.objects.select_related("proposal__organization").filter(pk=subject_id).first()
    if row is None:
        return
    proposal = _locked(row.proposal)
    if proposal.status != ProposalStatus.PUBLICIZED:
        return
    proposal.status = ProposalStatus.PROPOSED
    proposal.publicity_id = None
    proposal.save(update_fields=["status", "publicity_id", "updated_at"])
    record(actor=_actor(acting_user), action="stars.reopen", organization=proposal.organization, subject=proposal,
           changes={"status": [ProposalStatus.PUBLICIZED.label, ProposalStatus.PROPOSED.label]})


def quarter_objection_upheld(*, acting_user, subject_id: str, window, objection) -> None:
    """A ranking objection is answered through the points appeal (the frozen quarter stays as frozen)."""
    freeze = QuarterFreeze.objects.filter(results__pk=subject_id).select_related("organization").first()
    if freeze is not None:
        record(actor=_actor(acting_user), action="stars.quarter_objection", organization=freeze.organization,
               subject=freeze, changes={"result": [None, subject_id]})


def _owner_for(organization: Organization, officers: dict[int, list]) -> Any:
    users = officers.get(organization.pk) or []
    return users[0] if users else None


@transaction.atomic
def proposal_finalize(*, acting_user, proposal: StarProposal, today: date | None = None) -> StarProposal:
    """After the publicity closed without an upheld objection, the result is final and the
    consequences (DESIGN §6.6) are opened as tracked follow-ups with an owner and a due date."""
    from membership.changes.services import officers_of

    today = today or china_today()
    proposal = _locked(proposal)
    if proposal.status != ProposalStatus.PUBLICIZED:
        raise RuleViolation("stars.not_publicized", "定星结果公示后才能确定。")
    window = PublicityWindow.objects.filter(pk=proposal.publicity_id).first()
    if window is None or window.status != WindowStatus.CLOSED:
        raise RuleViolation("stars.publicity_running", "公示期尚未结束，不能确定定星结果。")
    proposal.status = ProposalStatus.FINAL
    proposal.finalized_at = timezone.now()
    proposal.save(update_fields=["status", "finalized_at", "updated_at"])
    created = _open_consequences(proposal, today=today, officers=officers_of([proposal.organization_id]),
                                 acting_user=acting_user)
    record(actor=_actor(acting_user), action="stars.finalize", organization=proposal.organization, subject=proposal,
           changes={"consequences": [None, created]})
    return proposal


def _open_consequences(proposal: StarProposal, *, today: date, officers: dict[int, list], acting_user) -> int:
    from scoring.selectors import activist_standing

    policy = proposal.star_policy
    organization = proposal.organization
    rows = list(proposal.rows.all())
    previous = dict(StarRow.objects.filter(
        person_id__in=[r.person_id for r in rows], year=proposal.year - 1, proposal__status=ProposalStatus.FINAL,
    ).values_list("person_id", "level"))
    owner = _owner_for(organization, officers)
    parent = Organization.objects.get_parent(organization)
    items: list[Consequence] = []
    for row in rows:
        kinds: list[str] = []
        if row.exclusion == "activist":
            standing = activist_standing(person_id=row.person_id, organization=organization,
                                         on=date(proposal.year, 12, 31))
            kinds = rules.activist_consequences(is_low=bool(standing and standing.is_low))
        elif not row.exclusion:
            kinds = rules.consequences_for(rules.Subject(
                level=row.level, is_secretary=row.is_secretary, is_probationary=row.is_probationary,
                previous_level=previous.get(row.person_id)))
        for kind in kinds:
            superior = kind == rules.SECRETARY_INTERVIEW
            items.append(Consequence(
                person_id=row.person_id, organization=organization, county_id=organization.county_id,
                proposal=proposal, kind=kind, year=proposal.year, star_level=row.level,
                star_label=policy.label_of(row.level) if row.level is not None else "",
                owner=None if superior else owner,
                owner_label=(parent.name if superior and parent else "党支部"),
                due_on=add_months(today, rules.CONSEQUENCE_MONTHS[kind]),
            ))
    Consequence.objects.bulk_create(items, ignore_conflicts=True)
    if owner is not None and items:
        notify_many(users=[owner], key=f"stars.consequences:{proposal.pk}", kind="stars.consequence",
                    title=f"{proposal.year}年度定星结果运用：{len(items)}项后续措施待办",
                    url=reverse("stars:consequences", args=[organization.pk]), organization=organization)
    return len(items)


@transaction.atomic
def consequence_resolve(*, acting_user, consequence: Consequence, note: str) -> Consequence:
    """Marks a follow-up done with what was done (a talk held, probation extended, case opened…)."""
    consequence = Consequence.objects.select_for_update().select_related("organization").get(pk=consequence.pk)
    if consequence.status == ConsequenceStatus.DONE:
        raise RuleViolation("stars.consequence_done", "该项措施已办结。")
    note = _text(note, code="stars.note_required", message="请填写办理情况。", field="note")
    consequence.status = ConsequenceStatus.DONE
    consequence.resolved_note = note
    consequence.resolved_by = _actor(acting_user)
    consequence.resolved_at = timezone.now()
    consequence.save(update_fields=["status", "resolved_note", "resolved_by", "resolved_at", "updated_at"])
    record(actor=_actor(acting_user), action="stars.consequence_resolve", organization=consequence.organization,
           subject=consequence, changes={"status": [ConsequenceStatus.OPEN.label, ConsequenceStatus.DONE.label],
                                         "kind": [None, consequence.get_kind_display()]})
    return consequence


# --- democratic evaluation (民主评议党员) -------------------------------------------------------------


@transaction.atomic
def evaluation_open(*, acting_user, organization: Organization, year: int, held_on: date, note: str = "",
                    today: date | None = None) -> DemocraticEvaluation:
    today = today or china_today()
    if held_on > today:
        raise RuleViolation("stars.evaluation_future", "评议日期不能晚于今天。", field="held_on")
    if held_on.year not in (year, year + 1):
        raise RuleViolation("stars.evaluation_year", "评议日期须在评议年度或次年年初。", field="held_on")
    if DemocraticEvaluation.objects.filter(organization=organization, year=year).exists():
        raise RuleViolation("stars.evaluation_exists", f"本支部{year}年度的民主评议已经建立。", field="year")
    evaluation = DemocraticEvaluation.objects.create(
        organization=organization, county_id=organization.county_id, year=year, held_on=held_on,
        note=(note or "").strip()[:NOTE_MAX])
    record(actor=_actor(acting_user), action="stars.evaluation_open", organization=organization, subject=evaluation,
           changes={"year": [None, year], "held_on": [None, held_on]})
    return evaluation


@transaction.atomic
def evaluation_record(*, acting_user, evaluation: DemocraticEvaluation, person: Person, self_grade: str = "",
                      member_votes: Mapping[str, int], mass_opinions: Mapping[str, int] | None = None
                      ) -> EvaluationResult:
    """One member's counted forms: self-assessment, the members' votes and the masses' anonymous forms."""
    from membership.models import Member

    evaluation = DemocraticEvaluation.objects.select_for_update().select_related("organization").get(
        pk=evaluation.pk)
    if evaluation.status != EvaluationStatus.OPEN:
        raise RuleViolation("stars.evaluation_closed", "民主评议已完成，不能再修改。")
    if not Member.objects.filter(person=person, organization=evaluation.organization, is_active=True).exists():
        raise RuleViolation("stars.evaluation_not_member", "只能评议本支部党员。", field="person")
    if self_grade and self_grade not in rules.EVALUATION_GRADES:
        raise RuleViolation("stars.evaluation_self", "个人自评等次无效。", field="self_grade")
    try:
        votes = {k: int(member_votes.get(k, 0) or 0) for k in rules.EVALUATION_GRADES}
        mass = {k: int((mass_opinions or {}).get(k, 0) or 0) for k in rules.MASS_OPINIONS}
    except (TypeError, ValueError):
        raise RuleViolation("stars.evaluation_votes", "票数须为整数。") from None
    if any(v < 0 for v in [*votes.values(), *mass.values()]):
        raise RuleViolation("stars.evaluation_votes", "票数不能为负数。")
    try:
        result = rules.evaluation_grade(votes, mass)
    except ValueError:
        raise RuleViolation("stars.evaluation_no_votes", "请填写党员评议票数。") from None
    values = {
        "self_grade": self_grade, "excellent": votes["优秀"], "qualified": votes["合格"], "basic": votes["基本合格"],
        "unqualified": votes["不合格"], "mass_good": mass["好"], "mass_fair": mass["一般"], "mass_poor": mass["差"],
        "grade": result.grade, "grade_reason": result.reason,
    }
    row, created = EvaluationResult.objects.update_or_create(evaluation=evaluation, person=person, defaults=values)
    record(actor=_actor(acting_user), action="stars.evaluation_record", organization=evaluation.organization,
           subject=evaluation, changes={"person": [None, person.name], "grade": [None, result.grade],
                                        "reason": [None, result.reason]})
    return row


@transaction.atomic
def evaluation_close(*, acting_user, evaluation: DemocraticEvaluation) -> DemocraticEvaluation:
    """Completes the evaluation; each grade becomes a points entry of the branch scheme (when it has an
    item bound to the democratic evaluation)."""
    from scoring.services import source_entry_record

    evaluation = DemocraticEvaluation.objects.select_for_update().select_related("organization").get(
        pk=evaluation.pk)
    if evaluation.status != EvaluationStatus.OPEN:
        raise RuleViolation("stars.evaluation_closed", "民主评议已完成。")
    results = list(evaluation.results.select_related("person"))
    if not results:
        raise RuleViolation("stars.evaluation_empty", "还没有评议结果。")
    entries = 0
    for result in results:
        entry = source_entry_record(
            acting_user=acting_user, person=result.person, organization=evaluation.organization,
            source=EVALUATION_SOURCE, source_key=f"stars.evaluation:{result.pk}",
            occurred_on=min(evaluation.held_on, date(evaluation.year, 12, 31)),
            value=result.grade, note=f"{evaluation.year}年度民主评议：{result.grade}",
        )
        if entry is not None:
            result.entry_id = entry.pk
            result.save(update_fields=["entry_id"])
            entries += 1
    evaluation.status = EvaluationStatus.CLOSED
    evaluation.closed_at = timezone.now()
    evaluation.save(update_fields=["status", "closed_at", "updated_at"])
    record(actor=_actor(acting_user), action="stars.evaluation_close", organization=evaluation.organization,
           subject=evaluation, changes={"results": [None, len(results)], "entries": [None, entries]})
    return evaluation


def consequence_kinds() -> list[tuple[str, str]]:
    return list(ConsequenceKind.choices)
