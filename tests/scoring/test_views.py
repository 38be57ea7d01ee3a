"""Pages and API: the member's own score and declaration, the secretary's scheme, ledger and queue; isolation
(every outsider role gets 404 on every object page and endpoint, lists never show foreign rows); bounded
query counts."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from branches import services as org_services
from branches.scoping import Role
from scoring import services
from scoring.models import Appeal, Entry, EntryStatus, Evidence
from tests.branches.meetings.factories import jpeg_with_gps
from tests.conftest import make_user
from tests.membership.factories import MemberFactory

from .conftest import item, member_user

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def world(scheme_a, alice, mary, member_a, member_a2, today):
    """A published scheme with a confirmed entry carrying a photo, a pending one and an appeal."""
    photo = SimpleUploadedFile("p.jpg", jpeg_with_gps(), content_type="image/jpeg")
    declared = services.entry_declare(acting_user=mary, person=member_a.person, scheme=scheme_a,
                                      item=item(scheme_a, "c2"), occurred_on=today, points=D("3"), note="带头清扫积雪",
                                      files=[services.EvidenceUpload(file=photo)])
    services.entry_confirm(acting_user=alice, entry=declared, body="committee", decided_on=today)
    pending = services.entries_record(acting_user=alice, scheme=scheme_a, item=item(scheme_a, "b2"),
                                      person_ids=[member_a2.person_id], occurred_on=today)[0]
    appeal = services.appeal_raise(acting_user=mary, raised_by_person=member_a.person, person=member_a.person,
                                   organization=scheme_a.organization, year=today.year, kind="query", text="请说明")
    return {"scheme": scheme_a, "confirmed": declared, "pending": pending, "appeal": appeal,
            "evidence": Evidence.objects.get(entry=declared), "item": item(scheme_a, "c2")}


def test_member_sees_own_score_with_evidence_and_confirmer(world, client_for, mary):
    client = client_for(mary)
    html = client.get(reverse("scoring:mine")).content.decode()
    assert "我的积分" in html and "带头清扫积雪" in html and "支委会认定" in html
    assert reverse("scoring:evidence", args=[world["evidence"].pk]) in html
    assert client.get(reverse("scoring:evidence", args=[world["evidence"].pk])).status_code == 200
    assert client.get(reverse("scoring:entry", args=[world["confirmed"].pk])).status_code == 200
    assert client.get(reverse("scoring:entry", args=[world["pending"].pk])).status_code == 404  # someone else's
    data = client.get("/api/v1/points/me/").json()
    assert D(data["total"]) == D("3") and data["entries"][0]["decided_by_name"] == "alice"
    assert data["entries"][0]["evidence"][0]["url"].startswith("/points/evidence/")


def test_member_declares_from_the_page(world, client_for, mary, today):
    client = client_for(mary)
    assert client.get(reverse("scoring:declare")).status_code == 200
    photo = SimpleUploadedFile("x.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = client.post(reverse("scoring:declare"), {
        "item": item(world["scheme"], "c1").pk, "occurred_on": today.isoformat(), "points": "4",
        "note": "参加防汛值守", "files": [photo]})
    assert response.status_code == 302
    assert Entry.objects.filter(note="参加防汛值守", status=EntryStatus.PROPOSED).exists()
    response = client.post(reverse("scoring:appeal_new"), {"kind": "objection", "person": world["pending"].person_id,
                                                          "text": "陈强同志当天未到场"})
    assert response.status_code == 302 and Appeal.objects.count() == 2


def test_secretary_pages_and_confirmation(world, client_for, alice, today):
    client = client_for(alice)
    for url in (reverse("scoring:index"), reverse("scoring:scheme", args=[world["scheme"].pk]),
                reverse("scoring:ledger", args=[world["scheme"].organization_id]),
                reverse("scoring:batch", args=[world["scheme"].organization_id]), reverse("scoring:pending"),
                reverse("scoring:appeals"), reverse("scoring:appeal", args=[world["appeal"].pk]),
                reverse("scoring:entry", args=[world["pending"].pk]),
                reverse("scoring:item_edit", args=[world["item"].pk])):
        assert client.get(url).status_code == 200, url
    response = client.post(reverse("scoring:entry_confirm", args=[world["pending"].pk]),
                           {"body": "committee", "decided_on": today.isoformat()})
    assert response.status_code == 302
    world["pending"].refresh_from_db()
    assert world["pending"].status == EntryStatus.CONFIRMED
    response = client.post(reverse("scoring:batch", args=[world["scheme"].organization_id]), {
        "item": item(world["scheme"], "b2").pk, "occurred_on": today.isoformat(), "note": "组织生活会",
        "people": [world["pending"].person_id, world["confirmed"].person_id]})
    assert response.status_code == 302 and Entry.objects.filter(note="组织生活会").count() == 2
    response = client.post(reverse("scoring:appeal", args=[world["appeal"].pk]), {
        "outcome": "explained", "answer": "依据为支委会记录", "publish_scope": "parties", "body": "committee",
        "decided_on": today.isoformat()})
    assert response.status_code == 302


def test_clerk_records_but_cannot_confirm(world, client_for, clerk_a, today):
    client = client_for(clerk_a)
    assert client.get(reverse("scoring:batch", args=[world["scheme"].organization_id])).status_code == 200
    response = client.post(reverse("scoring:entry_confirm", args=[world["pending"].pk]),
                           {"body": "committee", "decided_on": today.isoformat()})
    assert response.status_code == 403


def _outsiders(branch_b, other_county):
    users = []
    for role in Role:
        user = make_user(f"out_{role.value}")
        org_services.grant_role(acting_user=None, user=user, organization=branch_b, role=role)
        users.append(user)
    oscar_like = make_user("out_county_reviewer")
    org_services.grant_role(acting_user=None, user=oscar_like, organization=other_county, role=Role.REVIEWER)
    users.append(oscar_like)
    ben = member_user("out_member_b", MemberFactory(organization=branch_b))
    users.append(ben)
    return users


def test_outsiders_get_404_everywhere(world, client_for, api_for, charlie, oscar, branch_b, other_county, today):
    scheme, pending, confirmed, appeal = world["scheme"], world["pending"], world["confirmed"], world["appeal"]
    org = scheme.organization_id
    gets = [
        reverse("scoring:scheme", args=[scheme.pk]), reverse("scoring:ledger", args=[org]),
        reverse("scoring:batch", args=[org]), reverse("scoring:person", args=[org, confirmed.person_id]),
        reverse("scoring:entry", args=[pending.pk]), reverse("scoring:entry", args=[confirmed.pk]),
        reverse("scoring:evidence", args=[world["evidence"].pk]), reverse("scoring:appeal", args=[appeal.pk]),
        reverse("scoring:item_edit", args=[world["item"].pk]), reverse("scoring:item_add", args=[scheme.pk]),
    ]
    posts = [
        reverse("scoring:scheme_settings", args=[scheme.pk]), reverse("scoring:scheme_announce", args=[scheme.pk]),
        reverse("scoring:scheme_publish", args=[scheme.pk]), reverse("scoring:item_retire", args=[world["item"].pk]),
        reverse("scoring:entry_confirm", args=[pending.pk]), reverse("scoring:entry_reject", args=[pending.pk]),
        reverse("scoring:entry_compensate", args=[confirmed.pk]), reverse("scoring:appeal", args=[appeal.pk]),
    ]
    api_gets = [f"/api/v1/points/schemes/{scheme.pk}/", f"/api/v1/points/entries/{pending.pk}/",
                f"/api/v1/points/entries/{confirmed.pk}/", f"/api/v1/points/appeals/{appeal.pk}/"]
    api_posts = [f"/api/v1/points/schemes/{scheme.pk}/publish/", f"/api/v1/points/schemes/{scheme.pk}/items/",
                 f"/api/v1/points/entries/{pending.pk}/confirm/", f"/api/v1/points/entries/{confirmed.pk}/compensate/",
                 f"/api/v1/points/appeals/{appeal.pk}/answer/"]
    for user in [charlie, oscar, *_outsiders(branch_b, other_county)]:
        client = client_for(user)
        for url in gets:
            assert client.get(url).status_code == 404, (user.username, url)
        for url in posts:
            assert client.post(url, {"body": "committee", "decided_on": today.isoformat(), "reason": "x"}
                               ).status_code == 404, (user.username, url)
        api = api_for(user)
        for url in api_gets:
            assert api.get(url).status_code == 404, (user.username, url)
        for url in api_posts:
            assert api.post(url, {"body": "committee", "decided_on": today.isoformat(), "reason": "x"},
                            format="json").status_code == 404, (user.username, url)
        for url in ("/api/v1/points/entries/", "/api/v1/points/appeals/", "/api/v1/points/schemes/"):
            body = api.get(url).json()
            rows = body["results"] if isinstance(body, dict) else body
            assert rows == [], (user.username, url)
        response = api.post("/api/v1/points/entries/", {"organization": org, "item": world["item"].pk,
                                                        "person_ids": [confirmed.person_id],
                                                        "occurred_on": today.isoformat()}, format="json")
        assert response.status_code == 404, user.username
    assert Entry.objects.count() == 2


def test_member_of_the_branch_cannot_reach_officer_pages(world, client_for, mary):
    client = client_for(mary)
    for url in (reverse("scoring:scheme", args=[world["scheme"].pk]),
                reverse("scoring:ledger", args=[world["scheme"].organization_id]),
                reverse("scoring:entry", args=[world["pending"].pk])):
        assert client.get(url).status_code == 404, url


def test_api_declare_confirm_and_me(world, api_for, mary, alice, today):
    api = api_for(mary)
    photo = SimpleUploadedFile("y.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = api.post("/api/v1/points/entries/declare/", {
        "item": item(world["scheme"], "c1").pk, "occurred_on": today.isoformat(), "points": "2", "note": "扶贫",
        "files": [photo]}, format="multipart")
    assert response.status_code == 201, response.content
    entry_id = response.json()["id"]
    response = api_for(alice).post(f"/api/v1/points/entries/{entry_id}/confirm/",
                                   {"body": "committee", "decided_on": today.isoformat()}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
    response = api_for(alice).post(f"/api/v1/points/entries/{entry_id}/confirm/",
                                   {"body": "committee", "decided_on": today.isoformat()}, format="json")
    assert response.status_code == 409
    assert D(api.get("/api/v1/points/me/").json()["total"]) == D("5")


def test_query_counts_are_bounded(world, client_for, alice, mary, branch_a, django_assert_max_num_queries, today):
    for _n in range(12):
        member = MemberFactory(organization=branch_a)
        services.entries_record(acting_user=alice, scheme=world["scheme"], item=item(world["scheme"], "b2"),
                                person_ids=[member.person_id], occurred_on=today, confirm_body="committee",
                                decided_on=today)
    client = client_for(alice)
    url = reverse("scoring:ledger", args=[branch_a.pk])
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200
    member_client = client_for(mary)
    with django_assert_max_num_queries(30):
        assert member_client.get(reverse("scoring:mine")).status_code == 200
