"""`/api/v1/filings/`: same services and scoping as the pages; 404 out of scope, 409 for rules."""

from datetime import date

import pytest

from audit.filings import services
from audit.filings.models import Filing, FilingKind, FilingMaterial, FilingStatus
from audit.notifications.models import Notification
from audit.registry import _filing_handlers

from .factories import EXE_BYTES, PDF_BYTES, PNG_BYTES, pdf, upload

pytestmark = pytest.mark.django_db

BASE = "/api/v1/filings/"


def endpoints(filing: Filing) -> list[tuple[str, str, dict]]:
    material = filing.materials.get()
    return [
        ("get", f"{BASE}{filing.pk}/", {}),
        ("post", f"{BASE}{filing.pk}/decide/", {"decision": "approve"}),
        ("post", f"{BASE}{filing.pk}/resubmit/", {}),
        ("post", f"{BASE}{filing.pk}/withdraw/", {}),
        ("post", f"{BASE}{filing.pk}/extend/", {"until": "2024-08-01", "reason": "特殊"}),
        ("get", f"{BASE}{filing.pk}/materials/{material.pk}/", {}),
    ]


@pytest.mark.parametrize("outsider", ["charlie", "oscar"])
def test_outsider_gets_404_on_every_endpoint(request, api_for, filing, outsider):
    api = api_for(request.getfixturevalue(outsider))
    for method, url, data in endpoints(filing):
        assert getattr(api, method)(url, data, format="json").status_code == 404, (outsider, url)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.PENDING


@pytest.mark.parametrize("outsider", ["charlie", "oscar"])
def test_outsider_list_is_empty(request, api_for, filing, outsider):
    body = api_for(request.getfixturevalue(outsider)).get(BASE).json()
    assert body["count"] == 0


def test_list_shows_both_sides_and_side_filter(api_for, filing, alice, rita):
    assert api_for(alice).get(BASE).json()["count"] == 1
    assert api_for(alice).get(BASE, {"side": "queue"}).json()["count"] == 0
    assert api_for(rita).get(BASE, {"side": "queue"}).json()["count"] == 1


def test_list_queries_are_bounded(api_for, alice, branch_a, rita, django_assert_max_num_queries):
    for n in range(20):
        services.filing_submit(acting_user=alice, from_organization=branch_a, kind=FilingKind.RECORD,
                               subject_type="t", subject_id=str(n), subject_label="事项", title=f"报送{n}")
    with django_assert_max_num_queries(8):
        assert api_for(rita).get(BASE).json()["count"] == 20


def test_detail_has_rounds_and_materials(api_for, filing, rita):
    body = api_for(rita).get(f"{BASE}{filing.pk}/").json()
    assert body["to_organization_name"] == "城关镇党委" and body["kind_display"] == "备案"
    assert [r["revision"] for r in body["rounds"]] == [1]
    assert body["materials"][0]["file_type"] == "pdf"
    assert body["materials"][0]["download_url"].endswith(f"/materials/{filing.materials.get().pk}/")


