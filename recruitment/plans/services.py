"""Writes of the county side of recruitment: the plan, 入党志愿书 numbers, target-group marks, name lists.

Callers check the permission (`selectors.may_manage_plans`, `selectors.may_submit_name_list`); the services
check the rules and record one audit event per change, in the same transaction.
"""

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Count, Q

from audit.filings.models import Filing, FilingKind, FilingStatus
from audit.filings.services import filing_submit
from audit.services import record
from branches.models import Domain, Organization, OrganizationKind
from membership.models import Person
from partyadmin.errors import RuleViolation
from partyadmin.workdays import china_today

from . import rules
from .models import (
    MARKED_TARGET_GROUPS,
    DevelopmentPlan,
    FormNumber,
    NameList,
    NameListEntry,
    NameListStatus,
    PersonTargetGroup,
    TargetGroup,
)

NAME_LIST_SUBJECT = "recruitment_plans.namelist"
DOMAIN_LABELS = dict(Domain.choices)


def _user(user: AbstractBaseUser | None) -> AbstractBaseUser | None:
    return user if user is not None and user.is_authenticated else None


# --- the tree, as the plan sees it ---------------------------------------------------------------------

def townships_of(county: Organization) -> list[Organization]:
    """The organizations right under the county department (乡镇（街道）党（工）委 and 基层党委)."""
    return list(Organization.objects.filter(path__startswith=county.path, depth=county.depth + 1)
                .order_by("path"))


def township_path(county: Organization, organization: Organization) -> str | None:
    """The path of the organization's township (the node right under the county), if it lies under one."""
    length = (county.depth + 1) * Organization.steplen
    if not organization.path.startswith(county.path) or len(organization.path) < length:
        return None
    return organization.path[:length]


def _township_of(county: Organization, organization: Organization | None) -> Organization | None:
    if organization is None:
        return None
    path = township_path(county, organization)
    if path is None:
        return None
    if path == organization.path:
        return organization
    return Organization.objects.filter(path=path).first()


# --- the plan ------------------------------------------------------------------------------------------

def _clean_counts(values: Mapping[str, Any] | None) -> dict[str, int]:
    """Drops empty entries; zero stays (an explicit "no places")."""
    return {str(key): value for key, value in (values or {}).items() if value is not None and value != ""}


def _check_plan(*, county: Organization, year: int, total_quota: int, domain_quotas: dict[str, int],
                township_quotas: dict[str, int], target_group_targets: dict[str, int]) -> None:
    if county.kind != OrganizationKind.COUNTY_DEPT:
        raise RuleViolation("plan.not_county", "发展党员计划由县（市、区）委组织部制定。", field="county")
    rules.check_plan(
        year=year, total_quota=total_quota, domain_quotas=domain_quotas, township_quotas=township_quotas,
        target_group_targets=target_group_targets, domains=set(Domain.values),
        townships={str(t.pk) for t in townships_of(county)}, target_groups=set(TargetGroup.values),
    )


def _plan_snapshot(plan: DevelopmentPlan) -> dict[str, Any]:
    return {"total_quota": plan.total_quota, "domain_quotas": plan.domain_quotas,
            "township_quotas": plan.township_quotas, "target_group_targets": plan.target_group_targets,
            "note": plan.note}


@transaction.atomic
def plan_create(
    *, acting_user: AbstractBaseUser | None, county: Organization, year: int, total_quota: int,
    domain_quotas: Mapping[str, Any] | None = None, township_quotas: Mapping[str, Any] | None = None,
    target_group_targets: Mapping[str, Any] | None = None, note: str = "",
) -> DevelopmentPlan:
    """制定年度发展党员计划 (seed 003 item 13: "每年年初向市委组织部报备本年度发展党员详细计划")."""
    domain_quotas = _clean_counts(domain_quotas)
    township_quotas = _clean_counts(township_quotas)
    target_group_targets = _clean_counts(target_group_targets)
    _check_plan(county=county, year=year, total_quota=total_quota, domain_quotas=domain_quotas,
                township_quotas=township_quotas, target_group_targets=target_group_targets)
    exists = RuleViolation("plan.exists", f"{county.name}已有{year}年度发展党员计划，请修改原计划。", field="year")
    if DevelopmentPlan.objects.filter(county=county, year=year).exists():
        raise exists
    try:
        with transaction.atomic():  # two reviewers saving the same year at once: one plan, one refusal
            plan = DevelopmentPlan.objects.create(
                county=county, year=year, total_quota=total_quota, domain_quotas=domain_quotas,
                township_quotas=township_quotas, target_group_targets=target_group_targets, note=note.strip(),
                created_by=_user(acting_user),
            )
    except IntegrityError:
        raise exists from None
    record(actor=acting_user, action="development_plan.create", organization=county, subject=plan,
           changes={key: [None, value] for key, value in _plan_snapshot(plan).items()} | {"year": [None, year]})
    return plan


