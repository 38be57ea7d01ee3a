"""Member services: rules enforced, nothing half-written, personal data encrypted and audited masked."""

from datetime import date

import pytest
from django.db import connection

from audit.models import Event, EventResult
from branches.models import OrganizationKind
from membership import services
from membership.models import Member, Person
from partyadmin.crypto import blind_index
from partyadmin.errors import RuleViolation
from tests.conftest import make_org, make_user

from .conftest import VALID_ID
from .factories import MemberFactory

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int]:
    return Person.objects.count(), Member.objects.count(), Event.objects.count()


def test_create_registers_person_and_member_in_the_branch_county(alice, branch_a, county, member_fields):
    member = services.member_create(acting_user=alice, organization=branch_a, **member_fields)
    member.refresh_from_db()
    assert member.organization == branch_a
    assert member.county == county and member.person.county == county
    assert member.person.id_number == VALID_ID
    assert member.person.id_number_index == blind_index(VALID_ID)


def test_category_defaults_to_the_branch_domain(alice, branch_a, member_fields):
    member = services.member_create(acting_user=alice, organization=branch_a, **member_fields)
    assert member.category == branch_a.domain == "community"


def test_create_records_one_audit_event_with_personal_data_masked(alice, branch_a, member_fields):
    member = services.member_create(acting_user=alice, organization=branch_a, **member_fields)
    event = Event.objects.get(action="member.create")
    assert event.subject_id == str(member.pk) and event.subject_type == "membership.member"
    assert event.actor == alice and event.organization == branch_a
    assert event.changes["id_number"] == [None, "410***********001X"]
    assert event.changes["phone"] == [None, "138****5678"]
    assert event.changes["address"] == [None, "河南省焦作市****"]
    assert event.changes["name"] == [None, "张建国"]
    text = str(event.changes)
    assert VALID_ID not in text and "13812345678" not in text and "民主路12号" not in text


def test_lower_case_x_is_stored_as_upper_case(alice, branch_a, member_fields):
    member_fields["id_number"] = VALID_ID.lower()
    member = services.member_create(acting_user=alice, organization=branch_a, **member_fields)
    assert member.person.id_number == VALID_ID


def test_gender_mismatch_with_id_number_is_rejected(alice, branch_a, member_fields):
    member_fields["gender"] = "female"
    with pytest.raises(RuleViolation) as caught:
        services.member_create(acting_user=alice, organization=branch_a, **member_fields)
    assert caught.value.field == "gender"


def test_bad_input_writes_nothing(alice, branch_a, member_fields):
    """党章第一条: "年满十八岁……可以申请加入中国共产党" — refused, and no person, member or event left behind."""
    before = counts()
    member_fields["joined_on"] = date(1998, 5, 11)  # the day before the 18th birthday
    with pytest.raises(RuleViolation) as caught:
        services.member_create(acting_user=alice, organization=branch_a, **member_fields)
    assert caught.value.code == "member.joined_under_18"
    assert counts() == before


def test_failure_after_the_person_is_saved_rolls_everything_back(alice, branch_a, member_fields, monkeypatch):
    """Atomic: an error raised after the person row was written still leaves nothing."""
    before = counts()

    def broken_record(**kwargs):
        raise RuleViolation("test.boom", "审计写入失败")

    monkeypatch.setattr(services, "record", broken_record)
    with pytest.raises(RuleViolation):
        services.member_create(acting_user=alice, organization=branch_a, **member_fields)
    assert counts() == before


def test_duplicate_id_number_is_rejected(alice, branch_a, branch_b, member_fields):
    services.member_create(acting_user=alice, organization=branch_a, **member_fields)
    before = counts()
    member_fields["name"] = "李四"
    member_fields["id_number"] = VALID_ID.lower()
    with pytest.raises(RuleViolation) as caught:
        services.member_create(acting_user=alice, organization=branch_b, **member_fields)
    assert (caught.value.message, caught.value.field) == ("该身份证号码已登记。", "id_number")
    assert counts() == before


def test_id_number_phone_and_address_are_encrypted_at_rest(alice, branch_a, member_fields):
    member = services.member_create(acting_user=alice, organization=branch_a, **member_fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone, address, id_number_index, phone_index FROM membership_person WHERE id = %s",
            [member.person_id],
        )
        row = cursor.fetchone()
    raw = " ".join(row)
    assert VALID_ID not in raw and VALID_ID.lower() not in raw
    assert "13812345678" not in raw and "民主路" not in raw
    assert all(value.startswith("sm4g:") for value in row[:3])


