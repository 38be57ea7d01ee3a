"""Member pages: owner / colleague / outsider isolation, masked personal data, audited reveal, bounded queries."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import Event, EventResult
from audit.registry import resolve_subject
from branches import services as org_services
from branches.scoping import Role
from membership.models import Member, Person
from membership.services import REVEAL_ACTION
from tests.conftest import make_user

from .conftest import VALID_ID
from .factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clara(branch_a):
    """Score clerk of branch A: sees members, may not change them or see their personal data."""
    user = make_user("clara")
    org_services.grant_role(acting_user=None, user=user, organization=branch_a, role=Role.CLERK)
    return user


def form_data(branch, **overrides) -> dict:
    data = {
        "organization": branch.pk, "name": "张建国", "gender": "male", "birth_date": "1980-05-12",
        "id_number": VALID_ID, "ethnicity": "汉族", "education": "bachelor", "phone": "13812345678",
        "address": "河南省焦作市解放区民主路12号", "status": "full", "joined_on": "2005-07-01",
        "full_on": "2006-07-01", "flow": "none",
    }
    data.update(overrides)
    return data


def counts() -> tuple[int, int, int]:
    return Person.objects.count(), Member.objects.count(), Event.objects.exclude(action__startswith="auth.").count()


# --- list ----------------------------------------------------------------------------------

def test_owner_and_colleague_see_their_members_in_the_list(client_for, alice, bob, member_a):
    for user in (alice, bob):
        response = client_for(user).get(reverse("membership:list"))
        assert response.status_code == 200
        assert member_a.person.name in response.content.decode()


def test_outsider_never_sees_foreign_rows_in_the_list(client_for, charlie, member_a, member_b):
    content = client_for(charlie).get(reverse("membership:list")).content.decode()
    assert member_b.person.name in content
    assert member_a.person.name not in content


def test_list_filter_for_a_foreign_branch_shows_nothing_foreign(client_for, charlie, member_a, branch_a):
    response = client_for(charlie).get(reverse("membership:list"), {"organization": branch_a.pk})
    assert response.status_code == 200
    assert member_a.person.name not in response.content.decode()


def test_list_filters_by_status(client_for, alice, branch_a):
    probationary = MemberFactory(organization=branch_a, status="probationary")
    full = MemberFactory(organization=branch_a)
    content = client_for(alice).get(reverse("membership:list"), {"status": "probationary"}).content.decode()
    assert probationary.person.name in content and full.person.name not in content


@pytest.mark.parametrize(("filters", "expected"), [
    ({"office": "yes"}, {"office"}),
    ({"office": "no"}, {"floating", "exempt", "plain"}),
    ({"flow": "floating"}, {"floating"}),
    ({"flow": "flow_in"}, {"floating"}),
    ({"flow": "none"}, {"office", "exempt", "plain"}),
    ({"exempt": "yes"}, {"exempt"}),
    ({"exempt": "no"}, {"office", "floating", "plain"}),
    ({"office": "no", "exempt": "no", "flow": "none"}, {"plain"}),
])
def test_list_filters_by_office_flow_and_exemption(client_for, alice, branch_a, filters, expected):
    members = {
        "office": MemberFactory(organization=branch_a, is_office_holder=True),
        "floating": MemberFactory(organization=branch_a, flow="flow_in", flow_organization="某县某村党支部"),
        "exempt": MemberFactory(organization=branch_a, is_exempt=True, exempt_reason="年老体弱"),
        "plain": MemberFactory(organization=branch_a),
    }
    response = client_for(alice).get(reverse("membership:list"), filters)
    shown = {member.pk for member in response.context["page"].object_list}
    assert shown == {members[key].pk for key in expected}


def test_list_offers_import_and_an_export_of_the_current_filter(client_for, alice, member_a):
    content = client_for(alice).get(reverse("membership:list"), {"status": "full", "office": "no"}).content.decode()
    assert reverse("membership:import") in content
    assert f'{reverse("membership:export")}?status=full&amp;office=no' in content


def test_list_offers_no_import_to_a_reviewer(client_for, rita, member_a):
    content = client_for(rita).get(reverse("membership:list")).content.decode()
    assert reverse("membership:import") not in content and reverse("membership:export") in content


def test_htmx_filter_returns_the_table_only(client_for, alice, member_a):
    response = client_for(alice).get(reverse("membership:list"), HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert member_a.person.name in content and "<html" not in content


def test_list_paginates_by_20(client_for, alice, branch_a):
    MemberFactory.create_batch(21, organization=branch_a)
    response = client_for(alice).get(reverse("membership:list"))
    assert len(response.context["page"].object_list) == 20
    assert "第 1 / 2 页" in response.content.decode()


def test_member_role_is_sent_from_the_list_to_its_own_record(client_for, mary):
    response = client_for(mary).get(reverse("membership:list"))
    assert response.status_code == 302 and response.url == reverse("membership:me")


def test_anonymous_is_sent_to_login(client, member_a):
    response = client.get(reverse("membership:detail", args=[member_a.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def _list_queries(client, count: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("membership:list"), {"sort": "name"})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(count, 20)
    return len(queries)


def test_list_query_count_does_not_grow_with_members(client_for, rita, branch_a, branch_b,
                                                     django_assert_max_num_queries):
    client = client_for(rita)
    MemberFactory.create_batch(5, organization=branch_a)
    few = _list_queries(client, 5)
    MemberFactory.create_batch(25, organization=branch_a)
    MemberFactory.create_batch(20, organization=branch_b)
    many = _list_queries(client, 50)
    assert few == many
    # session read + write (idle timeout: saved every request), user, grants, count, filter choices, page,
    # the navbar's unread notifications
    with django_assert_max_num_queries(10):
        client.get(reverse("membership:list"))


# --- detail --------------------------------------------------------------------------------

def test_detail_shows_personal_data_masked_only(client_for, alice, member_a):
    person = member_a.person
    content = client_for(alice).get(reverse("membership:detail", args=[member_a.pk])).content.decode()
    assert person.name in content
    assert person.id_number not in content and person.phone not in content and person.address not in content
    assert person.id_number[:3] + "***********" + person.id_number[-4:] in content
    assert "显示完整信息" in content


def test_detail_links_to_the_audit_history(client_for, alice, member_a):
    history = reverse("audit:history", args=["membership.member", member_a.pk])
    content = client_for(alice).get(reverse("membership:detail", args=[member_a.pk])).content.decode()
    assert history == f"/audit/history/membership.member/{member_a.pk}/"
    assert history in content


def test_audit_history_resolves_a_member_only_in_scope(alice, charlie, member_a):
    assert resolve_subject(alice, "membership.member", str(member_a.pk)) == member_a
    with pytest.raises(Http404):
        resolve_subject(charlie, "membership.member", str(member_a.pk))
    with pytest.raises(Http404):
        resolve_subject(alice, "membership.member", "not-a-number")


@pytest.mark.parametrize("user", ["charlie", "oscar"])
def test_outsider_gets_404_on_a_foreign_member(client_for, request, member_a, user):
    outsider = request.getfixturevalue(user)
    for name in ("membership:detail", "membership:edit"):
        assert client_for(outsider).get(reverse(name, args=[member_a.pk])).status_code == 404


def test_colleague_and_reviewer_see_the_detail(client_for, bob, rita, member_a):
    for user in (bob, rita):
        assert client_for(user).get(reverse("membership:detail", args=[member_a.pk])).status_code == 200


def test_clerk_sees_the_detail_without_the_reveal_button(client_for, clara, member_a):
    response = client_for(clara).get(reverse("membership:detail", args=[member_a.pk]))
    assert response.status_code == 200
    assert "显示完整信息" not in response.content.decode()


# --- reveal --------------------------------------------------------------------------------

def test_reveal_shows_clear_values_and_is_audited(client_for, alice, member_a):
    person = member_a.person
    response = client_for(alice).post(reverse("membership:reveal", args=[member_a.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert person.id_number in content and person.phone in content and person.address in content
    assert "no-store" in response["Cache-Control"]
    event = Event.objects.get(action=REVEAL_ACTION)
    assert (event.actor, event.subject_id, event.result) == (alice, str(member_a.pk), EventResult.SUCCESS)


def test_reveal_by_htmx_returns_the_panel_only(client_for, alice, member_a):
    response = client_for(alice).post(reverse("membership:reveal", args=[member_a.pk]), HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert member_a.person.id_number in content and 'id="personal-data"' in content and "<html" not in content


def test_reveal_needs_post(client_for, alice, member_a):
    assert client_for(alice).get(reverse("membership:reveal", args=[member_a.pk])).status_code == 405
    assert not Event.objects.filter(action=REVEAL_ACTION).exists()


@pytest.mark.parametrize("user", ["clara", "rita"])
def test_reveal_is_forbidden_for_clerk_and_reviewer_and_the_attempt_recorded(client_for, request, member_a, user):
    visitor = request.getfixturevalue(user)
    response = client_for(visitor).post(reverse("membership:reveal", args=[member_a.pk]))
    assert response.status_code == 403
    assert member_a.person.id_number not in response.content.decode()
    event = Event.objects.get(action=REVEAL_ACTION)
    assert (event.actor, event.result) == (visitor, EventResult.FAILURE)


def test_reveal_of_a_foreign_member_is_404_and_reveals_nothing(client_for, charlie, member_a):
    response = client_for(charlie).post(reverse("membership:reveal", args=[member_a.pk]))
    assert response.status_code == 404
    assert not Event.objects.filter(action=REVEAL_ACTION).exists()


# --- member role ---------------------------------------------------------------------------

def test_member_sees_own_record_on_me(client_for, mary, member_a):
    response = client_for(mary).get(reverse("membership:me"))
    assert response.status_code == 200
    assert member_a.person.name in response.content.decode()
    assert member_a.person.id_number not in response.content.decode()


def test_member_gets_404_on_another_members_detail(client_for, mary, branch_a):
    other = MemberFactory(organization=branch_a)
    assert client_for(mary).get(reverse("membership:detail", args=[other.pk])).status_code == 404
    assert client_for(mary).post(reverse("membership:reveal", args=[other.pk])).status_code == 404


def test_member_may_reveal_own_data_audited(client_for, mary, member_a):
    response = client_for(mary).post(reverse("membership:reveal", args=[member_a.pk]))
    assert response.status_code == 200 and member_a.person.id_number in response.content.decode()
    assert Event.objects.get(action=REVEAL_ACTION).actor == mary


def test_member_may_not_edit_own_record(client_for, mary, member_a):
    assert client_for(mary).get(reverse("membership:edit", args=[member_a.pk])).status_code == 403


def test_me_without_a_record_is_404(client_for, alice):
    assert client_for(alice).get(reverse("membership:me")).status_code == 404


# --- create --------------------------------------------------------------------------------

def test_owner_creates_a_member(client_for, alice, branch_a):
    response = client_for(alice).post(reverse("membership:create"), form_data(branch_a))
    member = Member.objects.get()
    assert response.status_code == 302 and response.url == reverse("membership:detail", args=[member.pk])
    assert member.organization == branch_a and member.person.id_number == VALID_ID
    assert Event.objects.filter(action="member.create", actor=alice).count() == 1


def test_create_form_offers_only_branches_the_user_may_change(client_for, alice, branch_a, branch_b):
    content = client_for(alice).get(reverse("membership:create")).content.decode()
    assert branch_a.name in content and branch_b.name not in content


def test_outsider_cannot_create_a_member_in_a_foreign_branch(client_for, charlie, branch_a):
    before = counts()
    response = client_for(charlie).post(reverse("membership:create"), form_data(branch_a))
    assert response.status_code == 200
    assert "organization" in response.context["form"].errors
    assert counts() == before


@pytest.mark.parametrize("user", ["clara", "rita", "mary"])
def test_users_without_change_member_may_not_create(client_for, request, branch_a, user):
    visitor = request.getfixturevalue(user)
    before = counts()
    assert client_for(visitor).get(reverse("membership:create")).status_code == 403
    assert client_for(visitor).post(reverse("membership:create"), form_data(branch_a)).status_code == 403
    assert counts() == before


def test_bad_form_writes_nothing_and_shows_the_rule_on_the_field(client_for, alice, branch_a):
    """党章第一条: "年满十八岁的中国工人、农民……可以申请加入中国共产党"."""
    before = counts()
    response = client_for(alice).post(reverse("membership:create"), form_data(branch_a, joined_on="1998-05-11"))
    assert response.status_code == 200
    assert "十八岁" in response.context["form"].errors["joined_on"][0]
    assert counts() == before


def test_wrong_check_digit_is_shown_on_the_id_field(client_for, alice, branch_a):
    before = counts()
    response = client_for(alice).post(reverse("membership:create"),
                                      form_data(branch_a, id_number=VALID_ID[:17] + "1"))
    assert "校验位" in response.context["form"].errors["id_number"][0]
    assert counts() == before


def test_birth_date_mismatch_is_shown_on_the_birth_date_field(client_for, alice, branch_a):
    response = client_for(alice).post(reverse("membership:create"), form_data(branch_a, birth_date="1980-05-13"))
    assert "身份号码" in response.context["form"].errors["birth_date"][0]
    assert not Member.objects.exists()


def test_duplicate_id_number_is_shown_on_the_id_field(client_for, alice, branch_a):
    client = client_for(alice)
    client.post(reverse("membership:create"), form_data(branch_a))
    before = counts()
    response = client.post(reverse("membership:create"), form_data(branch_a, name="李四"))
    assert response.context["form"].errors["id_number"] == ["该身份证号码已登记。"]
    assert counts() == before


# --- edit ----------------------------------------------------------------------------------

def test_edit_form_never_contains_clear_personal_data(client_for, alice, member_a):
    response = client_for(alice).get(reverse("membership:edit", args=[member_a.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert member_a.person.id_number not in content and member_a.person.phone not in content
    assert member_a.person.name in content


def test_owner_edits_and_empty_personal_fields_keep_stored_values(client_for, alice, member_a):
    person = member_a.person
    data = form_data(member_a.organization, name=person.name, gender=person.gender,
                     birth_date=person.birth_date.isoformat(), id_number="", phone="", address="",
                     joined_on=member_a.joined_on.isoformat(), full_on=member_a.full_on.isoformat(),
                     is_office_holder="on")
    data.pop("organization")
    response = client_for(alice).post(reverse("membership:edit", args=[member_a.pk]), data)
    assert response.status_code == 302
    member_a.refresh_from_db()
    person.refresh_from_db()
    assert member_a.is_office_holder is True
    assert person.id_number and person.phone and person.address
    assert Event.objects.get(action="member.update").changes == {"is_office_holder": [False, True],
                                                                 "education": ["", "bachelor"]}


def test_reviewer_and_clerk_may_see_but_not_edit(client_for, rita, clara, member_a):
    for user in (rita, clara):
        assert client_for(user).get(reverse("membership:edit", args=[member_a.pk])).status_code == 403
        assert client_for(user).post(reverse("membership:edit", args=[member_a.pk]), {}).status_code == 403


def test_outsider_post_to_edit_is_404_and_changes_nothing(client_for, charlie, member_a):
    before = counts()
    response = client_for(charlie).post(reverse("membership:edit", args=[member_a.pk]), {"name": "王五"})
    assert response.status_code == 404
    assert counts() == before
    member_a.person.refresh_from_db()
    assert member_a.person.name != "王五"


def test_edit_cannot_change_flow_or_exemption(client_for, alice, member_a):
    """Exemption is decided by the branch and filed upward (seeds 000, 002), flow is registered with its
    活动证: the record's edit form must not bypass either procedure."""
    data = form_data(member_a.organization, id_number="", phone="", address="", name=member_a.person.name,
                     gender=member_a.person.gender, birth_date=member_a.person.birth_date.isoformat(),
                     joined_on=member_a.joined_on.isoformat(), full_on=member_a.full_on.isoformat(),
                     is_exempt="on", exempt_reason="年老体弱", flow="flow_out", flow_organization="外地")
    response = client_for(alice).post(reverse("membership:edit", args=[member_a.pk]), data)
    assert response.status_code == 302  # the edit itself went through
    member_a.refresh_from_db()
    assert not member_a.is_exempt and member_a.flow == "none"