def _issued_counts(plan: DevelopmentPlan) -> tuple[int, dict[str, int]]:
    rows = (FormNumber.objects.filter(plan=plan, voided_on__isnull=True).values("domain")
            .annotate(n=Count("pk")).order_by())
    by_domain = {row["domain"]: row["n"] for row in rows}
    return sum(by_domain.values()), by_domain


@transaction.atomic
def plan_update(
    *, acting_user: AbstractBaseUser | None, plan: DevelopmentPlan, total_quota: int,
    domain_quotas: Mapping[str, Any] | None = None, township_quotas: Mapping[str, Any] | None = None,
    target_group_targets: Mapping[str, Any] | None = None, note: str = "",
) -> DevelopmentPlan:
    """调整年度计划. Locks the plan, so the check against the numbers issued cannot race an issue."""
    plan = DevelopmentPlan.objects.select_for_update().select_related("county").get(pk=plan.pk)
    domain_quotas = _clean_counts(domain_quotas)
    township_quotas = _clean_counts(township_quotas)
    target_group_targets = _clean_counts(target_group_targets)
    _check_plan(county=plan.county, year=plan.year, total_quota=total_quota, domain_quotas=domain_quotas,
                township_quotas=township_quotas, target_group_targets=target_group_targets)
    issued, by_domain = _issued_counts(plan)
    rules.check_not_below_issued(total_quota=total_quota, issued=issued, domain_quotas=domain_quotas,
                                 issued_by_domain=by_domain, domain_labels=DOMAIN_LABELS)
    before = _plan_snapshot(plan)
    plan.total_quota = total_quota
    plan.domain_quotas = domain_quotas
    plan.township_quotas = township_quotas
    plan.target_group_targets = target_group_targets
    plan.note = note.strip()
    changes = {key: [before[key], value] for key, value in _plan_snapshot(plan).items() if before[key] != value}
    if changes:
        plan.save()
        record(actor=acting_user, action="development_plan.update", organization=plan.county, subject=plan,
               changes=changes)
    return plan


# --- 入党志愿书 numbers --------------------------------------------------------------------------------

def _groups(groups: Iterable[str] | None) -> list[str]:
    wanted = list(dict.fromkeys(groups or []))
    allowed = {str(g) for g in MARKED_TARGET_GROUPS}
    for group in wanted:
        if group not in allowed:
            raise RuleViolation("target_group.unknown", f"未知的重点群体：{group}。", field="target_groups")
    return wanted


def _set_target_groups(person: Person, groups: list[str]) -> tuple[list[str], list[str]]:
    current = set(PersonTargetGroup.objects.filter(person=person).values_list("group", flat=True))
    added = [g for g in groups if g not in current]
    removed = sorted(current - set(groups))
    PersonTargetGroup.objects.filter(person=person, group__in=removed).delete()
    PersonTargetGroup.objects.bulk_create(
        [PersonTargetGroup(person=person, group=g, county_id=person.county_id) for g in added])
    return added, removed


