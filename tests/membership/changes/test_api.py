"""The API of member changes: the same services and scoping as the pages; 404 out of scope, 403 visible but not
allowed, 409 for a rule that forbids the action now."""

from datetime import date

import pytest

from membership.changes import services
from membership.changes.models import DisposalCase, Exemption, Transfer, TransferStatus
from tests.membership.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def transfer(alice, member, branch_b):
    return services.transfer_request(acting_user=alice, member=member, to_organization=branch_b, reason="工作调动")


@pytest.fixture
def objects(alice, member, member_a, branch_b):
    transfer = services.transfer_request(acting_user=alice, member=member, to_organization=branch_b, reason="调动")
    flow = services.flow_register(acting_user=alice, member=member_a, direction="flow_out", other_organization="x",
                                  started_on=date(2026, 1, 5))
    exemption = services.exemption_apply(acting_user=alice, member=member_a, reason_kind="elderly", reason="年老",
                                         applied_on=date(2026, 7, 1), source="secretary")
    case = services.disposal_open(acting_user=alice, member=MemberFactory(organization=member.organization),
                                  measure="rectify_deadline", finding_on=date(2026, 7, 1), finding="不合格")
    return {"transfer": transfer, "flow": flow, "exemption": exemption, "case": case}


def test_create_and_accept_a_transfer(api_for, alice, charlie, member, branch_b):
    response = api_for(alice).post("/api/v1/member-transfers/", {
        "member": member.pk, "kind": "internal", "to_organization_code": "C01T01B02", "reason": "工作调动"},
        format="json")
    assert response.status_code == 201 and response.json()["status"] == "requested"
    pk = response.json()["id"]
    response = api_for(charlie).post(f"/api/v1/member-transfers/{pk}/accept/")
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    member.refresh_from_db()
    assert member.organization == branch_b


def test_an_unknown_receiver_code_is_a_400(api_for, alice, member):
    response = api_for(alice).post("/api/v1/member-transfers/", {
        "member": member.pk, "kind": "internal", "to_organization_code": "NOPE", "reason": "x"}, format="json")
    assert response.status_code == 400 and "to_organization_code" in response.json()


def test_the_sender_cannot_accept(api_for, alice, transfer):
    assert api_for(alice).post(f"/api/v1/member-transfers/{transfer.pk}/accept/").status_code == 403
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.REQUESTED


def test_accepting_ones_own_request_is_a_409(api_for, oliver, member, branch_b):
    transfer = services.transfer_request(acting_user=oliver, member=member, to_organization=branch_b, reason="调动")
    response = api_for(oliver).post(f"/api/v1/member-transfers/{transfer.pk}/accept/")
    assert response.status_code == 409 and response.json()["code"] == "transfer.own_request"


def test_a_transfer_out_of_the_system_via_api(api_for, alice, member):
    response = api_for(alice).post("/api/v1/member-transfers/", {
        "member": member.pk, "kind": "outside", "destination": "中共某区委组织部", "reason": "迁居"}, format="json")
    assert response.status_code == 201 and response.json()["letter_number"] == "（2026）第 0001 号"
    member.refresh_from_db()
    assert not member.is_active


def test_a_disposal_step_out_of_order_is_a_409(api_for, alice, objects):
    response = api_for(alice).post(f"/api/v1/member-disposals/{objects['case'].pk}/vote/", {
        "meeting_on": "2026-07-10", "eligible": 20, "attended": 16, "in_favour": 12, "against": 3, "abstained": 1},
        format="json")
    assert response.status_code == 409 and response.json()["code"] == "disposal.out_of_order"


def test_a_disposal_runs_its_first_steps_via_api(api_for, alice, objects):
    pk = objects["case"].pk
    api = api_for(alice)
    response = api.post(f"/api/v1/member-disposals/{pk}/investigate/", {
        "investigated_on": "2026-07-05", "investigation": "核实属实", "proposal": "限期改正"}, format="json")
    assert response.status_code == 200 and response.json()["step"] == 2
    response = api.post(f"/api/v1/member-disposals/{pk}/pre-review/", {"note": "请预审"}, format="json")
    assert response.status_code == 200 and response.json()["pre_review_filing_id"]


def test_a_member_applies_for_exemption_via_api(api_for, mary_for, member_a):
    response = api_for(mary_for(member_a)).post("/api/v1/member-exemptions/", {
        "member": member_a.pk, "reason_kind": "mobility", "reason": "行动不便", "applied_on": "2026-07-10"},
        format="json")
    assert response.status_code == 201 and response.json()["source"] == "self"
    assert Exemption.objects.filter(member=member_a).exists()


def test_make_full_and_death_via_api(api_for, alice, branch_a, member):
    target = MemberFactory(organization=branch_a, joined_on=date(2025, 6, 1), status="probationary")
    api = api_for(alice)
    response = api.post("/api/v1/member-status-changes/make-full/", {
        "member": target.pk, "meeting_on": "2026-06-10", "approved_on": "2026-07-01"}, format="json")
    assert response.status_code == 201 and response.json()["kind"] == "made_full"
    response = api.post("/api/v1/member-status-changes/death/", {"member": member.pk, "died_on": "2026-07-01"},
                        format="json")
    assert response.status_code == 201 and response.json()["kind"] == "deceased"


