"""Pages of member changes: the owner acts, the colleague too, outsiders get 404, reviewers read but cannot act;
lists keep a bounded number of queries."""

from datetime import date

import pytest
from django.urls import reverse

from audit.filings.models import Filing
from branches.models import Domain, OrganizationKind
from membership.changes import services
from membership.changes.models import (
    DisposalCase,
    DisposalStep,
    Exemption,
    FlowRecord,
    Transfer,
    TransferStatus,
)
from tests.conftest import make_org
from tests.membership.factories import MemberFactory

from .conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def branch_c(town):
    return make_org(town, "南街社区党支部", "C01T01B03", OrganizationKind.BRANCH, domain=Domain.COMMUNITY)


@pytest.fixture
def rows(alice, member, member_a, branch_c):
    """One of everything for branch A's member (the transfer goes to branch C: charlie is an outsider)."""
    transfer = services.transfer_request(acting_user=alice, member=member, to_organization=branch_c, reason="工作调动")
    letter = services.transfer_out_issue(acting_user=alice, member=member_a, destination="中共某区委组织部",
                                         reason="迁居")
    flow = services.flow_register(acting_user=alice, member=member, direction="flow_out", other_organization="某公司党委",
                                  started_on=date(2026, 1, 5), fixed_place=True)
    exemption = services.exemption_apply(acting_user=alice, member=member, reason_kind="elderly", reason="年过八旬",
                                         applied_on=date(2026, 7, 1), source="secretary")
    return {"transfer": transfer, "letter": letter, "flow": flow, "exemption": exemption}


@pytest.fixture
def case(alice, branch_a):
    target = MemberFactory(organization=branch_a, person__name="赵处置")
    return services.disposal_open(acting_user=alice, member=target, measure="rectify_deadline",
                                  finding_on=date(2026, 7, 1), finding="民主评议不合格")


def object_pages(rows, case, member) -> list[tuple[str, str]]:
    t, f, e = rows["transfer"], rows["flow"], rows["exemption"]
    return [
        ("get", reverse("membership:changes:member", args=[member.pk])),
        ("get", reverse("membership:changes:transfer_detail", args=[t.pk])),
        ("get", reverse("membership:changes:transfer_letter", args=[rows["letter"].pk])),
        ("get", reverse("membership:changes:flow_detail", args=[f.pk])),
        ("get", reverse("membership:changes:exemption_detail", args=[e.pk])),
        ("get", reverse("membership:changes:disposal_detail", args=[case.pk])),
    ]


def write_pages(rows, case, member) -> list[tuple[str, str]]:
    t, f, e = rows["transfer"], rows["flow"], rows["exemption"]
    return [
        ("get", reverse("membership:changes:make_full", args=[member.pk])),
        ("get", reverse("membership:changes:death", args=[member.pk])),
        ("get", reverse("membership:changes:transfer_create", args=[member.pk])),
        ("get", reverse("membership:changes:transfer_out_create", args=[member.pk])),
        ("get", reverse("membership:changes:flow_create", args=[member.pk])),
        ("get", reverse("membership:changes:disposal_create", args=[member.pk])),
        ("post", reverse("membership:changes:transfer_cancel", args=[t.pk])),
        ("post", reverse("membership:changes:transfer_void", args=[rows["letter"].pk])),
        ("post", reverse("membership:changes:transfer_receipt", args=[rows["letter"].pk])),
        ("post", reverse("membership:changes:flow_report", args=[f.pk])),
        ("post", reverse("membership:changes:flow_update", args=[f.pk])),
        ("post", reverse("membership:changes:flow_end", args=[f.pk])),
        ("post", reverse("membership:changes:exemption_decide", args=[e.pk])),
        ("post", reverse("membership:changes:exemption_end", args=[e.pk])),
        ("post", reverse("membership:changes:disposal_action", args=[case.pk, "investigate"])),
        ("post", reverse("membership:changes:disposal_action", args=[case.pk, "withdraw"])),
    ]


LISTS = ["index", "transfers", "flows", "exemptions", "disposals", "former"]


@pytest.mark.parametrize("name", LISTS)
def test_lists_render_for_the_owner(client_for, alice, rows, case, name):
    response = client_for(alice).get(reverse(f"membership:changes:{name}"))
    assert response.status_code == 200


def test_owner_sees_every_page(client_for, alice, rows, case, member):
    client = client_for(alice)
    for method, url in object_pages(rows, case, member) + write_pages(rows, case, member)[:6]:
        assert getattr(client, method)(url).status_code == 200, url


@pytest.mark.parametrize("who", ["charlie", "oscar"])
def test_outsiders_get_404_on_every_page(client_for, request, rows, case, member, who):
    client = client_for(request.getfixturevalue(who))
    for method, url in object_pages(rows, case, member) + write_pages(rows, case, member):
        assert getattr(client, method)(url).status_code == 404, url


@pytest.mark.parametrize("who", ["oscar"])
def test_outsiders_see_no_lists(client_for, request, rows, case, who):
    client = client_for(request.getfixturevalue(who))
    for name in LISTS:
        response = client.get(reverse(f"membership:changes:{name}"))
        assert "张党员" not in response.content.decode(), name