@transaction.atomic
def form_number_issue(
    *, acting_user: AbstractBaseUser | None, county: Organization, year: int, person: Person, domain: str,
    today: date | None = None, organization: Organization | None = None,
    target_groups: Iterable[str] | None = None,
) -> FormNumber:
    """编号发放《入党志愿书》 against the annual plan (seed 000 二(二)5; seed 003 item 11 编码管理).

    Sequential per county and year; one valid number per person (a new one only after voiding the old);
    refused beyond the plan's total, the domain's places (when the plan divides by domain) and the township's
    places (when it divides by township and the person's branch `organization` is given). The plan row is
    locked first, so concurrent requests queue.
    """
    today = today or china_today()
    if domain not in Domain.values:
        raise RuleViolation("form_number.domain_invalid", "请选择发展对象所在领域。", field="domain")
    if person.county_id != county.pk:
        raise RuleViolation("form_number.other_county", "该人员不属于本县（市、区），不能发放入党志愿书编号。",
                            field="person")
    if organization is not None and not organization.path.startswith(county.path):
        raise RuleViolation("form_number.other_county", "所在党支部不属于本县（市、区）。", field="organization")
    groups = _groups(target_groups) if target_groups is not None else None
    plan = DevelopmentPlan.objects.select_for_update().filter(county=county, year=year).first()
    if plan is None:
        raise RuleViolation("form_number.no_plan",
                            f"{county.name}尚未制定{year}年度发展党员计划，不能发放入党志愿书编号。")
    existing = FormNumber.objects.filter(person=person, voided_on__isnull=True).order_by("-year").first()
    if existing is not None and existing.year == year:
        raise RuleViolation("form_number.already_issued",
                            f"{person.name}本年度已有入党志愿书编号 {existing.number}，每人每年只能编号一次。",
                            field="person")
    if existing is not None:
        raise RuleViolation("form_number.already_issued",
                            f"{person.name}已有{existing.year}年入党志愿书编号 {existing.number}，"
                            "如需重新编号，请先作废原编号。", field="person")
    township = _township_of(county, organization)
    township_quota = None
    if township is not None and plan.township_quotas:
        township_quota = plan.township_quotas.get(str(township.pk), 0)
    aggregates = {"total": Count("pk"), "domain": Count("pk", filter=Q(domain=domain))}
    if township is not None:
        aggregates["township"] = Count("pk", filter=Q(township=township))
    counts = FormNumber.objects.filter(plan=plan, voided_on__isnull=True).aggregate(**aggregates)
    rules.check_quota_left(rules.QuotaState(
        total_quota=plan.total_quota, issued=counts["total"],
        domain_quota=plan.domain_quotas.get(domain, 0) if plan.domain_quotas else None,
        domain_issued=counts["domain"], domain_label=DOMAIN_LABELS[domain],
        township_quota=township_quota, township_issued=counts.get("township", 0),
        township_label=township.name if township is not None else "",
    ))
    seq = plan.next_seq
    plan.next_seq = seq + 1
    plan.save(update_fields=["next_seq", "updated_at"])
    form_number = FormNumber.objects.create(
        plan=plan, county=county, year=year, seq=seq,
        number=rules.form_number_text(county_code=county.code, year=year, seq=seq), person=person,
        domain=domain, organization=organization, township=township, issued_on=today,
        issued_by=_user(acting_user),
    )
    changes: dict[str, Any] = {
        "number": [None, form_number.number], "person": [None, person.name], "domain": [None, domain],
        "organization": [None, organization.name if organization else None], "issued_on": [None, today],
    }
    if groups is not None:
        added, removed = _set_target_groups(person, groups)
        if added or removed:
            changes["target_groups"] = [removed or None, added or None]
    record(actor=acting_user, action="form_number.issue", organization=county, subject=form_number,
           subject_label=f"{form_number.number} {person.name}", changes=changes)
    return form_number


@transaction.atomic
def form_number_void(*, acting_user: AbstractBaseUser | None, form_number: FormNumber, reason: str,
                     today: date | None = None) -> FormNumber:
    """作废编号 (e.g. a spoiled form, or the person was not admitted). The number stays used: never reissued;
    its place in the quota is freed."""
    reason = rules.check_void_reason(reason)
    today = today or china_today()
    claimed = FormNumber.objects.filter(pk=form_number.pk, voided_on__isnull=True).update(
        voided_on=today, void_reason=reason, voided_by=_user(acting_user))
    if claimed != 1:
        raise RuleViolation("form_number.already_void", "该编号已作废。")
    form_number.refresh_from_db()
    record(actor=acting_user, action="form_number.void", organization=form_number.county, subject=form_number,
           subject_label=f"{form_number.number} {form_number.person.name}",
           changes={"voided_on": [None, today], "reason": [None, reason]})
    return form_number


