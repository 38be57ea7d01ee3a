"""Reads of the county side of recruitment, always through the tenancy scope (`branches.scoping`).

Who sees and does what:

* **Plans, numbers, quota use** belong to the county department. A user manages (creates and changes the
  plan, voids numbers, exports the ledger) and reads them for county C when they hold a `reviewer` grant on
  C itself or on an organization above it (the municipal department): `county.path` starts with the grant's
  path. A township reviewer's grant lies below the county, so it does not qualify; no other role does.
* **The structure report and the stagnant branches** read the member register: any `reviewer` grant covers
  its own subtree (the county reviewer the whole county, a township reviewer their township).
* **Name lists** are read by the county's reviewers (as above) and by the officers of the sending
  organization (`Action.VIEW_MEMBER` on it); they are submitted with `Action.CHANGE_MEMBER` on the sender.

Everything else is a 404, exactly as for a row that does not exist.
"""

from dataclasses import dataclass, field
from datetime import date
from functools import reduce
from operator import or_

from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Substr
from django.http import Http404

from branches import scoping
from branches.models import Domain, Organization, OrganizationKind
from branches.policies import policy_value
from branches.scoping import Action, AnyUser, Role
from membership.models import Education, Gender, Member, MemberStatus
from partyadmin.workdays import add_months, china_today

from . import rules
from .models import (
    MARKED_TARGET_GROUPS,
    DevelopmentPlan,
    FormNumber,
    NameList,
    NameListEntry,
    NameListStatus,
    TargetGroup,
)
from .policies import PRE_REVIEW_REQUIRED

NOT_FOUND = "对象不存在或无权访问。"


# --- scope ------------------------------------------------------------------------------------------

def reviewer_paths(user: AnyUser) -> list[str]:
    """Paths of the user's reviewer grants, nested ones collapsed."""
    paths = sorted({g.path for g in scoping.grants_of(user) if g.role is Role.REVIEWER})
    roots: list[str] = []
    for path in paths:
        if not roots or not path.startswith(roots[-1]):
            roots.append(path)
    return roots


def _prefix_q(paths: list[str], path_field: str) -> Q:
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{path_field}__startswith": path}) for path in paths))


def county_q(user: AnyUser, county_path_field: str = "county__path") -> Q:
    """Rows of counties the user manages: a reviewer grant on the county department or above."""
    return _prefix_q(reviewer_paths(user), county_path_field)


def reviewer_q(user: AnyUser, path_field: str) -> Q:
    """Rows under the user's reviewer grants (any level)."""
    return _prefix_q(reviewer_paths(user), path_field)


def may_manage_plans(*, user: AnyUser, county: Organization) -> bool:
    return county.kind == OrganizationKind.COUNTY_DEPT and any(
        county.path.startswith(path) for path in reviewer_paths(user))


def plan_counties(*, user: AnyUser) -> QuerySet[Organization]:
    """County departments whose plans the user manages."""
    return Organization.objects.filter(county_q(user, "path"), kind=OrganizationKind.COUNTY_DEPT,
                                       is_active=True).order_by("path")