def test_charlie_sees_only_the_transfer_addressed_to_him(client_for, alice, charlie, member_a, branch_b):
    transfer = services.transfer_request(acting_user=alice, member=member_a, to_organization=branch_b, reason="调动")
    client = client_for(charlie)
    assert client.get(reverse("membership:changes:transfer_detail", args=[transfer.pk])).status_code == 200
    page = client.get(reverse("membership:changes:transfers")).content.decode()
    assert member_a.person.name in page and "张党员" not in page
    assert "张党员" not in client.get(reverse("membership:changes:flows")).content.decode()


def test_a_reviewer_reads_but_cannot_act(client_for, rita, rows, case, member):
    client = client_for(rita)
    for method, url in object_pages(rows, case, member):
        assert getattr(client, method)(url).status_code == 200, url
    for method, url in write_pages(rows, case, member):
        assert getattr(client, method)(url).status_code == 403, url
    accept = reverse("membership:changes:transfer_accept", args=[rows["transfer"].pk])
    assert client.post(accept).status_code == 403


def test_a_member_without_register_scope_gets_404_on_the_lists(client_for, mary_for, member):
    client = client_for(mary_for(member))
    for name in LISTS:
        assert client.get(reverse(f"membership:changes:{name}")).status_code == 404, name


def test_the_receiving_secretary_accepts_on_the_page(client_for, alice, charlie, member, branch_b):
    transfer = services.transfer_request(acting_user=alice, member=member, to_organization=branch_b, reason="调动")
    response = client_for(charlie).post(reverse("membership:changes:transfer_accept", args=[transfer.pk]))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.organization == branch_b


def test_the_sender_cannot_accept_on_the_page(client_for, alice, rows):
    url = reverse("membership:changes:transfer_accept", args=[rows["transfer"].pk])
    assert client_for(alice).post(url).status_code == 403
    assert Transfer.objects.get(pk=rows["transfer"].pk).status == TransferStatus.REQUESTED


def test_a_refusal_without_reason_shows_the_form_error(client_for, alice, charlie, member, branch_b):
    transfer = services.transfer_request(acting_user=alice, member=member, to_organization=branch_b, reason="调动")
    url = reverse("membership:changes:transfer_refuse", args=[transfer.pk])
    response = client_for(charlie).post(url, {"refusal_reason": ""})
    assert response.status_code == 200 and "拒收理由" in response.content.decode()


def test_transfer_form_finds_the_receiver_by_code(client_for, alice, member_b, member, branch_b):
    url = reverse("membership:changes:transfer_create", args=[member.pk])
    page = client_for(alice).get(url).content.decode()
    assert "C01T01B02" in page  # the county's branches are offered as suggestions
    response = client_for(alice).post(url, {"to_code": "C01T01B02", "reason": "工作调动"})
    assert response.status_code == 302
    assert Transfer.objects.get(member=member).to_organization == branch_b
    response = client_for(alice).post(url, {"to_code": "NOPE", "reason": "x"})
    assert "未找到该组织代码对应的党支部" in response.content.decode()


def test_flow_form_registers_and_shows_the_transfer_prompt(client_for, alice, member):
    url = reverse("membership:changes:flow_create", args=[member.pk])
    response = client_for(alice).post(url, {"direction": "flow_out", "other_organization": "深圳某公司党支部",
                                            "started_on": "2026-01-10", "fixed_place": "on"})
    flow = FlowRecord.objects.get(member=member)
    assert response.status_code == 302
    page = client_for(alice).get(reverse("membership:changes:flow_detail", args=[flow.pk])).content.decode()
    assert "外出已满6个月且地点固定" in page


def test_the_floating_member_reports_from_their_own_account(client_for, mary_for, rows, member):
    client = client_for(mary_for(member))
    url = reverse("membership:changes:flow_report", args=[rows["flow"].pk])
    response = client.post(url, {"reported_on": "2026-07-10", "content": "在深圳参加流入地党组织活动"})
    assert response.status_code == 302
    assert rows["flow"].reports.get().recorded_by.username == "mary"
    assert client.post(reverse("membership:changes:flow_end", args=[rows["flow"].pk]),
                       {"returned_on": "2026-07-10"}).status_code == 403


def test_a_member_applies_for_exemption_themself(client_for, mary_for, member_a):
    client = client_for(mary_for(member_a))
    response = client.post(reverse("membership:changes:exemption_create", args=[member_a.pk]),
                           {"reason_kind": "illness", "reason": "长期透析治疗", "applied_on": "2026-07-10"})
    assert response.status_code == 302
    assert Exemption.objects.get(member=member_a).source == "self"


def test_exemption_decision_on_the_page_files_upward(client_for, alice, rows):
    url = reverse("membership:changes:exemption_decide", args=[rows["exemption"].pk])
    response = client_for(alice).post(url, {"agreed": "yes", "body": "committee", "decided_on": "2026-07-10"})
    assert response.status_code == 302
    exemption = Exemption.objects.get(pk=rows["exemption"].pk)
    assert Filing.objects.get(pk=exemption.filing_id).subject_type == "membership.exemption"


