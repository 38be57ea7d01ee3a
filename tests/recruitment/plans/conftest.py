"""Plans fixtures: a county reviewer (vera), a 2026 plan, and candidates of branch A and branch B."""

from datetime import date

import pytest

from branches.models import Domain
from branches.scoping import Role
from branches.services import grant_role
from recruitment.plans import services
from tests.conftest import make_user
from tests.membership.factories import PersonFactory

TODAY = date(2026, 6, 15)
YEAR = 2026


@pytest.fixture
def vera(county):
    """Reviewer at the county department (组织部): manages the county's plan."""
    user = make_user("vera")
    grant_role(acting_user=None, user=user, organization=county, role=Role.REVIEWER)
    return user


@pytest.fixture
def plan(county, town, vera):
    return services.plan_create(acting_user=vera, county=county, year=YEAR, total_quota=3,
                                domain_quotas={Domain.COMMUNITY: 2, Domain.RURAL: 1})


def candidate(county, name: str = "", **extra):
    """A person in the pipeline (no member row yet)."""
    if name:
        extra["name"] = name
    return PersonFactory(county=county, **extra)


def issue(plan, person, domain: str = Domain.COMMUNITY, user=None, **extra):
    return services.form_number_issue(acting_user=user, county=plan.county, year=plan.year, person=person,
                                      domain=domain, today=TODAY, **extra)
