"""Fixtures for member changes: a pinned clock, a second county with its own branch and officer, a county
reviewer, and helpers that decide filings through the oversight services (as a reviewer would)."""

from datetime import date

import pytest

from audit.filings import services as filings
from audit.filings.models import Filing
from branches import services as org_services
from branches.models import Domain, Organization, OrganizationKind
from branches.scoping import Role
from tests.conftest import make_org, make_user
from tests.membership.factories import MemberFactory

TODAY = date(2026, 7, 15)  # a Wednesday; the working-day calendar covers 2026


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """Services and pages read this date as today; a superior's decision is dated today as well."""
    monkeypatch.setattr("membership.changes.services.china_today", lambda: TODAY)
    monkeypatch.setattr("membership.changes.services._decision_date", lambda filing: TODAY)
    monkeypatch.setattr("membership.changes.views.china_today", lambda: TODAY)
    return TODAY


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def member(branch_a):
    """A full member of branch A, joined 2010."""
    return MemberFactory(organization=branch_a, joined_on=date(2010, 5, 1), person__name="张党员")


@pytest.fixture
def probationary(branch_a):
    """A probationary member of branch A, joined 2026-01-10 (probation ends 2027-01-10)."""
    return MemberFactory(organization=branch_a, joined_on=date(2026, 1, 10), status="probationary",
                         person__name="李预备")


def _granted(username: str, organization: Organization, role: Role):
    user = make_user(username)
    org_services.grant_role(acting_user=None, user=user, organization=organization, role=role)
    return user


@pytest.fixture
def victor(county):
    """Reviewer at the county department (县委组织部): decides what the township forwards."""
    return _granted("victor", county, Role.REVIEWER)


@pytest.fixture
def far_branch(other_county):
    """A branch in the other county (its township has approval power)."""
    town = make_org(other_county, "邻镇党委", "C02T01", OrganizationKind.COMMITTEE, domain=Domain.RURAL,
                    can_approve_admission=True)
    return make_org(town, "北村党支部", "C02T01B01", OrganizationKind.BRANCH, domain=Domain.RURAL)


@pytest.fixture
def fiona(far_branch):
    """Secretary of the branch in the other county."""
    return _granted("fiona", far_branch, Role.SECRETARY)


@pytest.fixture
def oliver(town):
    """Secretary at the township committee: an officer over both branches A and B."""
    return _granted("oliver", town, Role.SECRETARY)


def decide(filing_id: int, user, decision: str = "approve", opinion: str = "") -> Filing:
    """A superior decides a filing (the handler registered by membership runs inside)."""
    filing = Filing.objects.select_related("to_organization", "from_organization").get(pk=filing_id)
    return filings.filing_decide(acting_user=user, filing=filing, decision=decision,
                                 opinion=opinion or ("同意" if decision == "approve" else "材料不全，请补充"))


@pytest.fixture
def mary_for(db):
    """Links a member-role account to a member: `mary_for(member)` (the member portal's user)."""

    def link(member, username: str = "mary"):
        user = _granted(username, member.organization, Role.MEMBER)
        member.person.user = user
        member.person.save(update_fields=["user"])
        return user

    return link
