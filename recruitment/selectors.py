"""Reads of the admission pipeline, always through the tenancy scope (404 out of scope).

* officers and reviewers see the files of their subtree (VIEW_MEMBER); officers act (CHANGE_MEMBER);
* a member (the member role) sees their own file only.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet

from branches import scoping
from branches.models import Domain, Organization, OrganizationKind
from branches.scoping import Action, AnyUser
from membership.models import Member, MemberStatus

from . import rules
from .models import FileStatus, RecruitmentFile, Stage, Step, StepStatus

PATH_FIELD = "organization__path"


def _self_q(user: AnyUser) -> Q:
    if not user.is_authenticated:
        return Q(pk__in=[])
    return Q(person__user=user)


def _files() -> QuerySet[RecruitmentFile]:
    return RecruitmentFile.objects.select_related("person", "organization")


def file_list(*, user: AnyUser, organization: Organization | None = None, stage: str = "", status: str = "",
              search: str = "") -> QuerySet[RecruitmentFile]:
    files = scoping.scoped(_files(), user, Action.VIEW_MEMBER, path_field=PATH_FIELD, self_q=_self_q(user))
    if organization is not None:
        files = files.filter(organization__path__startswith=organization.path)
    if stage:
        files = files.filter(stage=stage)
    if status:
        files = files.filter(status=status)
    if search.strip():
        files = files.filter(person__name__icontains=search.strip())
    return files.order_by("organization__path", "person__name", "pk")


def file_get(*, user: AnyUser, pk: object) -> RecruitmentFile:
    return scoping.get_or_404(_files(), user, Action.VIEW_MEMBER, path_field=PATH_FIELD, self_q=_self_q(user), pk=pk)


def file_get_for_change(*, user: AnyUser, pk: object) -> RecruitmentFile:
    """A file the user may act on (secretary, committee); 404 otherwise, as for any foreign row."""
    return scoping.get_or_404(_files(), user, Action.CHANGE_MEMBER, path_field=PATH_FIELD, pk=pk)


def may_change(*, user: AnyUser, file: RecruitmentFile) -> bool:
    return scoping.can(user, Action.CHANGE_MEMBER, file.organization)


def steps_of(file: RecruitmentFile) -> list[Step]:
    return list(Step.objects.filter(file=file).select_related("filing", "filing__to_organization", "publicity")
                .prefetch_related("materials").order_by("number"))


def branches_for(*, user: AnyUser, action: Action = Action.VIEW_MEMBER) -> QuerySet[Organization]:
    return scoping.organizations_for(user, action).filter(kind=OrganizationKind.BRANCH, is_active=True).order_by("path")


def branch_get(*, user: AnyUser, pk: object, action: Action = Action.VIEW_MEMBER) -> Organization:
    return scoping.get_or_404(Organization.objects.filter(kind=OrganizationKind.BRANCH), user, action,
                              path_field="path", pk=pk)


def branch_members(*, branch: Organization, full_only: bool = False) -> QuerySet[Member]:
    members = Member.objects.filter(organization=branch, is_active=True).select_related("person")
    if full_only:
        members = members.filter(status=MemberStatus.FULL)
    return members.order_by("person__name", "pk")


def transfer_targets(file: RecruitmentFile) -> QuerySet[Organization]:
    """The other branches of the county, where the person may now work, study or live."""
    return (Organization.objects.filter(county_id=file.county_id, kind=OrganizationKind.BRANCH, is_active=True)
            .exclude(pk=file.organization_id).order_by("path"))


def party_groups_of(branch: Organization) -> QuerySet[Organization]:
    return Organization.objects.filter(path__startswith=branch.path, depth=branch.depth + 1,
                                       kind=OrganizationKind.PARTY_GROUP, is_active=True).order_by("path")


# --- the branch board -------------------------------------------------------------------------------

@dataclass
class Board:
    branch: Organization
    columns: list[tuple[str, str, list[RecruitmentFile]]]
    flags: list[str] = field(default_factory=list)
    closed: list[RecruitmentFile] = field(default_factory=list)


def _is_stagnant(user: AnyUser, branch: Organization, today: date) -> bool:
    from recruitment.plans.selectors import stagnant_branches

    return stagnant_branches(user=user, years=3, today=today).filter(pk=branch.pk).exists()


def branch_board(*, user: AnyUser, branch: Organization, today: date) -> Board:
    """The branch's active files by stage, with their current step and deadline (query count fixed)."""
    files = list(file_list(user=user, organization=branch, status=FileStatus.ACTIVE))
    by_stage: dict[str, list[RecruitmentFile]] = defaultdict(list)
    for file in files:
        by_stage[file.stage].append(file)
    columns = [(value, label, by_stage.get(value, [])) for value, label in Stage.choices if value != Stage.FULL]
    closed = list(file_list(user=user, organization=branch).exclude(status=FileStatus.ACTIVE)
                  .order_by("-ended_on", "-pk")[:20])
    flags = []
    if branch.domain in (Domain.RURAL, Domain.COMMUNITY):
        designated = RecruitmentFile.objects.filter(organization=branch, activist_on__year=today.year).exists()
        if not designated:
            flags.append(f"{today.year}年尚未确定入党积极分子（农村、社区基层党组织每年至少要培养和确定1名入党积极分子）。")
    if _is_stagnant(user, branch, today):
        flags.append("连续3年以上未发展党员，列为发展党员工作重点对象。")
    return Board(branch=branch, columns=columns, flags=flags, closed=closed)


# --- the county dashboard ------------------------------------------------------------------------------

def _township_of_path(path: str, townships: dict[str, Organization]) -> Organization | None:
    for prefix, org in townships.items():
        if path.startswith(prefix):
            return org
    return None


