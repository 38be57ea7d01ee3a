"""Reads of the checklist, always through the tenancy scope (`branches.scoping`).

* Read an assessment: `Action.VIEW_MEMBER` on its branch (the branch officers, and the reviewers and
  officers of the committees and the county above it); anything else is a 404.
* Self-assess: `Action.CHANGE_MEMBER` on the branch, while the branch holds it (draft or returned).
* Review (考核分): whoever may decide the filing of the stage (`audit.filings.selectors.may_decide`):
  the committee's handlers, then the county department's.
* Open a round, load a template: a reviewer grant on the county department (or above it).
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.http import Http404

from audit.filings import selectors as filing_selectors
from audit.filings.models import FilingStatus
from audit.filings.services import HANDLER_ROLES
from branches import scoping
from branches.models import Organization, OrganizationKind
from branches.scoping import Action, AnyUser, Role

from . import rules
from .models import (
    Assessment,
    AssessmentItem,
    AssessmentRound,
    AssessmentStatus,
    AssessmentVeto,
    ChecklistTemplate,
    Evidence,
    Rectification,
    TemplateSection,
)

VIEW = Action.VIEW_MEMBER
PATH_FIELD = "organization__path"


def _assessments() -> QuerySet[Assessment]:
    return Assessment.objects.select_related(
        "organization", "county", "round__template", "committee_filing__to_organization",
        "county_filing__to_organization", "publicity",
    )


def assessment_get(*, user: AnyUser, pk: object) -> Assessment:
    return scoping.get_or_404(_assessments(), user, VIEW, path_field=PATH_FIELD, pk=pk)


def has_scope(user: AnyUser) -> bool:
    return any(VIEW in scoping.ROLE_ACTIONS[g.role] for g in scoping.grants_of(user))


def assessment_list(*, user: AnyUser, year: int | None = None, round_: AssessmentRound | None = None,
                    status: str = "") -> QuerySet[Assessment]:
    rows = scoping.scoped(_assessments(), user, VIEW, path_field=PATH_FIELD)
    if year:
        rows = rows.filter(year=year)
    if round_ is not None:
        rows = rows.filter(round=round_)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-year", "organization__path")


def items_of(assessment: Assessment) -> list[AssessmentItem]:
    return list(assessment.items.select_related("item__section").order_by("item__order"))


def vetoes_of(assessment: Assessment) -> list[AssessmentVeto]:
    return list(assessment.vetoes.select_related("veto").order_by("veto__order"))


def evidence_of(assessment: Assessment) -> list[Evidence]:
    return list(assessment.evidence.select_related("uploaded_by").order_by("pk"))


def evidence_get(*, user: AnyUser, pk: object) -> Evidence:
    return scoping.get_or_404(Evidence.objects.select_related("assessment__organization", "assessment__round"),
                              user, VIEW, path_field="assessment__organization__path", pk=pk)


def may_self_assess(*, user: AnyUser, assessment: Assessment) -> bool:
    return assessment.branch_may_edit and scoping.can(user, Action.CHANGE_MEMBER, assessment.organization)


def may_review(*, user: AnyUser, assessment: Assessment) -> bool:
    """The handlers of the stage's filing give the 考核分."""
    if assessment.status == AssessmentStatus.COMMITTEE_REVIEW and assessment.committee_filing is not None:
        return filing_selectors.may_decide(user=user, filing=assessment.committee_filing)
    if assessment.status == AssessmentStatus.COUNTY_REVIEW and assessment.county_filing is not None:
        return filing_selectors.may_decide(user=user, filing=assessment.county_filing)
    return False


def may_report(*, user: AnyUser, assessment: Assessment) -> bool:
    return assessment.status == AssessmentStatus.COMMITTEE_REVIEW and may_review(user=user, assessment=assessment)


def may_rate(*, user: AnyUser, assessment: Assessment) -> bool:
    return (assessment.status == AssessmentStatus.COUNTY_REVIEW and assessment.county_filing is not None
            and assessment.county_filing.status == FilingStatus.PENDING
            and may_review(user=user, assessment=assessment))


