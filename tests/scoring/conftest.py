from datetime import date

import pytest

from branches import services as org_services
from branches.scoping import Role
from partyadmin.workdays import china_today
from scoring import services
from tests.conftest import make_user
from tests.membership.factories import MemberFactory


@pytest.fixture
def today() -> date:
    return china_today()


@pytest.fixture
def member_a(branch_a):
    return MemberFactory(organization=branch_a, person__name="马丽")


@pytest.fixture
def member_a2(branch_a):
    return MemberFactory(organization=branch_a, person__name="陈强")


@pytest.fixture
def member_b(branch_b):
    return MemberFactory(organization=branch_b, person__name="欧阳外支")


def member_user(username: str, member, role: Role = Role.MEMBER):
    user = make_user(username)
    org_services.grant_role(acting_user=None, user=user, organization=member.organization, role=role)
    member.person.user = user
    member.person.save(update_fields=["user"])
    return user


@pytest.fixture
def mary(member_a):
    """A member of branch A with the `member` role: her own score only."""
    return member_user("mary", member_a)


@pytest.fixture
def ben(member_b):
    """A member of branch B: an outsider to branch A."""
    return member_user("ben", member_b)


@pytest.fixture
def clerk_a(branch_a):
    user = make_user("clerk_a")
    org_services.grant_role(acting_user=None, user=user, organization=branch_a, role=Role.CLERK)
    return user


def published(alice, organization, year: int, template: str = "seed000_jiaozuo"):
    scheme = services.scheme_create_from_template(acting_user=alice, organization=organization, year=year,
                                                  template_code=template)
    services.scheme_announce(acting_user=alice, scheme=scheme, announced_on=date(year, 1, 1)
                             if date(year, 1, 1) <= china_today() else china_today())
    return services.scheme_publish(acting_user=alice, scheme=scheme)


@pytest.fixture
def scheme_a(alice, branch_a, member_a, member_a2, today):
    return published(alice, branch_a, today.year)


def item(scheme, code: str):
    return scheme.items.get(code=code, is_active=True)