def test_member_can_only_be_entered_in_a_branch(alice, town, member_fields):
    with pytest.raises(RuleViolation) as caught:
        services.member_create(acting_user=alice, organization=town, **member_fields)
    assert caught.value.field == "organization"


def test_party_group_must_belong_to_the_branch(alice, branch_a, branch_b, member_fields):
    foreign_group = make_org(branch_b, "西街第一党小组", "C01T01B02G01", OrganizationKind.PARTY_GROUP)
    with pytest.raises(RuleViolation) as caught:
        services.member_create(acting_user=alice, organization=branch_a, party_group=foreign_group, **member_fields)
    assert caught.value.field == "party_group"


def test_party_group_of_the_branch_is_accepted(alice, branch_a, member_fields):
    group = make_org(branch_a, "东街第一党小组", "C01T01B01G01", OrganizationKind.PARTY_GROUP)
    member = services.member_create(acting_user=alice, organization=branch_a, party_group=group, **member_fields)
    assert member.party_group == group


def test_update_records_changes_with_personal_data_masked(alice, branch_a, member_a):
    services.member_update(acting_user=alice, member=member_a, phone="13900001111", is_office_holder=True)
    event = Event.objects.get(action="member.update")
    assert event.changes["phone"][1] == "139****1111"
    assert event.changes["is_office_holder"] == [False, True]
    assert "13900001111" not in str(event.changes)
    member_a.person.refresh_from_db()
    assert member_a.person.phone_index == blind_index("13900001111")


def test_update_without_change_records_nothing(alice, member_a):
    before = Event.objects.count()
    services.member_update(acting_user=alice, member=member_a, name=member_a.person.name)
    assert Event.objects.count() == before


def test_update_refused_by_a_rule_writes_nothing(alice, member_a):
    """党章第七条: "预备党员的预备期为一年" — a conversion date before the join date is refused."""
    before = counts()
    with pytest.raises(RuleViolation):
        services.member_update(acting_user=alice, member=member_a, phone="13900001111",
                               full_on=member_a.joined_on.replace(year=member_a.joined_on.year - 1))
    assert counts() == before
    stored = Person.objects.get(pk=member_a.person_id)
    assert stored.phone != "13900001111"


def test_update_rejects_an_id_number_registered_to_someone_else(alice, branch_a, member_a):
    other = MemberFactory(organization=branch_a)
    with pytest.raises(RuleViolation) as caught:
        services.member_update(acting_user=alice, member=member_a, id_number=other.person.id_number,
                               birth_date=other.person.birth_date, gender=other.person.gender)
    assert caught.value.message == "该身份证号码已登记。"


def test_reveal_returns_clear_values_and_is_audited(alice, member_a):
    person = member_a.person
    revealed = services.member_reveal_personal_data(acting_user=alice, member=member_a)
    assert revealed == {"id_number": person.id_number, "phone": person.phone, "address": person.address}
    event = Event.objects.get(action="member.reveal_personal_data")
    assert event.actor == alice and event.subject_id == str(member_a.pk) and event.result == EventResult.SUCCESS
    assert person.id_number not in str(event.changes)


def test_existing_person_can_be_entered_as_member(alice, branch_a, county, member_fields):
    person_fields = {key: member_fields[key] for key in ("name", "gender", "birth_date", "id_number")}
    person = services.person_create(acting_user=alice, county=county, **person_fields)
    member = services.member_create(acting_user=alice, organization=branch_a, person=person, status="probationary",
                                    joined_on=date(2024, 1, 2))
    assert member.person == person
    with pytest.raises(RuleViolation):
        services.member_create(acting_user=alice, organization=branch_a, person=person, status="probationary",
                               joined_on=date(2024, 1, 2))



def test_linking_an_account_is_audited_and_one_account_serves_one_person(alice, branch_a, member_a):
    user = make_user("mike")
    services.person_link_account(acting_user=alice, person=member_a.person, user=user)
    assert Event.objects.get(action="person.link_account").changes == {"user": [None, user.pk]}
    other = MemberFactory(organization=branch_a)
    with pytest.raises(RuleViolation):
        services.person_link_account(acting_user=alice, person=other.person, user=user)
