"""Transfers (组织关系转接): requested by the sender, accepted or refused by the receiver, history on both sides."""

from datetime import date

import pytest
from django.http import Http404

from audit.models import Event
from audit.notifications.models import Notification
from membership.changes import registry, selectors, services
from membership.changes.models import StatusChange, StatusChangeKind, Transfer, TransferStatus
from membership.models import Member
from membership.selectors import member_get, member_list
from partyadmin.errors import RuleViolation

from .conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def transfer(alice, member, branch_b, charlie):
    return services.transfer_request(acting_user=alice, member=member, to_organization=branch_b, reason="工作调动")


def test_request_tells_the_receiving_officers(transfer, charlie):
    note = Notification.objects.get(user=charlie)
    assert "待接收" in note.title and "张党员" in note.title
    assert transfer.status == TransferStatus.REQUESTED and transfer.destination == "西街社区党支部"


def test_receiving_officer_accepts_and_the_member_moves(transfer, charlie, member, branch_a, branch_b):
    services.transfer_accept(acting_user=charlie, transfer=transfer)
    member.refresh_from_db()
    assert member.organization == branch_b and member.party_group is None and member.is_active
    assert StatusChange.objects.get(member=member).kind == StatusChangeKind.TRANSFERRED_IN
    sides = set(Event.objects.filter(action__in=["transfer.accept", "member.transfer"])
                .values_list("action", "organization_id"))
    assert sides == {("transfer.accept", branch_b.pk), ("member.transfer", branch_a.pk)}


def test_history_stays_visible_on_both_sides(transfer, alice, charlie, member):
    services.transfer_accept(acting_user=charlie, transfer=transfer)
    assert list(selectors.transfer_list(user=alice, direction="out")) == [transfer]
    assert list(selectors.transfer_list(user=charlie, direction="in")) == [transfer]
    with pytest.raises(Http404):
        member_get(user=alice, pk=member.pk)
    assert member_get(user=charlie, pk=member.pk) == member


def test_transfer_handlers_run_on_acceptance(transfer, charlie, monkeypatch):
    """Recruitment moves the whole file through `register_transfer_handler` (DESIGN §3.2)."""
    calls = []
    monkeypatch.setattr(registry, "_transfer_handlers", [])
    registry.register_transfer_handler(lambda **kw: calls.append((kw["transfer"].pk, kw["acting_user"])))
    services.transfer_accept(acting_user=charlie, transfer=transfer)
    assert calls == [(transfer.pk, charlie)]


def test_a_failing_handler_refuses_the_acceptance(transfer, charlie, member, branch_a, monkeypatch):
    def failing(**kwargs):
        raise RuleViolation("recruitment.file_locked", "发展档案正在审批中，暂不能转出。")

    monkeypatch.setattr(registry, "_transfer_handlers", [failing])
    with pytest.raises(RuleViolation):
        services.transfer_accept(acting_user=charlie, transfer=transfer)
    member.refresh_from_db()
    transfer.refresh_from_db()
    assert member.organization == branch_a and transfer.status == TransferStatus.REQUESTED


def test_refusal_needs_a_reason_and_keeps_the_member(transfer, charlie, member, branch_a, alice):
    with pytest.raises(RuleViolation):
        services.transfer_refuse(acting_user=charlie, transfer=transfer, reason=" ")
    services.transfer_refuse(acting_user=charlie, transfer=transfer, reason="该党员不在本社区居住")
    member.refresh_from_db()
    assert member.organization == branch_a
    assert Notification.objects.filter(user=alice, title__contains="被拒收").exists()


def test_the_requester_cannot_accept_their_own_transfer(oliver, member, branch_b):
    """The receiving branch must accept: an officer over both branches who asked cannot also receive."""
    transfer = services.transfer_request(acting_user=oliver, member=member, to_organization=branch_b, reason="调动")
    assert selectors.may_receive(user=oliver, transfer=transfer)
    with pytest.raises(RuleViolation) as error:
        services.transfer_accept(acting_user=oliver, transfer=transfer)
    assert error.value.code == "transfer.own_request"


def test_only_officers_of_the_receiver_may_receive(transfer, alice, charlie, rita, oscar):
    assert selectors.may_receive(user=charlie, transfer=transfer)
    assert not selectors.may_receive(user=alice, transfer=transfer)  # the sender sees it, cannot receive
    assert not selectors.may_receive(user=rita, transfer=transfer)  # a reviewer sees it, cannot receive
    with pytest.raises(Http404):
        selectors.transfer_get(user=oscar, pk=transfer.pk)