def queue(*, user: AnyUser) -> QuerySet[Assessment]:
    """Assessments waiting for the user's examination: the committee's, then the county's (oldest first)."""
    q = Q(pk__in=[])
    for grant in scoping.grants_of(user):
        if grant.role in HANDLER_ROLES:
            q |= Q(status=AssessmentStatus.COMMITTEE_REVIEW,
                   committee_filing__to_organization__path__startswith=grant.path)
            q |= Q(status=AssessmentStatus.COUNTY_REVIEW, county_filing__status=FilingStatus.PENDING,
                   county_filing__to_organization__path__startswith=grant.path)
    rows = _assessments().filter(q).filter(scoping.path_q(user, VIEW, PATH_FIELD))
    return rows.order_by("submitted_at", "pk")


# --- rounds and templates ----------------------------------------------------------------------------------


def counties_for_manage(*, user: AnyUser) -> list[Organization]:
    """County departments where the user holds a reviewer grant (on it or above it)."""
    roots = [g.path for g in scoping.grants_of(user) if g.role is Role.REVIEWER]
    if not roots:
        return []
    q = Q(pk__in=[])
    for root in roots:
        q |= Q(path__startswith=root)
    return list(Organization.objects.filter(q, kind=OrganizationKind.COUNTY_DEPT, is_active=True).order_by("path"))


def may_manage_county(*, user: AnyUser, county: Organization) -> bool:
    return any(g.role is Role.REVIEWER and county.path.startswith(g.path) for g in scoping.grants_of(user))


def rounds_for(*, user: AnyUser) -> QuerySet[AssessmentRound]:
    """Rounds of the counties the user sees something of (their branches, or the county itself)."""
    roots = scoping.path_roots(user, VIEW)
    if not roots:
        return AssessmentRound.objects.none()
    q = Q(pk__in=[])
    for root in roots:
        q |= Q(county__path__startswith=root) | Q(assessments__organization__path__startswith=root)
    ids = AssessmentRound.objects.filter(q).values("pk")
    return AssessmentRound.objects.filter(pk__in=ids).select_related("county", "template").order_by("-year", "pk")


def round_get(*, user: AnyUser, pk: object) -> AssessmentRound:
    try:
        return rounds_for(user=user).get(pk=pk)
    except (AssessmentRound.DoesNotExist, ValueError, TypeError):
        raise Http404("对象不存在或无权访问。") from None


def templates_for(*, user: AnyUser) -> QuerySet[ChecklistTemplate]:
    counties = [c.pk for c in counties_for_manage(user=user)]
    return ChecklistTemplate.objects.filter(Q(county__isnull=True) | Q(county_id__in=counties)).order_by("code",
                                                                                                         "-version")


def template_get(*, user: AnyUser, pk: object) -> ChecklistTemplate:
    try:
        return templates_for(user=user).get(pk=pk)
    except (ChecklistTemplate.DoesNotExist, ValueError, TypeError):
        raise Http404("对象不存在或无权访问。") from None


def template_sections(template: ChecklistTemplate) -> list[TemplateSection]:
    return list(template.sections.prefetch_related("items").order_by("order"))


# --- the county table and the charts --------------------------------------------------------------------------


@dataclass
class TableRow:
    assessment: Assessment
    self_sections: list[Decimal]
    review_sections: list[Decimal | None]

    @property
    def pass_label(self) -> str:
        a = self.assessment
        if a.passed is None:
            return "—"
        return "合格" if a.passed else "不合格"


@dataclass
class CountyTable:
    round: AssessmentRound
    sections: list[TemplateSection]
    rows: list[TableRow]

    def chart(self) -> dict[str, Any]:
        """Score distribution per section (share of the section's points, in bands) and of the totals."""
        bands = ["<60%", "60–80%", "80–90%", "≥90%"]
        series = []
        for index, section in enumerate(self.sections):
            counts = [0, 0, 0, 0]
            for row in self.rows:
                if row.assessment.self_total is None and row.assessment.review_total is None:
                    continue  # not scored yet
                score = row.review_sections[index]
                score = row.self_sections[index] if score is None else score
                share = float(score / section.max_points) if section.max_points else 0
                counts[0 if share < .6 else 1 if share < .8 else 2 if share < .9 else 3] += 1
            series.append({"name": section.title, "data": counts})
        totals = ["<60", "60–75", "75–85", "85–90", "90–95", "≥95"]
        total_counts = [0] * len(totals)
        for row in self.rows:
            a = row.assessment
            value = a.review_total if a.review_total is not None else a.self_total
            if value is None:
                continue
            v = float(value)
            total_counts[0 if v < 60 else 1 if v < 75 else 2 if v < 85 else 3 if v < 90 else 4 if v < 95 else 5] += 1
        return {"bands": bands, "series": series, "totals": totals, "total_counts": total_counts}

    @property
    def passed(self) -> int:
        return sum(1 for r in self.rows if r.assessment.passed)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.rows if r.assessment.passed is False)


