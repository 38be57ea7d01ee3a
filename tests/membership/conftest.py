"""Membership fixtures on top of the shared tree: members of branch A and B and a member account."""

from datetime import date

import pytest

from branches import services as org_services
from branches.scoping import Role
from tests.conftest import make_user

from .factories import MemberFactory

# A synthetic ID number with a correct check character: born 1980-05-12, male (17th digit 1), check character X.
VALID_ID = "41080219800512001X"


@pytest.fixture
def member_a(branch_a):
    return MemberFactory(organization=branch_a)


@pytest.fixture
def member_b(branch_b):
    return MemberFactory(organization=branch_b)


@pytest.fixture
def mary(branch_a, member_a):
    """A member of branch A with the `member` role: sees her own record only."""
    user = make_user("mary")
    org_services.grant_role(acting_user=None, user=user, organization=branch_a, role=Role.MEMBER)
    member_a.person.user = user
    member_a.person.save(update_fields=["user"])
    return user


@pytest.fixture
def member_fields() -> dict:
    """Valid service keyword arguments for a new member."""
    return {
        "name": "张建国",
        "gender": "male",
        "birth_date": date(1980, 5, 12),
        "id_number": VALID_ID,
        "phone": "13812345678",
        "address": "河南省焦作市解放区民主路12号",
        "education": "bachelor",
        "status": "full",
        "joined_on": date(2005, 7, 1),
        "full_on": date(2006, 7, 1),
    }