def county_get(*, user: AnyUser, pk: object) -> Organization:
    try:
        return plan_counties(user=user).get(pk=pk)
    except (Organization.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None


def report_counties(*, user: AnyUser) -> list[Organization]:
    """Counties in which the user holds a reviewer grant (at, above or below the county department)."""
    paths = reviewer_paths(user)
    if not paths:
        return []
    step = Organization.steplen
    q = Q()
    for path in paths:
        q |= Q(path__startswith=path) | Q(path__in=[path[:end] for end in range(step, len(path) + 1, step)])
    return list(Organization.objects.filter(q, kind=OrganizationKind.COUNTY_DEPT, is_active=True).order_by("path"))


def report_county_get(*, user: AnyUser, pk: object) -> Organization:
    for county in report_counties(user=user):
        if str(county.pk) == str(pk):
            return county
    raise Http404(NOT_FOUND)


# --- plans ------------------------------------------------------------------------------------------

def plan_list(*, user: AnyUser, year: int | None = None) -> QuerySet[DevelopmentPlan]:
    plans = DevelopmentPlan.objects.filter(county_q(user)).select_related("county", "created_by")
    if year is not None:
        plans = plans.filter(year=year)
    return plans.order_by("-year", "county__path")


def plan_get(*, user: AnyUser, pk: object) -> DevelopmentPlan:
    try:
        return plan_list(user=user).get(pk=pk)
    except (DevelopmentPlan.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None


def plan_member_count(plan: DevelopmentPlan) -> int:
    """Members on the county's register (the base of the net-growth guideline)."""
    return Member.objects.filter(county_id=plan.county_id, is_active=True).count()


# --- numbers ----------------------------------------------------------------------------------------

def form_number_list(*, user: AnyUser, plan: DevelopmentPlan | None = None, year: int | None = None,
                     include_void: bool = True) -> QuerySet[FormNumber]:
    numbers = FormNumber.objects.filter(county_q(user)).select_related(
        "person", "organization", "township", "issued_by", "voided_by", "county")
    if plan is not None:
        numbers = numbers.filter(plan=plan)
    if year is not None:
        numbers = numbers.filter(year=year)
    if not include_void:
        numbers = numbers.filter(voided_on__isnull=True)
    return numbers.order_by("county__path", "year", "seq")


def form_number_get(*, user: AnyUser, pk: object) -> FormNumber:
    try:
        return form_number_list(user=user).get(pk=pk)
    except (FormNumber.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None


def form_number_of(*, person_id: int) -> FormNumber | None:
    """The person's valid 入党志愿书 number (the latest year's), or None."""
    return (FormNumber.objects.filter(person_id=person_id, voided_on__isnull=True)
            .order_by("-year", "-seq").first())


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    quota: int | None  # None: no quota set for this part
    issued: int

    @property
    def percent(self) -> int:
        if not self.quota:
            return 100 if self.issued else 0
        return min(100, round(self.issued * 100 / self.quota))

    @property
    def left(self) -> int | None:
        return None if self.quota is None else max(0, self.quota - self.issued)

    @property
    def full(self) -> bool:
        return self.quota is not None and self.issued >= self.quota


@dataclass
class QuotaUse:
    plan: DevelopmentPlan
    total: Bar
    voided: int = 0
    by_domain: list[Bar] = field(default_factory=list)
    by_township: list[Bar] = field(default_factory=list)


def quota_use(*, user: AnyUser, year: int, county: Organization | None = None) -> list[QuotaUse]:
    """Numbers issued against each plan of the year that the user manages: in total, per domain and per
    township. One aggregate query over the numbers (plus the plans and the township names)."""
    plans = list(plan_list(user=user, year=year))
    if county is not None:
        plans = [plan for plan in plans if plan.county_id == county.pk]
    return quota_use_of(plans)


def quota_use_of(plans: list[DevelopmentPlan]) -> list[QuotaUse]:
    """Quota use of plans already fetched through the scope."""
    if not plans:
        return []
    rows = (FormNumber.objects.filter(plan__in=plans).values("plan_id", "domain", "township_id")
            .annotate(issued=Count("pk", filter=Q(voided_on__isnull=True)),
                      voided=Count("pk", filter=Q(voided_on__isnull=False)))
            .order_by())
    counts: dict[int, list[dict]] = {}
    for row in rows:
        counts.setdefault(row["plan_id"], []).append(row)
    township_ids = {int(key) for plan in plans for key in plan.township_quotas}
    township_ids |= {row["township_id"] for row in rows if row["township_id"] is not None}
    names = dict(Organization.objects.filter(pk__in=township_ids).values_list("pk", "name"))
    domain_labels = dict(Domain.choices)
    result = []
    for plan in plans:
        plan_rows = counts.get(plan.pk, [])
        issued = sum(row["issued"] for row in plan_rows)
        by_domain: dict[str, int] = {}
        by_township: dict[int | None, int] = {}
        for row in plan_rows:
            by_domain[row["domain"]] = by_domain.get(row["domain"], 0) + row["issued"]
            by_township[row["township_id"]] = by_township.get(row["township_id"], 0) + row["issued"]
        domain_keys = [d for d in Domain.values if d in plan.domain_quotas or by_domain.get(d)]
        township_keys = sorted({int(k) for k in plan.township_quotas} | {k for k in by_township if k is not None},
                               key=lambda pk: names.get(pk, ""))
        result.append(QuotaUse(
            plan=plan,
            total=Bar("total", "合计", plan.total_quota, issued),
            voided=sum(row["voided"] for row in plan_rows),
            by_domain=[Bar(d, domain_labels[d], plan.domain_quotas.get(d) if plan.domain_quotas else None,
                           by_domain.get(d, 0)) for d in domain_keys],
            by_township=[Bar(str(pk), names.get(pk, "—"), plan.township_quotas.get(str(pk))
                             if plan.township_quotas else None, by_township.get(pk, 0)) for pk in township_keys],
        ))
    return result


# --- the pre-review ---------------------------------------------------------------------------------

def pre_review_required(organization: Organization) -> bool:
    """Jinhua (seed 003 item 7): the committee may not start the development procedure before the county's
    pre-review of the name list — when the tenant's policy says so."""
    return bool(policy_value(organization, PRE_REVIEW_REQUIRED))


def pre_review_passed(*, person_id: int, year: int) -> bool:
    """The person is on a name list of that year that the county approved."""
    return NameListEntry.objects.filter(person_id=person_id, name_list__year=year,
                                        name_list__status=NameListStatus.APPROVED).exists()


def _name_list_q(user: AnyUser) -> Q:
    return county_q(user) | scoping.path_q(user, Action.VIEW_MEMBER, "organization__path")


def name_list_list(*, user: AnyUser, year: int | None = None, county: Organization | None = None
                   ) -> QuerySet[NameList]:
    lists = (NameList.objects.filter(_name_list_q(user)).select_related("organization", "county", "filing",
                                                                        "submitted_by")
             .annotate(size=Count("entries")))
    if year is not None:
        lists = lists.filter(year=year)
    if county is not None:
        lists = lists.filter(county=county)
    return lists.order_by("-created_at", "-pk")


def name_list_get(*, user: AnyUser, pk: object) -> NameList:
    try:
        return NameList.objects.filter(_name_list_q(user)).select_related(
            "organization", "county", "filing", "submitted_by").get(pk=pk)
    except (NameList.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None


def may_submit_name_list(*, user: AnyUser, organization: Organization) -> bool:
    return scoping.can(user, Action.CHANGE_MEMBER, organization)


# --- structure of admissions ------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    key: str
    label: str
    group: str


def structure_columns() -> list[Column]:
    columns = [Column(g, label, "性别") for g, label in Gender.choices]
    columns += [Column(f"age_{key}", label, "年龄") for key, label, _low, _high in rules.AGE_BANDS]
    columns += [Column(f"edu_{key}", label, "学历") for key, label in Education.choices]
    columns += [Column(f"tg_{g.value}", g.label, "重点群体") for g in MARKED_TARGET_GROUPS]
    return columns


@dataclass
class StructureRow:
    township_path: str
    label: str
    total: int
    values: dict[str, int]

    @property
    def cell_values(self) -> list[int]:
        """The values in column order (`values` is built from the columns, in their order)."""
        return list(self.values.values())


@dataclass
class StructureReport:
    county: Organization
    year: int
    columns: list[Column]
    rows: list[StructureRow]
    total: StructureRow
    plan_targets: dict[str, int]


NEW_MEMBER_STATUSES = [MemberStatus.PROBATIONARY, MemberStatus.FULL]


def structure_report(*, user: AnyUser, county: Organization, year: int) -> StructureReport:
    """新发展党员结构 per township: members admitted in `year` (joined_on in the year, probationary or full) by
    gender, age band reached in the year, education and target group. One aggregate query; 妇女 is the female
    column (seed 003 item 12 "重视从……妇女中发展党员")."""
    length = (county.depth + 1) * Organization.steplen
    aggregates = {g: Count("pk", filter=Q(person__gender=g), distinct=True) for g in Gender.values}
    for key, _label, low, high in rules.AGE_BANDS:
        first, last = rules.birth_year_range(year=year, low=low, high=high)
        q = Q(person__birth_date__lt=date(last + 1, 1, 1))
        if first is not None:
            q &= Q(person__birth_date__gte=date(first, 1, 1))
        aggregates[f"age_{key}"] = Count("pk", filter=q, distinct=True)
    for key in Education.values:
        aggregates[f"edu_{key}"] = Count("pk", filter=Q(person__education=key), distinct=True)
    for group in MARKED_TARGET_GROUPS:
        aggregates[f"tg_{group.value}"] = Count("pk", filter=Q(person__target_groups__group=group.value),
                                                distinct=True)
    rows = list(
        Member.objects.filter(reviewer_q(user, "organization__path"), county=county,
                              joined_on__gte=date(year, 1, 1), joined_on__lt=date(year + 1, 1, 1),
                              status__in=NEW_MEMBER_STATUSES)
        .annotate(township_path=Substr("organization__path", 1, length))
        .values("township_path")
        .annotate(total=Count("pk", distinct=True), **aggregates)
        .order_by("township_path")
    )
    names = dict(Organization.objects.filter(path__in=[row["township_path"] for row in rows])
                 .values_list("path", "name"))
    columns = structure_columns()
    result = [StructureRow(row["township_path"], names.get(row["township_path"], "（县直属）"), row["total"],
                           {column.key: row[column.key] for column in columns}) for row in rows]
    total = StructureRow("", "合计", sum(r.total for r in result),
                         {c.key: sum(r.values[c.key] for r in result) for c in columns})
    plan = DevelopmentPlan.objects.filter(county=county, year=year).first()
    return StructureReport(county=county, year=year, columns=columns, rows=result, total=total,
                           plan_targets=dict(plan.target_group_targets) if plan else {})


def target_group_labels() -> dict[str, str]:
    return dict(TargetGroup.choices)


# --- stagnant branches ------------------------------------------------------------------------------

def stagnant_branches(*, user: AnyUser, years: int = 3, today: date | None = None,
                      county: Organization | None = None) -> QuerySet[Organization]:
    """Branches under the user's reviewer grants where no member has joined for `years` years or more
    (seed 000 一(二): "把连续3年以上未发展党员的基层党组织列入重点对象"). One query: each branch with the date
    of its latest admission (`last_joined`, None if never), its member count and its township's name."""
    today = today or china_today()
    cutoff = add_months(today, -12 * years)
    steplen = Organization.steplen
    township_name = Organization.objects.filter(
        path=Substr(OuterRef("path"), 1, (OuterRef("county__depth") + 1) * steplen)).values("name")[:1]
    branches = (
        Organization.objects.filter(reviewer_q(user, "path"), kind=OrganizationKind.BRANCH, is_active=True)
        .annotate(last_joined=Max("members__joined_on"),
                  member_count=Count("members", filter=Q(members__is_active=True)),
                  township_name=Subquery(township_name))
        .filter(Q(last_joined__isnull=True) | Q(last_joined__lt=cutoff))
    )
    if county is not None:
        branches = branches.filter(path__startswith=county.path)
    return branches.order_by(F("last_joined").asc(nulls_first=True), "path")