def endpoints(objects, member) -> list[tuple[str, str, dict]]:
    t, f, e, c = objects["transfer"], objects["flow"], objects["exemption"], objects["case"]
    return [
        ("get", f"/api/v1/member-transfers/{t.pk}/", {}),
        ("post", f"/api/v1/member-transfers/{t.pk}/cancel/", {"reason": "x"}),
        ("get", f"/api/v1/member-flows/{f.pk}/", {}),
        ("post", f"/api/v1/member-flows/{f.pk}/reports/", {"reported_on": "2026-07-01", "content": "x"}),
        ("post", f"/api/v1/member-flows/{f.pk}/end/", {"returned_on": "2026-07-01"}),
        ("get", f"/api/v1/member-exemptions/{e.pk}/", {}),
        ("post", f"/api/v1/member-exemptions/{e.pk}/decide/",
         {"agreed": True, "body": "committee", "decided_on": "2026-07-10"}),
        ("get", f"/api/v1/member-disposals/{c.pk}/", {}),
        ("post", f"/api/v1/member-disposals/{c.pk}/withdraw/", {"reason": "x"}),
        ("post", "/api/v1/member-flows/", {"member": member.pk, "direction": "flow_out", "other_organization": "x",
                                           "started_on": "2026-07-01"}),
        ("post", "/api/v1/member-disposals/", {"member": member.pk, "measure": "remove", "finding_on": "2026-07-01",
                                               "finding": "x"}),
        ("post", "/api/v1/member-status-changes/death/", {"member": member.pk, "died_on": "2026-07-01"}),
    ]


def test_outsiders_get_404_on_every_endpoint(api_for, oscar, objects, member):
    api = api_for(oscar)
    for method, url, data in endpoints(objects, member):
        assert getattr(api, method)(url, data, format="json").status_code == 404, url


def test_the_other_branch_gets_404_except_for_the_transfer_addressed_to_it(api_for, charlie, objects, member):
    api = api_for(charlie)
    for method, url, data in endpoints(objects, member)[2:]:
        assert getattr(api, method)(url, data, format="json").status_code == 404, url
    assert api.get(f"/api/v1/member-transfers/{objects['transfer'].pk}/").status_code == 200
    assert api.post(f"/api/v1/member-transfers/{objects['transfer'].pk}/cancel/", {"reason": "x"}).status_code == 403


def test_a_reviewer_reads_but_cannot_act(api_for, rita, objects, member):
    api = api_for(rita)
    for method, url, data in endpoints(objects, member):
        expected = 200 if method == "get" else 403
        assert getattr(api, method)(url, data, format="json").status_code == expected, url


@pytest.mark.parametrize("prefix", ["member-transfers", "member-flows", "member-exemptions", "member-disposals",
                                    "member-status-changes"])
def test_list_queries_do_not_grow(api_for, alice, branch_a, branch_b, django_assert_max_num_queries, prefix):
    api = api_for(alice)

    def add(n):
        for _ in range(n):
            m = MemberFactory(organization=branch_a)
            services.transfer_request(acting_user=alice, member=m, to_organization=branch_b, reason="调动")
            services.flow_register(acting_user=alice, member=m, direction="flow_out", other_organization="x",
                                   started_on=date(2026, 1, 5))
            services.exemption_apply(acting_user=alice, member=m, reason_kind="elderly", reason="年老",
                                     applied_on=date(2026, 7, 1), source="secretary")
            services.disposal_open(acting_user=alice, member=m, measure="rectify_deadline",
                                   finding_on=date(2026, 7, 1), finding="不合格")
            services.member_record_death(acting_user=alice, member=MemberFactory(organization=branch_a),
                                         died_on=date(2026, 7, 1))

    add(2)
    with django_assert_max_num_queries(6):
        assert api.get(f"/api/v1/{prefix}/").status_code == 200
    add(10)
    with django_assert_max_num_queries(6):
        response = api.get(f"/api/v1/{prefix}/")
    assert response.json()["count"] >= 12


def test_lists_are_scoped(api_for, oscar, objects):
    for prefix in ["member-transfers", "member-flows", "member-exemptions", "member-disposals"]:
        assert api_for(oscar).get(f"/api/v1/{prefix}/").json()["count"] == 0
    assert DisposalCase.objects.count() == 1


def test_a_colleague_requests_a_transfer_via_api(api_for, bob, member, branch_b):
    response = api_for(bob).post("/api/v1/member-transfers/", {
        "member": member.pk, "kind": "internal", "to_organization_code": "C01T01B02", "reason": "工作调动"},
        format="json")
    assert response.status_code == 201
    assert Transfer.objects.get(pk=response.json()["id"]).requested_by == bob
