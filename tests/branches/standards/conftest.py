"""Checklist fixtures on the shared tree: a county reviewer, branch A with members, a sitting committee and a
current term, and a 2025 round of the shipped 武进区 细则; uploads in a temporary MEDIA_ROOT."""

from datetime import date
from decimal import Decimal

import pytest

from branches import services as org_services
from branches.life_models import CommitteeMember, CommitteePost
from branches.models import Organization
from branches.scoping import Role
from branches.standards import services
from branches.standards.models import AssessmentVeto
from tests.conftest import make_user
from tests.membership.factories import MemberFactory

YEAR = 2025


@pytest.fixture(autouse=True)
def _calendar(working_calendar):
    """Filings and publicity count working days."""


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def cora(county):
    """Reviewer at the county department (验收、评定)."""
    user = make_user("cora")
    org_services.grant_role(acting_user=None, user=user, organization=county, role=Role.REVIEWER)
    return user


@pytest.fixture
def members_a(branch_a):
    return [MemberFactory(organization=branch_a, person__education="bachelor") for _ in range(5)]


@pytest.fixture
def committee_a(branch_a, members_a):
    """书记, 组织委员, 宣传委员; the term runs 2024–2027."""
    seats = [
        CommitteeMember.objects.create(organization=branch_a, member=members_a[0], post=CommitteePost.SECRETARY,
                                       started_on=date(2024, 1, 1)),
        CommitteeMember.objects.create(organization=branch_a, member=members_a[1], post=CommitteePost.ORGANIZATION,
                                       started_on=date(2024, 1, 1)),
        CommitteeMember.objects.create(organization=branch_a, member=members_a[2], post=CommitteePost.PROPAGANDA,
                                       started_on=date(2024, 1, 1)),
    ]
    Organization.objects.filter(pk=branch_a.pk).update(term_years=3, term_started_on=date(2024, 1, 1),
                                                       term_ends_on=date(2027, 1, 1))
    branch_a.refresh_from_db()
    return seats


@pytest.fixture
def round_(county, branch_a, branch_b, cora):
    return services.round_open(acting_user=cora, county=county, year=YEAR, template=services.builtin_template(),
                               submit_by=date(2026, 1, 31))


@pytest.fixture
def assessment_a(round_, branch_a):
    return round_.assessments.get(organization=branch_a)


@pytest.fixture
def assessment_b(round_, branch_b):
    return round_.assessments.get(organization=branch_b)


def self_score_all(user, assessment, *, total_minus: Decimal = Decimal("0")):
    """Full self scores; `total_minus` points taken off the last items (for pass-mark tests)."""
    rows = list(assessment.items.select_related("item").order_by("-item__order"))
    entries = []
    left = total_minus
    for row in rows:
        take = min(left, row.item.points)
        left -= take
        entries.append(services.ScoreInput(row.pk, row.item.points - take, reason="按实际情况自评"))
    return services.self_scores_save(acting_user=user, assessment=assessment, entries=entries)


def review_score_all(user, assessment, *, minus: Decimal = Decimal("0")):
    rows = list(assessment.items.select_related("item").order_by("-item__order"))
    entries = []
    left = minus
    for row in rows:
        take = min(left, row.item.points)
        left -= take
        score = row.item.points - take
        entries.append(services.ScoreInput(row.pk, score, note="" if score == row.self_score else "实地考察扣分"))
    return services.review_scores_save(acting_user=user, assessment=assessment, entries=entries)


def declare_funds(user, assessment, *, found: bool = False):
    row = AssessmentVeto.objects.select_related("veto").get(assessment=assessment, veto__key="no_funds")
    services.veto_declare(acting_user=user, assessment=assessment, veto_row=row, found=found, note="")
    if not found:
        services.evidence_add(acting_user=user, assessment=assessment, veto=row.veto, title="党建经费专户",
                              url="https://example.org/ledger")
    return row
