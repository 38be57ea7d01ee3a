"""The API walks the cycle with the same services and scoping: 409 for rules, 404 out of scope, 403 for
readers, the leader's own group only."""

from datetime import date

import pytest
from PIL import Image

from grouping.models import Placement, PlacementStatus, PostList

pytestmark = pytest.mark.django_db

BASE = "/api/v1/grouping"


def _jpeg() -> bytes:
    from io import BytesIO

    out = BytesIO()
    Image.new("RGB", (40, 30), (200, 80, 40)).save(out, format="JPEG")
    return out.getvalue()


def test_secretary_walks_the_cycle_through_the_api(api_for, alice, branch_a, members, leo):
    api = api_for(alice)
    response = api.post(f"{BASE}/post-lists/", {"organization": branch_a.pk, "year": 2026,
                                                "suggested": ["环境卫生监督岗"]}, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    post = api.post(f"{BASE}/post-lists/{pk}/posts/", {"name": "邻里纠纷调解岗", "duties": "调解纠纷"},
                    format="json").json()
    assert api.post(f"{BASE}/post-lists/{pk}/publish/", {"on": "2026-03-05"}, format="json").status_code == 200
    assert api.post(f"{BASE}/posts/{post['id']}/claims/", {"member": members[2].pk}, format="json").status_code == 201
    response = api.post(f"{BASE}/posts/{post['id']}/claims/", {"member": members[1].pk}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "grouping.office_holder"
    plan = api.get(f"{BASE}/post-lists/{pk}/plan/").json()
    assert members[1].pk in plan["office_holders"]
    assert len(api.post(f"{BASE}/post-lists/{pk}/draft-placements/").json()) == 1
    placement = Placement.objects.get(member=members[2])
    assert api.post(f"{BASE}/placements/{placement.pk}/opinion/", {"opinion": "服从安排"},
                    format="json").status_code == 200
    assert api.post(f"{BASE}/post-lists/{pk}/confirm/", {"member": members[2].pk}, format="json").status_code == 200
    response = api.post(f"{BASE}/posts/{post['id']}/group/", {"leader": members[2].pk, "cadre": members[1].pk},
                        format="json")
    assert response.status_code == 200 and response.json()["leader_name"] == members[2].person.name
    assert api.post(f"{BASE}/placements/{placement.pk}/commitment/",
                    {"commitment": "小事不出组", "signed_on": "2026-03-20"}, format="json").status_code == 200
    response = api.post(f"{BASE}/post-lists/{pk}/file/")
    assert response.status_code == 409 and response.json()["code"] == "grouping.group_empty"  # 环境卫生监督岗 empty
    township = api.get(f"{BASE}/township/").json()
    assert [row["branch_name"] for row in township] == ["东街社区党支部"]
    assert Placement.objects.get(member=members[2]).status == PlacementStatus.CONFIRMED


def test_leader_member_account_enters_own_group_only(api_for, grouped, members, leo):
    hygiene, mediation = list(grouped.posts.order_by("order"))
    api = api_for(leo)
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("现场.jpg", _jpeg(), content_type="image/jpeg")
    response = api.post(f"{BASE}/posts/{hygiene.pk}/entries/", {
        "activity_on": "2026-11-03", "participants": [members[2].pk, members[3].pk], "content": "清理村口垃圾",
        "photos": [photo]}, format="multipart")
    assert response.status_code == 201, response.json()
    assert response.json()["photo_count"] == 1 and response.json()["leader_signed_at"]
    assert api.get(f"{BASE}/posts/{mediation.pk}/entries/").status_code == 404  # another group
    assert api.get(f"{BASE}/post-lists/{grouped.pk}/").status_code == 404  # the rest of the cycle
    assert api.get(f"{BASE}/posts/{hygiene.pk}/").status_code == 404


def test_bad_photo_is_refused_and_nothing_written(api_for, grouped, members, leo):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from grouping.models import PerformanceEntry

    hygiene = grouped.posts.order_by("order").first()
    fake = SimpleUploadedFile("a.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    response = api_for(leo).post(f"{BASE}/posts/{hygiene.pk}/entries/", {
        "activity_on": "2026-11-03", "participants": [members[2].pk], "content": "巡查", "photos": [fake]},
        format="multipart")
    assert response.status_code == 409 and response.json()["code"] == "photo.type"
    assert not PerformanceEntry.objects.exists()


def test_cadre_signs_through_the_api(api_for, grouped, members, leo, bob):
    hygiene = grouped.posts.order_by("order").first()
    entry = api_for(leo).post(f"{BASE}/posts/{hygiene.pk}/entries/", {
        "activity_on": "2026-11-03", "participants": [members[2].pk], "content": "巡查"}, format="json").json()
    response = api_for(bob).post(f"{BASE}/entries/{entry['id']}/sign/")
    assert response.status_code == 200 and response.json()["cadre_signed_at"]


def test_member_claims_for_self_only(api_for, published, members, leo):
    post = published.posts.first()
    api = api_for(leo)
    assert api.post(f"{BASE}/posts/{post.pk}/claims/", {"member": members[2].pk}, format="json").status_code == 201
    assert api.post(f"{BASE}/posts/{post.pk}/claims/", {"member": members[3].pk}, format="json").status_code == 404


def test_reviewer_reads_but_may_not_write(api_for, rita, grouped):
    api = api_for(rita)
    assert api.get(f"{BASE}/post-lists/{grouped.pk}/").status_code == 200
    assert api.post(f"{BASE}/post-lists/{grouped.pk}/file/").status_code == 403
    assert api.get(f"{BASE}/township/").status_code == 200


def test_exemption_office_training_and_evaluation(api_for, alice, bob, branch_a, grouped, members):
    api = api_for(alice)
    response = api.post(f"{BASE}/exemptions/", {"organization": branch_a.pk, "member": members[7].pk, "year": 2027,
                                                "reason": "health"}, format="json")
    assert response.status_code == 201
    assert api_for(bob).post(f"{BASE}/exemptions/{response.json()['id']}/decide/", {"approve": True},
                             format="json").json()["status"] == "approved"
    assert api.post(f"{BASE}/offices/", {"organization": branch_a.pk, "member": members[4].pk, "title": "村民小组长",
                                         "started_on": "2026-01-01"}, format="json").status_code == 201
    assert api.post(f"{BASE}/trainings/", {"organization": branch_a.pk, "member": members[2].pk,
                                           "held_on": "2026-04-01", "topic": "政策法规培训", "kind": "policy"},
                    format="json").status_code == 201
    assert len(api.get(f"{BASE}/trainings/").json()["results"]) == 1
    response = api.post(f"{BASE}/post-lists/{grouped.pk}/evaluations/", {
        "member": members[2].pk, "report": "全年履岗", "grade": "优秀", "evaluated_on": str(date(2026, 11, 9))},
        format="json")
    assert response.status_code == 201 and response.json()["is_leader"]


@pytest.mark.parametrize("who", ["charlie", "oscar"])
def test_outsiders_get_404_everywhere(api_for, request, grouped, members, branch_a, who):
    api = api_for(request.getfixturevalue(who))
    post = grouped.posts.first()
    placement = Placement.objects.filter(post=post).first()
    for url in (f"{BASE}/post-lists/{grouped.pk}/", f"{BASE}/post-lists/{grouped.pk}/plan/",
                f"{BASE}/post-lists/{grouped.pk}/posts/", f"{BASE}/posts/{post.pk}/",
                f"{BASE}/posts/{post.pk}/entries/", f"{BASE}/post-lists/{grouped.pk}/evaluations/"):
        assert api.get(url).status_code == 404, url
    for url, data in ((f"{BASE}/post-lists/{grouped.pk}/publish/", {"on": "2026-03-05"}),
                      (f"{BASE}/post-lists/{grouped.pk}/file/", {}),
                      (f"{BASE}/posts/{post.pk}/claims/", {"member": members[3].pk}),
                      (f"{BASE}/posts/{post.pk}/group/", {"leader": members[3].pk}),
                      (f"{BASE}/placements/{placement.pk}/opinion/", {"opinion": "x"}),
                      (f"{BASE}/post-lists/", {"organization": branch_a.pk, "year": 2027}),
                      (f"{BASE}/exemptions/", {"organization": branch_a.pk, "member": members[3].pk, "year": 2026,
                                               "reason": "age"})):
        assert api.post(url, data, format="json").status_code == 404, url
    assert api.get(f"{BASE}/post-lists/").json()["results"] == []
    assert api.get(f"{BASE}/township/").json() == [] or all(
        row["branch"] != branch_a.pk for row in api.get(f"{BASE}/township/").json())
    assert PostList.objects.count() == 1


def test_township_status_is_one_query(api_for, rita, grouped, django_assert_max_num_queries):
    api = api_for(rita)
    with django_assert_max_num_queries(4):
        response = api.get(f"{BASE}/township/?year=2026")
    row = response.json()[0]
    assert row["placed"] and row["grouped"] and not row["filed"] and not row["ledgers_current"]