def dashboard(*, user: AnyUser, today: date) -> dict[str, Any]:
    """Counts per stage per township (per branch for a township's own reviewers) and the overdue steps, in the
    user's scope."""
    roots = scoping.top_organizations(user, Action.VIEW_MEMBER)
    townships: dict[str, Organization] = {}
    for root in roots:
        if root.kind in (OrganizationKind.COUNTY_DEPT, OrganizationKind.MUNICIPAL_DEPT, OrganizationKind.COMMITTEE):
            for child in Organization.objects.filter(path__startswith=root.path, depth=root.depth + 1).order_by("path"):
                townships[child.path] = child
        else:
            townships[root.path] = root
    rows = (file_list(user=user, status=FileStatus.ACTIVE).order_by()
            .values("organization__path", "stage").annotate(n=Count("pk")))
    overdue_rows = (file_list(user=user, status=FileStatus.ACTIVE).filter(deadline_status="overdue").order_by()
                    .values("organization__path").annotate(n=Count("pk")))
    table: dict[int, dict[str, Any]] = {}
    for org in townships.values():
        table[org.pk] = {"organization": org, "stages": dict.fromkeys(Stage.values, 0), "overdue": 0}
    for row in rows:
        org = _township_of_path(row["organization__path"], townships)
        if org is not None:
            table[org.pk]["stages"][row["stage"]] += row["n"]
    for row in overdue_rows:
        org = _township_of_path(row["organization__path"], townships)
        if org is not None:
            table[org.pk]["overdue"] += row["n"]
    lines = [
        {**line, "cells": [line["stages"][s] for s in Stage.values if s != Stage.FULL]} for line in table.values()
    ]
    totals = [sum(line["cells"][i] for line in lines) for i in range(len(Stage.values) - 1)]
    overdue = list(file_list(user=user, status=FileStatus.ACTIVE).filter(deadline_status="overdue")
                   .order_by("next_due_on")[:50])
    from recruitment.plans.selectors import quota_use

    quota = quota_use(user=user, year=today.year)
    stage_labels = [label for value, label in Stage.choices if value != Stage.FULL]
    chart = {"labels": [line["organization"].name for line in lines], "stages": stage_labels,
             "series": [[line["cells"][i] for line in lines] for i in range(len(stage_labels))],
             "overdue": [line["overdue"] for line in lines]}
    return {"lines": lines, "totals": totals, "overdue": overdue, "quota": quota, "chart": chart,
            "stage_labels": [label for value, label in Stage.choices if value != Stage.FULL],
            "overdue_total": sum(line["overdue"] for line in lines)}


# --- for other apps ----------------------------------------------------------------------------------------

def scored_activists(*, organization_ids: list[int], on: date) -> list[tuple[int, int]]:
    """(person_id, organization_id) of the activists and candidates in these branches, scored like members."""
    return list(RecruitmentFile.objects.filter(
        organization_id__in=organization_ids, status=FileStatus.ACTIVE, stage__in=[Stage.ACTIVIST, Stage.CANDIDATE],
    ).values_list("person_id", "organization_id"))


def own_file(*, user: AnyUser) -> RecruitmentFile | None:
    if not user.is_authenticated:
        return None
    return _files().filter(person__user=user).order_by("-pk").first()


def step_rows(steps: list[Step]) -> list[dict[str, Any]]:
    """The timeline rows for pages and the printable record."""
    return [{
        "step": step, "number": step.number, "title": step.title, "phase": step.phase,
        "status": step.get_status_display(), "is_done": step.status == StepStatus.DONE,
        "is_current": step.status == StepStatus.IN_PROGRESS,
    } for step in steps]


def deadline_label(status: str) -> str:
    return rules.DEADLINE_LABELS.get(status, "")


def activist_training_prefill(*, organization: Organization, year: int) -> Any:
    """规范化建设 item "对入党积极分子开展教育培训、谈心谈话等形式的培养考察" (seed 004): met when the branch kept
    training records of its activists that year."""
    from django.urls import reverse

    from branches.standards.prefill import FULL, ZERO
    from branches.standards.registry import Prefill

    from .models import TrainingKind, TrainingRecord

    kinds = [TrainingKind.STUDY, TrainingKind.ABSORB, TrainingKind.TALK, TrainingKind.QUARTERLY_REPORT,
             TrainingKind.HALF_YEAR_EXAM]
    records = TrainingRecord.objects.filter(file__organization=organization, kind__in=kinds, occurred_on__year=year)
    people = records.values("file_id").distinct().count()
    count = records.count()
    evidence = [("发展党员", reverse("recruitment:branch_board", args=[organization.pk]))]
    if not count:
        return Prefill(ZERO, False, f"{year}年没有入党积极分子培养教育记录。", evidence)
    return Prefill(FULL, True, f"{year}年对 {people} 名入党积极分子有培养教育记录 {count} 条。", evidence)


def probation_extended_until(member: Member) -> date | None:
    """The end of a probation the branch meeting or the star rating extended (延长预备期), for the member register."""
    file = (RecruitmentFile.objects.filter(member=member, probation_extended_months__gt=0)
            .exclude(status=FileStatus.TERMINATED).order_by("-pk").first())
    return file.probation_ends_on if file is not None else None


def name_list_candidates(*, organization: Organization, year: int) -> list[Any]:
    """拟发展对象 for the county's pre-review (seed 003 第7条): the development candidates in the subtree
    who have not reached the 入党志愿书 yet."""
    from membership.models import Person

    person_ids = RecruitmentFile.objects.filter(
        organization__path__startswith=organization.path, status=FileStatus.ACTIVE, stage=Stage.CANDIDATE,
        current_step__lte=14,
    ).values("person_id")
    return list(Person.objects.filter(pk__in=person_ids).order_by("name", "pk"))