def county_table(*, user: AnyUser, round_: AssessmentRound, status: str = "") -> CountyTable:
    """Every branch of the round the user may see, with section scores (self and review): four queries."""
    assessments = list(assessment_list(user=user, round_=round_, status=status))
    sections = list(round_.template.sections.order_by("order"))
    sums = (AssessmentItem.objects.filter(assessment__in=[a.pk for a in assessments])
            .values("assessment_id", "item__section_id")
            .annotate(own=Sum("self_score"), review=Sum("review_score")).order_by())
    own: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    review: dict[tuple[int, int], Decimal | None] = {}
    for row in sums:
        own[(row["assessment_id"], row["item__section_id"])] = row["own"] or Decimal("0")
        review[(row["assessment_id"], row["item__section_id"])] = row["review"]
    rows = []
    for a in assessments:
        rows.append(TableRow(
            a,
            [min(own[(a.pk, s.pk)], s.max_points) for s in sections],
            [None if review.get((a.pk, s.pk)) is None else min(review[(a.pk, s.pk)], s.max_points) for s in sections],
        ))
    return CountyTable(round_, sections, rows)


# --- 合格支部 ---------------------------------------------------------------------------------------------


def is_qualified(*, organization: Organization, year: int) -> bool:
    """合格支部 (seed 004 备注2): rated ≥ the pass mark with no veto, publicized without a substantive objection."""
    return Assessment.objects.filter(organization=organization, year=year, status=AssessmentStatus.CONFIRMED,
                                     passed=True).exists()


def latest_result(organization: Organization) -> Assessment | None:
    """The branch's latest rated or confirmed assessment (the badge on the organization page)."""
    return (Assessment.objects.filter(organization=organization,
                                      status__in=[AssessmentStatus.RATED, AssessmentStatus.CONFIRMED,
                                                  AssessmentStatus.OBJECTED])
            .order_by("-year").first())


def rectification_get(*, user: AnyUser, pk: object) -> Rectification:
    return scoping.get_or_404(Rectification.objects.select_related("assessment", "organization"), user, VIEW,
                              path_field=PATH_FIELD, pk=pk)


def rectifications(*, user: AnyUser) -> QuerySet[Rectification]:
    return scoping.scoped(Rectification.objects.select_related("organization", "assessment"), user, VIEW,
                          path_field=PATH_FIELD).order_by("status", "due_on")


def section_rows(assessment: Assessment, rows: list[AssessmentItem]) -> list[dict[str, Any]]:
    """The table as the seed prints it: sections, requirement groups (rowspans), items, section subtotals."""
    sections: list[dict[str, Any]] = []
    for row in rows:
        section = row.item.section
        if not sections or sections[-1]["section"].pk != section.pk:
            sections.append({"section": section, "groups": [], "rows": []})
        current = sections[-1]
        if not current["groups"] or current["groups"][-1]["requirement"] != row.item.requirement:
            current["groups"].append({"requirement": row.item.requirement, "rows": []})
        current["groups"][-1]["rows"].append(row)
        current["rows"].append(row)
    for s in sections:
        s["span"] = len(s["rows"])
        s["self"] = rules.section_score([r.self_score for r in s["rows"]], max_points=s["section"].max_points)
        reviewed = [r.review_score for r in s["rows"]]
        s["review"] = (rules.section_score(reviewed, max_points=s["section"].max_points)
                       if any(v is not None for v in reviewed) else None)
        flat = []
        for g in s["groups"]:
            for i, r in enumerate(g["rows"]):
                flat.append({"row": r, "group_span": len(g["rows"]) if i == 0 else 0, "requirement": g["requirement"]})
        flat[0]["section_span"] = s["span"]
        s["flat"] = flat
    return sections