def test_a_branch_of_another_county_accepts_through_its_own_officer(alice, fiona, member, far_branch, other_county):
    transfer = services.transfer_request(acting_user=alice, member=member, to_organization=far_branch,
                                         reason="迁居")
    assert selectors.transfer_get(user=fiona, pk=transfer.pk) == transfer
    services.transfer_accept(acting_user=fiona, transfer=transfer)
    member.refresh_from_db()
    assert member.organization == far_branch and member.county == other_county
    member.person.refresh_from_db()
    assert member.person.county == other_county


def test_a_member_has_one_open_transfer_at_a_time(transfer, alice, member, far_branch):
    with pytest.raises(RuleViolation) as error:
        services.transfer_request(acting_user=alice, member=member, to_organization=far_branch, reason="迁居")
    assert error.value.code == "transfer.already_open"


def test_a_transfer_to_the_same_branch_is_refused(alice, member, branch_a):
    with pytest.raises(RuleViolation) as error:
        services.transfer_request(acting_user=alice, member=member, to_organization=branch_a, reason="x")
    assert error.value.code == "transfer.same_branch"


def test_a_transfer_goes_to_a_branch_only(alice, member, town):
    with pytest.raises(RuleViolation) as error:
        services.transfer_request(acting_user=alice, member=member, to_organization=town, reason="x")
    assert error.value.code == "transfer.not_a_branch"


def test_the_sender_cancels_an_unanswered_transfer(transfer, alice, charlie):
    services.transfer_cancel(acting_user=alice, transfer=transfer, reason="本人不再调动")
    with pytest.raises(RuleViolation) as error:
        services.transfer_accept(acting_user=charlie, transfer=transfer)
    assert error.value.code == "transfer.not_pending"


def test_transfer_out_of_the_system_takes_the_member_out_of_the_register(alice, member):
    transfer = services.transfer_out_issue(acting_user=alice, member=member, destination="中共杭州市西湖区委组织部",
                                           reason="迁居杭州")
    member.refresh_from_db()
    assert not member.is_active and Member.objects.filter(pk=member.pk).exists()
    assert member not in member_list(user=alice)
    assert transfer.letter_number == "（2026）第 0001 号"
    assert transfer.letter_valid_until == date(2026, 8, 13)
    assert StatusChange.objects.get(member=member).kind == StatusChangeKind.TRANSFERRED_OUT


def test_letter_numbers_run_per_county_and_year(alice, member, member_a):
    first = services.transfer_out_issue(acting_user=alice, member=member, destination="甲", reason="迁居")
    second = services.transfer_out_issue(acting_user=alice, member=member_a, destination="乙", reason="迁居")
    assert (first.letter_sequence, second.letter_sequence) == (1, 2)


def test_a_voided_letter_puts_the_member_back(alice, member):
    transfer = services.transfer_out_issue(acting_user=alice, member=member, destination="甲", reason="迁居")
    services.transfer_void(acting_user=alice, transfer=transfer, reason="本人未去报到")
    member.refresh_from_db()
    assert member.is_active
    assert StatusChange.objects.filter(member=member, kind=StatusChangeKind.REINSTATED).exists()


def test_a_receipt_completes_the_transfer_out(alice, member):
    transfer = services.transfer_out_issue(acting_user=alice, member=member, destination="甲", reason="迁居")
    services.transfer_receipt_record(acting_user=alice, transfer=transfer, received_on=TODAY)
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.RECEIPTED


def test_a_member_under_disposal_is_not_transferred(alice, member, branch_b):
    services.disposal_open(acting_user=alice, member=member, measure="rectify_deadline", finding_on=TODAY,
                           finding="民主评议不合格")
    with pytest.raises(RuleViolation) as error:
        services.transfer_request(acting_user=alice, member=member, to_organization=branch_b, reason="调动")
    assert error.value.code == "transfer.disposal_open"


def test_accepting_ends_an_open_flow_record(transfer, alice, charlie, member):
    services.transfer_cancel(acting_user=alice, transfer=transfer, reason="先登记流动")
    flow = services.flow_register(acting_user=alice, member=member, direction="flow_out", other_organization="某公司党委",
                                  started_on=date(2026, 1, 5))
    again = services.transfer_request(acting_user=alice, member=member, to_organization=transfer.to_organization,
                                      reason="工作单位固定")
    services.transfer_accept(acting_user=charlie, transfer=again)
    flow.refresh_from_db()
    member.refresh_from_db()
    assert flow.returned_on == TODAY and member.flow == "none"
