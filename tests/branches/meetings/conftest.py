"""Meeting fixtures on the shared tree: branch A with members, a party group and a sitting committee;
uploads in a temporary MEDIA_ROOT."""

from datetime import date

import pytest

from branches import services as org_services
from branches.life_models import CommitteeMember, CommitteePost
from branches.models import OrganizationKind
from branches.scoping import Role
from tests.conftest import make_org, make_user
from tests.membership.factories import MemberFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def group(branch_a):
    """第一党小组 of branch A."""
    return make_org(branch_a, "第一党小组", "C01T01B01G1", OrganizationKind.PARTY_GROUP)


@pytest.fixture
def group_two(branch_a):
    return make_org(branch_a, "第二党小组", "C01T01B01G2", OrganizationKind.PARTY_GROUP)


@pytest.fixture
def members(branch_a, group):
    """Four members of branch A: two in the first party group, two in no group."""
    return [
        MemberFactory(organization=branch_a, party_group=group, person__name="张建国"),
        MemberFactory(organization=branch_a, party_group=group, person__name="李秀英"),
        MemberFactory(organization=branch_a, person__name="王志强"),
        MemberFactory(organization=branch_a, person__name="刘海燕"),
    ]


@pytest.fixture
def committee(branch_a, members):
    """The sitting committee: a secretary and an organization member (a third seat has ended)."""
    CommitteeMember.objects.create(organization=branch_a, member=members[0], post=CommitteePost.SECRETARY,
                                   started_on=date(2022, 1, 1))
    CommitteeMember.objects.create(organization=branch_a, member=members[2], post=CommitteePost.ORGANIZATION,
                                   started_on=date(2022, 1, 1))
    CommitteeMember.objects.create(organization=branch_a, member=members[3], post=CommitteePost.PROPAGANDA,
                                   started_on=date(2022, 1, 1), ended_on=date(2023, 6, 30))
    return [members[0], members[2]]


@pytest.fixture
def member_b(branch_b):
    return MemberFactory(organization=branch_b, person__name="欧阳外支")


@pytest.fixture
def member_a(branch_a):
    return MemberFactory(organization=branch_a, person__name="马丽")


@pytest.fixture
def mary(branch_a, member_a):
    """A member of branch A with the `member` role: sees her own attendance only."""
    user = make_user("mary")
    org_services.grant_role(acting_user=None, user=user, organization=branch_a, role=Role.MEMBER)
    member_a.person.user = user
    member_a.person.save(update_fields=["user"])
    return user
