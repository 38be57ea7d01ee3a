"""`/api/v1/organizations/`: scoped list and detail, 404 outside, token auth."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_list_shows_only_the_scope(alice, branch_a, branch_b, api_for):
    response = api_for(alice).get("/api/v1/organizations/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [branch_a.pk]


def test_reviewer_list_has_parent_ids(rita, town, branch_a, branch_b, api_for):
    rows = {row["id"]: row for row in api_for(rita).get("/api/v1/organizations/").json()["results"]}
    assert set(rows) == {town.pk, branch_a.pk, branch_b.pk}
    assert rows[branch_a.pk]["parent"] == town.pk


def test_outsider_detail_is_404(charlie, branch_a, api_for):
    assert api_for(charlie).get(f"/api/v1/organizations/{branch_a.pk}/").status_code == 404


def test_filter_by_kind(rita, town, branch_a, branch_b, api_for):
    rows = api_for(rita).get("/api/v1/organizations/", {"kind": "branch"}).json()["results"]
    assert {row["id"] for row in rows} == {branch_a.pk, branch_b.pk}


def test_token_auth(alice, branch_a):
    token = Token.objects.create(user=alice)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(f"/api/v1/organizations/{branch_a.pk}/").status_code == 200


def test_anonymous_is_refused(branch_a):
    assert APIClient().get("/api/v1/organizations/").status_code in (401, 403)


def test_list_query_count_is_bounded(rita, town, branch_a, branch_b, django_assert_max_num_queries, api_for):
    client = api_for(rita)
    with django_assert_max_num_queries(4):
        client.get("/api/v1/organizations/")
