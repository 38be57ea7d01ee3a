"""`/api/v1/publicity-windows/` and `/api/v1/publicity-objections/`: same services, same scoping."""

import pytest

from audit.publicity import services
from audit.publicity.models import Finding, Objection, PublicityWindow, WindowStatus

from .factories import TODAY, fields, open_window

pytestmark = pytest.mark.django_db


@pytest.fixture
def window(branch_a, alice, frozen_today):
    return open_window(branch_a, acting_user=alice, names=("张伟", "李娜"), subject_type="test.subject")


@pytest.fixture
def objection(window, mona):
    return services.objection_file(acting_user=mona, window=window, content="有异议。", today=TODAY)


def create_payload(branch, **overrides) -> dict:
    payload = {
        "organization": branch.pk, "title": "发展对象公示", "kind": "recruitment.candidate",
        "scope": ["branch_members", "residence_masses"], "starts_on": "2024-09-27", "contact": "0391-2345678",
        "entries": [{"subject_type": "test.subject", "subject_id": "9", "fields": fields("赵敏", results="优秀20票")}],
    }
    payload.update(overrides)
    return payload


@pytest.mark.parametrize("outsider", ["charlie", "oscar", "mike"])
def test_outsiders_get_404_on_every_endpoint(request, api_for, window, objection, branch_a, outsider):
    api = api_for(request.getfixturevalue(outsider))
    assert api.get(f"/api/v1/publicity-windows/{window.pk}/").status_code == 404
    assert api.get(f"/api/v1/publicity-objections/{objection.pk}/").status_code == 404
    assert api.post(f"/api/v1/publicity-objections/{objection.pk}/conclude/",
                    {"finding": "substantive", "investigation": "属实。"}, format="json").status_code == 404
    assert api.post(f"/api/v1/publicity-objections/{objection.pk}/investigate/", {}, format="json").status_code == 404
    assert api.post("/api/v1/publicity-objections/", {"window": window.pk, "content": "x"},
                    format="json").status_code == 404
    assert api.post("/api/v1/publicity-windows/", create_payload(branch_a), format="json").status_code == 404
    assert api.get("/api/v1/publicity-windows/").json()["results"] == []
    assert api.get("/api/v1/publicity-objections/", {"window": window.pk}).json()["results"] == []
    assert Objection.objects.count() == 1 and PublicityWindow.objects.count() == 1


def test_secretary_opens_a_window(api_for, alice, branch_a, frozen_today):
    response = api_for(alice).post("/api/v1/publicity-windows/", create_payload(branch_a), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["ends_on"], body["kind_label"]) == ("open", "2024-10-09", "发展对象公示")
    assert body["entries"][0]["snapshot"]["name"] == "赵敏"


def test_personal_data_is_a_409_with_the_rule(api_for, alice, branch_a, frozen_today):
    payload = create_payload(branch_a, entries=[{"fields": {"name": "赵敏", "id_number": "41080219800512001X"}}])
    response = api_for(alice).post("/api/v1/publicity-windows/", payload, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "publicity.private_field"
    assert not PublicityWindow.objects.exists()


def test_reviewer_may_read_but_not_open(api_for, rita, branch_a, window, frozen_today):
    api = api_for(rita)
    assert api.get(f"/api/v1/publicity-windows/{window.pk}/").status_code == 200
    assert api.post("/api/v1/publicity-windows/", create_payload(branch_a), format="json").status_code == 404


def test_member_files_and_reads_back_her_objection(api_for, mona, window):
    entry = window.entries.get(order=1)
    response = api_for(mona).post("/api/v1/publicity-objections/",
                                  {"window": window.pk, "entry": entry.pk, "content": "有异议。"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["entry_name"] == "张伟"
    assert "investigation" not in response.json()


def test_member_may_not_record_for_others(api_for, mona, window):
    response = api_for(mona).post("/api/v1/publicity-objections/", {
        "window": window.pk, "content": "来信。", "channel": "paper", "on_behalf_of_name": "刘某",
    }, format="json")
    assert response.status_code == 403


def test_member_sees_no_pending_counts_or_termination_reasons(api_for, mona, window, objection):
    api = api_for(mona)
    row = api.get("/api/v1/publicity-windows/").json()["results"][0]
    assert "pending_objections" not in row
    assert "termination_reason" not in api.get(f"/api/v1/publicity-windows/{window.pk}/").json()


def test_secretary_concludes_and_the_handler_runs_once(api_for, alice, window, objection, monkeypatch):
    from audit import registry

    calls = []
    monkeypatch.setitem(registry._publicity_handlers, "test.subject", lambda **kw: calls.append(kw["subject_id"]))
    response = api_for(alice).post(f"/api/v1/publicity-objections/{objection.pk}/conclude/",
                                   {"finding": Finding.SUBSTANTIVE, "investigation": "属实。"}, format="json")
    assert response.status_code == 200 and response.json()["finding"] == "substantive"
    assert sorted(calls) == ["1", "2"]
    window.refresh_from_db()
    assert window.status == WindowStatus.TERMINATED
    again = api_for(alice).post(f"/api/v1/publicity-objections/{objection.pk}/conclude/",
                                {"finding": Finding.SUBSTANTIVE, "investigation": "属实。"}, format="json")
    assert again.status_code == 409 and len(calls) == 2


def test_reviewer_may_not_conclude(api_for, rita, objection):
    response = api_for(rita).post(f"/api/v1/publicity-objections/{objection.pk}/conclude/",
                                  {"finding": Finding.SUBSTANTIVE, "investigation": "属实。"}, format="json")
    assert response.status_code == 403


def test_lists_have_bounded_queries(api_for, branch_a, alice, mona, frozen_today, django_assert_max_num_queries):
    for n in range(12):
        window = open_window(branch_a, acting_user=alice, title=f"公示{n}", names=("张伟", "李娜"))
        services.objection_file(acting_user=mona, window=window, content="有异议。", today=TODAY)
    api = api_for(alice)
    with django_assert_max_num_queries(8):
        rows = api.get("/api/v1/publicity-windows/").json()["results"]
    assert len(rows) == 12
    assert {(row["entry_count"], row["pending_objections"]) for row in rows} == {(2, 1)}
    with django_assert_max_num_queries(8):
        assert len(api.get("/api/v1/publicity-objections/").json()["results"]) == 12
