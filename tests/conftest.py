"""Shared fixtures: a small county tree and the owner / colleague / outsider trio.

    county 测试县委组织部
    └── town 城关镇党委 (reviewer: rita)
        ├── branch_a 东街社区党支部 (secretary: alice, committee: bob, member account: mary)
        └── branch_b 西街社区党支部 (secretary: charlie — an outsider to branch_a)
    other_county 邻县委组织部 (reviewer: oscar — outside the whole county)
"""

import os

import pytest
from django.contrib.auth import get_user_model

from branches import services as org_services
from branches.models import Domain, Organization, OrganizationKind
from branches.scoping import Role

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + Playwright page in one test

PASSWORD = "Test-pass-2024"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"],
    }


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Cached numbers (dashboards, PDFs) never leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield


def make_user(username: str, **extra: object):
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)


def make_org(parent: Organization | None, name: str, code: str, kind: str, **extra: object) -> Organization:
    return org_services.organization_create(acting_user=None, parent=parent, name=name, code=code, kind=kind, **extra)


@pytest.fixture
def county(db) -> Organization:
    return make_org(None, "测试县委组织部", "C01", OrganizationKind.COUNTY_DEPT)


@pytest.fixture
def town(county: Organization) -> Organization:
    """A township committee with approval power (有审批权的基层党委)."""
    return make_org(county, "城关镇党委", "C01T01", OrganizationKind.COMMITTEE, domain=Domain.COMMUNITY,
                    can_approve_admission=True)


@pytest.fixture
def branch_a(town: Organization) -> Organization:
    return make_org(town, "东街社区党支部", "C01T01B01", OrganizationKind.BRANCH, domain=Domain.COMMUNITY)


@pytest.fixture
def branch_b(town: Organization) -> Organization:
    return make_org(town, "西街社区党支部", "C01T01B02", OrganizationKind.BRANCH, domain=Domain.COMMUNITY)


@pytest.fixture
def other_county(db) -> Organization:
    return make_org(None, "邻县委组织部", "C02", OrganizationKind.COUNTY_DEPT)


def _granted(username: str, organization: Organization, role: Role):
    user = make_user(username)
    org_services.grant_role(acting_user=None, user=user, organization=organization, role=role)
    return user


@pytest.fixture
def alice(branch_a: Organization):
    """Secretary of branch A: the owner."""
    return _granted("alice", branch_a, Role.SECRETARY)


@pytest.fixture
def bob(branch_a: Organization):
    """Committee member of branch A: a colleague of alice."""
    return _granted("bob", branch_a, Role.COMMITTEE)


@pytest.fixture
def charlie(branch_b: Organization):
    """Secretary of branch B: should have no access to branch A's records."""
    return _granted("charlie", branch_b, Role.SECRETARY)


@pytest.fixture
def rita(town: Organization):
    """Reviewer at the township: sees both branches."""
    return _granted("rita", town, Role.REVIEWER)


@pytest.fixture
def oscar(other_county: Organization):
    """Reviewer of another county: sees nothing of this one."""
    return _granted("oscar", other_county, Role.REVIEWER)


@pytest.fixture
def client_for(client):
    """Log a user in on the test client: `client_for(alice).get(...)`."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def api_for():
    """An API client authenticated as a user: `api_for(alice).get(...)`."""
    from rest_framework.test import APIClient

    def authenticate(user) -> APIClient:
        api = APIClient()
        api.force_authenticate(user)
        return api

    return authenticate


@pytest.fixture
def working_calendar(db) -> None:
    """The Holiday table as migrations load it. Transactional tests flush every table afterwards,
    so a later transactional test that counts working days asks for this fixture."""
    from partyadmin.workdays import is_year_covered, load_chinese_calendar, package_years

    if not is_year_covered(package_years()[-1]):
        load_chinese_calendar()