@transaction.atomic
def person_target_groups_set(*, acting_user: AbstractBaseUser | None, person: Person,
                             groups: Iterable[str]) -> list[str]:
    """Marks the target groups (重点群体) a person belongs to; 妇女 follows from the gender."""
    wanted = _groups(groups)
    added, removed = _set_target_groups(person, wanted)
    if added or removed:
        record(actor=acting_user, action="target_groups.set", organization=person.county, subject=person,
               subject_label=person.name, changes={"target_groups": [removed or None, added or None]})
    return wanted


@transaction.atomic
def numbers_export_record(*, acting_user: AbstractBaseUser, plan: DevelopmentPlan, count: int) -> None:
    """Every export is an audit event (DESIGN §2.7)."""
    record(actor=acting_user, action="form_number.export", organization=plan.county, subject=plan,
           changes={"rows": count})


# --- the name list for the county pre-review ------------------------------------------------------------

@transaction.atomic
def name_list_pre_review_submit(
    *, acting_user: AbstractBaseUser | None, organization: Organization, year: int, people: list[Person],
    note: str = "", today: date | None = None,
) -> NameList:
    """报县委组织部预审 (seed 003 item 7): the 拟发展对象 name list goes to the county department as a 预审
    filing; the county's decision marks the list (`name_list_decided`)."""
    if not people:
        raise RuleViolation("name_list.empty", "名单中至少要有一名拟发展对象。", field="people")
    if organization.kind == OrganizationKind.COUNTY_DEPT or organization.county_id is None:
        raise RuleViolation("name_list.no_county", "名单由基层党组织报县（市、区）委组织部预审。")
    if not rules.MIN_YEAR <= year <= rules.MAX_YEAR:
        raise RuleViolation("plan.year_invalid", "年度无效。", field="year")
    unique = list({person.pk: person for person in people}.values())
    if any(person.county_id != organization.county_id for person in unique):
        raise RuleViolation("name_list.other_county", "名单中有不属于本县（市、区）的人员。", field="people")
    county = organization.county
    name_list = NameList.objects.create(county=county, organization=organization, year=year, note=note.strip(),
                                        submitted_by=_user(acting_user))
    NameListEntry.objects.bulk_create([NameListEntry(name_list=name_list, person=person) for person in unique])
    names = "、".join(person.name for person in unique)
    plan = DevelopmentPlan.objects.filter(county=county, year=year).first()
    if plan is None:
        context = f"{year}年度发展党员计划尚未制定。"
    else:
        issued, _ = _issued_counts(plan)
        context = f"{year}年度计划发展 {plan.total_quota} 名，已编号 {issued} 名。"
    filing = filing_submit(
        acting_user=acting_user, from_organization=organization, to_organization=county,
        kind=FilingKind.PRE_REVIEW, subject_type=NAME_LIST_SUBJECT, subject_id=name_list.pk,
        subject_label=str(name_list), title=f"{year}年度拟发展对象名单预审（{len(unique)} 名）",
        note="\n".join(part for part in [note.strip(), f"名单：{names}", context] if part), today=today,
    )
    name_list.filing = filing
    name_list.save(update_fields=["filing", "updated_at"])
    record(actor=acting_user, action="name_list.submit", organization=organization, subject=name_list,
           changes={"year": [None, year], "people": [None, names], "filing": [None, filing.pk]})
    return name_list


def name_list_decided(*, acting_user: AbstractBaseUser, subject_id: str, filing: Filing) -> None:
    """The filing handler: the county's decision on the 预审 marks the list approved or returned."""
    name_list = NameList.objects.select_for_update().filter(pk=subject_id).first()
    if name_list is None:
        return
    status = NameListStatus.APPROVED if filing.status == FilingStatus.APPROVED else NameListStatus.RETURNED
    before = name_list.status
    name_list.status = status
    name_list.decided_at = filing.decided_at
    name_list.opinion = filing.opinion
    name_list.save(update_fields=["status", "decided_at", "opinion", "updated_at"])
    record(actor=acting_user, action=f"name_list.{'approve' if status == NameListStatus.APPROVED else 'return'}",
           organization=name_list.organization, subject=name_list,
           changes={"status": [before, status], "opinion": [None, filing.opinion or None]})