def test_create_routes_and_stores_materials(api_for, alice, branch_a, town, media_root):
    response = api_for(alice).post(BASE, {
        "from_organization": branch_a.pk, "kind": "approve", "title": "接收预备党员审批",
        "subject_type": "tests.candidate", "subject_id": "12", "subject_label": "李某某",
        "materials": [pdf(), upload("志愿书.png", PNG_BYTES)],
    }, format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["to_organization"] == town.pk and len(body["materials"]) == 2


def test_create_from_a_foreign_branch_is_a_field_error(api_for, charlie, branch_a):
    response = api_for(charlie).post(BASE, {"from_organization": branch_a.pk, "kind": "record", "title": "冒名"},
                                     format="json")
    assert response.status_code == 400 and "from_organization" in response.json()
    assert not Filing.objects.exists()


def test_create_to_a_non_superior_is_a_field_error(api_for, alice, branch_a, branch_b):
    response = api_for(alice).post(BASE, {"from_organization": branch_a.pk, "kind": "record", "title": "报送",
                                          "to_organization": branch_b.pk}, format="json")
    assert response.status_code == 400 and response.json()["to_organization"] == ["只能报送上级党组织。"]


@pytest.mark.parametrize(("name", "content"), [("报告.pdf", PNG_BYTES), ("报告.pdf", EXE_BYTES)])
def test_create_with_a_disguised_file_is_409_and_writes_nothing(api_for, alice, branch_a, media_root, name, content):
    response = api_for(alice).post(BASE, {"from_organization": branch_a.pk, "kind": "record", "title": "报送",
                                          "materials": [upload(name, content)]}, format="multipart")
    assert response.status_code == 409
    assert response.json()["code"] in ("filing.material_type", "filing.material_extension")
    assert not Filing.objects.exists() and not FilingMaterial.objects.exists()
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


def test_decide_calls_handler_once_and_notifies_submitter_once(api_for, filing, rita, alice, monkeypatch):
    calls = []
    monkeypatch.setitem(_filing_handlers, "tests.activist", lambda **kw: calls.append(kw["subject_id"]))
    api = api_for(rita)
    response = api.post(f"{BASE}{filing.pk}/decide/", {"decision": "approve", "opinion": "同意"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    again = api.post(f"{BASE}{filing.pk}/decide/", {"decision": "approve"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "filing.not_pending"
    assert calls == ["7"]
    assert Notification.objects.filter(user=alice, key__startswith=f"filing:{filing.pk}:decided").count() == 1


def test_return_without_opinion_is_400(api_for, filing, rita):
    response = api_for(rita).post(f"{BASE}{filing.pk}/decide/", {"decision": "return"}, format="json")
    assert response.status_code == 400 and response.json()["opinion"] == ["退回时必须填写意见。"]


def test_submitter_may_not_decide(api_for, filing, alice):
    assert api_for(alice).post(f"{BASE}{filing.pk}/decide/", {"decision": "approve"}, format="json").status_code == 403


def test_resubmit_after_return_keeps_rounds(api_for, filing, rita, alice):
    api_for(rita).post(f"{BASE}{filing.pk}/decide/", {"decision": "return", "opinion": "补充"}, format="json")
    response = api_for(alice).post(f"{BASE}{filing.pk}/resubmit/", {"note": "已补充"}, format="json")
    assert response.status_code == 200
    assert [(r["revision"], r["status"]) for r in response.json()["rounds"]] == [(1, "returned"), (2, "pending")]


def test_resubmit_while_pending_is_409(api_for, filing, alice):
    assert api_for(alice).post(f"{BASE}{filing.pk}/resubmit/", {}, format="json").status_code == 409


def test_withdraw_by_sender(api_for, filing, alice):
    response = api_for(alice).post(f"{BASE}{filing.pk}/withdraw/", {"reason": "重报"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"


def test_extend_beyond_six_months_is_409(api_for, alice, branch_a, rita):
    filing = services.filing_submit(acting_user=alice, from_organization=branch_a, kind=FilingKind.APPROVE,
                                    subject_type="t", subject_id="1", subject_label="甲", title="审批",
                                    today=date(2024, 1, 31))
    api = api_for(rita)
    refused = api.post(f"{BASE}{filing.pk}/extend/", {"until": "2024-08-01", "reason": "特殊"}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "filing.extension_too_long"
    accepted = api.post(f"{BASE}{filing.pk}/extend/", {"until": "2024-07-31", "reason": "特殊"}, format="json")
    assert accepted.status_code == 200 and accepted.json()["deadline"] == "2024-07-31"


def test_material_download_through_the_api(api_for, filing, rita):
    material = filing.materials.get()
    response = api_for(rita).get(f"{BASE}{filing.pk}/materials/{material.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF_BYTES


def test_material_of_another_filing_is_404(api_for, filing, alice, branch_a):
    other = services.filing_submit(acting_user=alice, from_organization=branch_a, kind=FilingKind.RECORD,
                                   subject_type="t", subject_id="9", subject_label="乙", title="另一件")
    material = filing.materials.get()
    assert api_for(alice).get(f"{BASE}{other.pk}/materials/{material.pk}/").status_code == 404
