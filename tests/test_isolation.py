"""Tenant isolation across every page and endpoint, for every role (DESIGN §2.1).

A user holding any role on branch B (or on another county) must get 404 for every object of
branch A — exactly as for an object that does not exist — and must never see branch A's rows in a list.
"""

import pytest
from django.urls import reverse

from branches import services as org_services
from branches.scoping import Role
from tests.conftest import make_user
from tests.membership.factories import MemberFactory

pytestmark = pytest.mark.django_db

ALL_ROLES = list(Role)


@pytest.fixture
def target(branch_a):
    """A member of branch A, with a name no one outside should ever see."""
    return MemberFactory(organization=branch_a, person__name="欧阳绝密")


def foreign_user(role: Role, organization):
    user = make_user(f"outsider_{role.value}")
    org_services.grant_role(acting_user=None, user=user, organization=organization, role=role)
    return user


def object_urls(branch, member) -> list[tuple[str, str]]:
    return [
        ("get", reverse("branches:detail", args=[branch.pk])),
        ("get", reverse("branches:children", args=[branch.pk])),
        ("get", reverse("membership:detail", args=[member.pk])),
        ("get", reverse("membership:edit", args=[member.pk])),
        ("post", reverse("membership:edit", args=[member.pk])),
        ("post", reverse("membership:reveal", args=[member.pk])),
        ("get", reverse("audit:history", args=["membership.member", member.pk])),
        ("get", reverse("audit:history", args=["branches.organization", branch.pk])),
        ("get", f"/api/v1/organizations/{branch.pk}/"),
        ("get", f"/api/v1/members/{member.pk}/"),
    ]


LIST_URLS = [
    reverse("branches:tree"), reverse("membership:list"), reverse("audit:events"),
    "/api/v1/organizations/", "/api/v1/members/", reverse("home"),
]


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("where", ["sibling_branch", "other_county"])
def test_foreign_objects_are_404_for_every_role(client, role, where, branch_a, branch_b, other_county, target):
    user = foreign_user(role, branch_b if where == "sibling_branch" else other_county)
    client.force_login(user)
    for method, url in object_urls(branch_a, target):
        response = getattr(client, method)(url)
        assert response.status_code == 404, (role, method, url, response.status_code)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_lists_never_show_foreign_rows_for_any_role(client, role, branch_a, branch_b, target):
    MemberFactory(organization=branch_b)
    client.force_login(foreign_user(role, branch_b))
    for url in LIST_URLS:
        response = client.get(url, follow=True)
        assert response.status_code in (200, 404), (role, url)
        body = response.content.decode()
        assert target.person.name not in body, (role, url)
        assert branch_a.name not in body, (role, url)


def test_missing_and_foreign_objects_answer_alike(client, charlie, branch_a, target):
    client.force_login(charlie)
    foreign = client.get(reverse("membership:detail", args=[target.pk]))
    missing = client.get(reverse("membership:detail", args=[target.pk + 10_000]))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content