def test_disposal_steps_on_the_page(client_for, alice, case):
    client = client_for(alice)
    page = client.get(reverse("membership:changes:disposal_detail", args=[case.pk])).content.decode()
    assert "下一步：调查核实" in page
    response = client.post(reverse("membership:changes:disposal_action", args=[case.pk, "investigate"]), {
        "investigated_on": "2026-07-05", "investigation": "核实属实", "proposal": "限期改正",
        "measure": "rectify_deadline"})
    assert response.status_code == 302
    assert DisposalCase.objects.get(pk=case.pk).step == DisposalStep.INVESTIGATED


def test_a_step_out_of_order_on_the_page_is_refused(client_for, alice, case):
    response = client_for(alice).post(reverse("membership:changes:disposal_action", args=[case.pk, "vote"]), {
        "meeting_on": "2026-07-10", "eligible": 20, "attended": 16, "in_favour": 12, "against": 3, "abstained": 1})
    assert response.status_code == 200
    assert "处置程序须依次进行" in response.content.decode()
    assert DisposalCase.objects.get(pk=case.pk).step == DisposalStep.FINDING


def test_a_self_lapse_candidate_opens_a_case_from_the_page(client_for, alice, member, branch_a):
    from branches.dues.models import DuesLapseFlag

    flag = DuesLapseFlag.objects.create(organization=branch_a, county=branch_a.county, member=member,
                                        since_month=date(2026, 1, 1), months_unpaid=6, raised_on=TODAY)
    client = client_for(alice)
    assert "启动处置" in client.get(reverse("membership:changes:disposals")).content.decode()
    url = reverse("membership:changes:disposal_create", args=[member.pk]) + f"?lapse=dues:{flag.pk}"
    form_page = client.get(url).content.decode()
    assert "没有正当理由，连续6个月不交纳党费" in form_page
    response = client.post(reverse("membership:changes:disposal_create", args=[member.pk]), {
        "measure": "remove", "finding_on": "2026-07-10", "finding": "连续6个月未交党费",
        "lapse_grounds": ["dues"], "education": "书记两次谈话", "lapse": f"dues:{flag.pk}"})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.resolved and DisposalCase.objects.get(member=member).is_self_lapse


def test_a_foreign_lapse_reference_is_404(client_for, alice, member):
    url = reverse("membership:changes:disposal_create", args=[member.pk]) + "?lapse=dues:999999"
    assert client_for(alice).get(url).status_code == 404


def test_member_page_links_the_changes_tab(client_for, alice, member):
    page = client_for(alice).get(reverse("membership:detail", args=[member.pk])).content.decode()
    assert reverse("membership:changes:member", args=[member.pk]) in page


def test_make_full_on_the_page(client_for, alice, branch_a):
    target = MemberFactory(organization=branch_a, joined_on=date(2025, 6, 1), status="probationary")
    response = client_for(alice).post(reverse("membership:changes:make_full", args=[target.pk]),
                                      {"meeting_on": "2026-06-10", "approved_on": "2026-07-01"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.status == "full"


def _many(alice, branch_a, branch_b, n):
    for i in range(n):
        m = MemberFactory(organization=branch_a)
        services.flow_register(acting_user=alice, member=m, direction="flow_out", other_organization=f"公司{i}",
                               started_on=date(2026, 1, 5))
        services.exemption_apply(acting_user=alice, member=m, reason_kind="elderly", reason="年老",
                                 applied_on=date(2026, 7, 1), source="secretary")
        services.transfer_request(acting_user=alice, member=m, to_organization=branch_b, reason="调动")
        services.disposal_open(acting_user=alice, member=m, measure="rectify_deadline", finding_on=date(2026, 7, 1),
                               finding="不合格")
    for _ in range(n):
        m = MemberFactory(organization=branch_a)
        services.member_record_death(acting_user=alice, member=m, died_on=date(2026, 7, 1))


@pytest.mark.parametrize("name", LISTS)
def test_list_queries_do_not_grow_with_rows(client_for, alice, branch_a, branch_b, django_assert_max_num_queries,
                                            name):
    client = client_for(alice)
    url = reverse(f"membership:changes:{name}")
    _many(alice, branch_a, branch_b, 2)
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200
    _many(alice, branch_a, branch_b, 12)
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200


def test_member_page_queries_are_bounded(client_for, alice, rows, member, django_assert_max_num_queries):
    client = client_for(alice)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("membership:changes:member", args=[member.pk])).status_code == 200


def test_a_colleague_acts_like_the_secretary(client_for, bob, member):
    """Committee members (bob) handle changes of their branch as the secretary does."""
    client = client_for(bob)
    response = client.post(reverse("membership:changes:flow_create", args=[member.pk]), {
        "direction": "flow_out", "other_organization": "杭州某公司党委", "started_on": "2026-05-01"})
    assert response.status_code == 302
    assert FlowRecord.objects.get(member=member).created_by == bob
