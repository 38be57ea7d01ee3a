"""`/api/v1/members/`: scoped, filterable, paginated, masked; 404 outside the scope."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_list_shows_only_members_in_scope(alice, member_a, member_b, api_for):
    rows = api_for(alice).get("/api/v1/members/").json()["results"]
    assert [row["id"] for row in rows] == [member_a.pk]


def test_outsider_gets_404_on_a_foreign_member(charlie, member_a, api_for):
    assert api_for(charlie).get(f"/api/v1/members/{member_a.pk}/").status_code == 404


def test_foreign_organization_filter_is_rejected_not_answered(charlie, branch_a, member_a, api_for):
    response = api_for(charlie).get("/api/v1/members/", {"organization": branch_a.pk})
    assert response.status_code == 400
    assert member_a.person.name not in response.content.decode()


def test_personal_data_is_masked(alice, member_a, api_for):
    row = api_for(alice).get(f"/api/v1/members/{member_a.pk}/").json()
    raw = member_a.person.id_number
    assert row["id_number_masked"] == raw[:3] + "*" * 11 + raw[-4:]
    assert raw not in str(row) and member_a.person.phone not in str(row)


def test_member_role_sees_only_itself(mary, member_a, branch_a, api_for):
    other = MemberFactory(organization=branch_a)
    client = api_for(mary)
    assert [row["id"] for row in client.get("/api/v1/members/").json()["results"]] == [member_a.pk]
    assert client.get(f"/api/v1/members/{other.pk}/").status_code == 404


def test_reviewer_filters_by_branch_and_status(rita, branch_a, branch_b, api_for):
    MemberFactory.create_batch(2, organization=branch_a)
    probationary = MemberFactory(organization=branch_b, status="probationary", full_on=None)
    client = api_for(rita)
    assert client.get("/api/v1/members/", {"organization": branch_a.pk}).json()["count"] == 2
    rows = client.get("/api/v1/members/", {"status": "probationary"}).json()["results"]
    assert [row["id"] for row in rows] == [probationary.pk]


def test_search_by_exact_id_number(alice, member_a, branch_a, api_for):
    MemberFactory(organization=branch_a)
    rows = api_for(alice).get("/api/v1/members/", {"search": member_a.person.id_number}).json()["results"]
    assert [row["id"] for row in rows] == [member_a.pk]


def test_query_count_does_not_grow_with_the_page(rita, branch_a, api_for):
    MemberFactory.create_batch(5, organization=branch_a)
    client = api_for(rita)
    client.get("/api/v1/members/")  # warm the per-user grant cache
    with CaptureQueriesContext(connection) as five:
        client.get("/api/v1/members/")
    MemberFactory.create_batch(45, organization=branch_a)
    with CaptureQueriesContext(connection) as fifty:
        assert client.get("/api/v1/members/").json()["count"] == 50
    assert len(fifty) == len(five)


def test_filters_by_office_flow_and_exemption(alice, branch_a, api_for):
    office = MemberFactory(organization=branch_a, is_office_holder=True)
    floating = MemberFactory(organization=branch_a, flow="flow_out", flow_organization="某市某街道党工委")
    exempt = MemberFactory(organization=branch_a, is_exempt=True, exempt_reason="长期患病")
    client = api_for(alice)

    def ids(**filters) -> set[int]:
        return {row["id"] for row in client.get("/api/v1/members/", filters).json()["results"]}

    assert ids(is_office_holder="true") == {office.pk}
    assert ids(flow="floating") == ids(flow="flow_out") == {floating.pk}
    assert ids(is_exempt="true") == {exempt.pk}
    assert ids(is_exempt="false", is_office_holder="false") == {floating.pk}
