"""Organization tree and detail pages: scoped, 404 outside the scope."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_tree_shows_own_branch_only(client_for, alice, branch_a, branch_b):
    response = client_for(alice).get(reverse("branches:tree"))
    assert response.status_code == 200
    assert branch_a.name.encode() in response.content
    assert branch_b.name.encode() not in response.content


def test_reviewer_tree_shows_township_and_its_branches(client_for, rita, town, branch_a, branch_b):
    response = client_for(rita).get(reverse("branches:tree"))
    for org in (town, branch_a, branch_b):
        assert org.name.encode() in response.content


@pytest.mark.parametrize("name", ["branches:detail", "branches:children"])
def test_outsider_gets_404_on_foreign_organization(client_for, charlie, branch_a, name):
    response = client_for(charlie).get(reverse(name, args=[branch_a.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["branches:detail", "branches:children"])
def test_owner_and_colleague_see_the_branch(client_for, alice, bob, branch_a, name):
    for user in (alice, bob):
        assert client_for(user).get(reverse(name, args=[branch_a.pk])).status_code == 200


def test_anonymous_is_sent_to_login(client, branch_a):
    response = client.get(reverse("branches:detail", args=[branch_a.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_children_fragment_lists_children(client_for, rita, town, branch_a, branch_b):
    response = client_for(rita).get(reverse("branches:children", args=[town.pk]))
    assert branch_a.name.encode() in response.content and branch_b.name.encode() in response.content
