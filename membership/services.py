"""Writes to people and the member register; each emits one audit event in its transaction.

Callers pass objects they fetched through the tenancy scope (selectors) and have checked the
action (`Action.CHANGE_MEMBER`, `Action.VIEW_PERSONAL_DATA`) for; the services check the rules.
Personal data appears in audit events masked only, never in clear.
"""

from datetime import date
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import EventResult
from audit.services import diff, mask_personal_data, record
from branches.models import Organization, OrganizationKind
from partyadmin.crypto import blind_index, mask_address, mask_id_number, mask_phone
from partyadmin.errors import RuleViolation

from . import rules
from .models import Flow, Member, MemberStatus, Person

PERSON_FIELDS = frozenset({
    "name", "gender", "birth_date", "ethnicity", "education", "occupation", "position",
    "id_number", "phone", "address", "is_league_member", "is_union_member", "user",
})
MEMBER_FIELDS = frozenset({
    "party_group", "status", "joined_on", "full_on", "category", "is_office_holder", "flow",
    "flow_organization", "flow_certificate_no", "is_exempt", "exempt_reason", "is_leading_cadre", "remark",
})
PERSONAL_DATA_MASKS = {"id_number": mask_id_number, "phone": mask_phone, "address": mask_address}
REVEAL_ACTION = "member.reveal_personal_data"


def _check_keys(fields: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unexpected fields: {', '.join(sorted(unknown))}")


def _audit_value(field: str, value: Any) -> Any:
    """What the audit trail may hold for a field: personal data masked, relations by id."""
    if field in PERSONAL_DATA_MASKS:
        return PERSONAL_DATA_MASKS[field](value) or None
    if hasattr(value, "pk"):
        return value.pk
    return value


def _snapshot(obj: Person | Member, fields: frozenset[str]) -> dict[str, Any]:
    values = {}
    for field in fields:
        attname = obj._meta.get_field(field).attname
        values[field] = _audit_value(field, getattr(obj, attname))
    return values


def _today() -> date:
    return timezone.localdate()


# --- people -----------------------------------------------------------------------------------

def _apply_person_fields(person: Person, fields: dict[str, Any]) -> None:
    """Validate and set person fields; the ID number decides birth date and gender when given."""
    for key, value in fields.items():
        setattr(person, key, value.strip() if isinstance(value, str) else value)
    if "name" in fields:
        person.name = rules.check_name(person.name)
    if person.id_number:
        parsed = rules.validate_id_number(person.id_number, today=_today())
        person.id_number = parsed.number
        rules.check_matches_id_number(
            parsed,
            birth_date=fields.get("birth_date") or person.birth_date,
            gender=fields.get("gender") or person.gender,
        )
        person.birth_date = parsed.birth_date
        person.gender = parsed.gender
        person.id_number_index = blind_index(parsed.number)
    else:
        person.id_number_index = ""
    if not person.birth_date:
        raise RuleViolation("person.birth_date_required", "请填写出生日期。", field="birth_date")
    if not person.gender:
        raise RuleViolation("person.gender_required", "请选择性别。", field="gender")
    if person.phone:
        person.phone = rules.normalize_phone(person.phone)
        person.phone_index = blind_index(person.phone)
    else:
        person.phone_index = ""
    if person.id_number_index and (
        Person.objects.filter(id_number_index=person.id_number_index).exclude(pk=person.pk).exists()
    ):
        raise RuleViolation("person.id_number_taken", "该身份证号码已登记。", field="id_number")


def _save_person(person: Person) -> None:
    """Save, turning a lost race on the blind index into the same rule violation."""
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as error:
        if "id_number_index" in str(error) or "person_id_number_index_unique" in str(error):
            raise RuleViolation("person.id_number_taken", "该身份证号码已登记。", field="id_number") from None
        raise


@transaction.atomic
def person_create(*, acting_user: AbstractBaseUser | None, county: Organization, **fields: Any) -> Person:
    """A person known to the organization (an applicant, later perhaps a member): one row for life."""
    _check_keys(fields, PERSON_FIELDS)
    person = Person(county=county)
    _apply_person_fields(person, fields)
    _save_person(person)
    record(
        actor=acting_user, action="person.create", organization=county, subject=person,
        changes={key: [None, value] for key, value in _snapshot(person, PERSON_FIELDS).items()
                 if value not in (None, "", False)},
    )
    return person


@transaction.atomic
def person_update(*, acting_user: AbstractBaseUser | None, person: Person, **fields: Any) -> Person:
    _check_keys(fields, PERSON_FIELDS)
    before = _snapshot(person, PERSON_FIELDS)
    _apply_person_fields(person, fields)
    _save_person(person)
    changes = diff(before, _snapshot(person, PERSON_FIELDS))
    if changes:
        record(actor=acting_user, action="person.update", organization=person.county, subject=person,
               changes=changes)
    return person


@transaction.atomic
def person_link_account(
    *, acting_user: AbstractBaseUser | None, person: Person, user: AbstractBaseUser | None,
) -> Person:
    """Link (or, with `user=None`, unlink) the person's own login, used by the member portal."""
    if user is not None and Person.objects.filter(user=user).exclude(pk=person.pk).exists():
        raise RuleViolation("person.account_taken", "该账号已关联其他人员。", field="user")
    before = person.user_id
    person.user = user
    person.save(update_fields=["user", "updated_at"])
    if before != person.user_id:
        record(
            actor=acting_user, action="person.link_account", organization=person.county, subject=person,
            changes={"user": [before, person.user_id]},
        )
    return person


# --- members ----------------------------------------------------------------------------------

def _is_group_of(group_id: int, branch_id: int) -> bool:
    """Whether the group is a party group directly under the branch, read from the database rather
    than from objects the caller may have held since before the tree changed."""
    rows = {pk: (path, kind) for pk, path, kind in
            Organization.objects.filter(pk__in=[group_id, branch_id]).values_list("pk", "path", "kind")}
    if group_id not in rows or branch_id not in rows:
        return False
    (group_path, group_kind), (branch_path, _) = rows[group_id], rows[branch_id]
    return group_kind == OrganizationKind.PARTY_GROUP and group_path[: -Organization.steplen] == branch_path


def _apply_member_fields(member: Member, person: Person, fields: dict[str, Any]) -> None:
    for key, value in fields.items():
        setattr(member, key, value.strip() if isinstance(value, str) else value)
    branch = member.organization
    if member.party_group_id is not None and not _is_group_of(member.party_group_id, branch.pk):
        raise RuleViolation("member.party_group_outside_branch", "所选党小组不属于该党支部。", field="party_group")
    if member.status not in MemberStatus.values:
        raise RuleViolation("member.status", "请选择党员类别（预备党员或正式党员）。", field="status")
    if not member.joined_on:
        raise RuleViolation("member.joined_on_required", "请填写入党日期。", field="joined_on")
    today = _today()
    rules.check_joined_on(birth_date=person.birth_date, joined_on=member.joined_on, today=today)
    rules.check_full_on(status=member.status, joined_on=member.joined_on, full_on=member.full_on, today=today)
    if member.flow not in Flow.values:
        raise RuleViolation("member.flow", "流动情况无效。", field="flow")
    rules.check_flow(flow=member.flow, flow_organization=member.flow_organization)
    if member.flow == Flow.NONE:
        member.flow_organization = ""
        member.flow_certificate_no = ""
    rules.check_exemption(is_exempt=member.is_exempt, exempt_reason=member.exempt_reason)
    if not member.is_exempt:
        member.exempt_reason = ""
    if not member.category:
        member.category = branch.domain


def _member_changes(before: dict[str, Any], member: Member) -> dict[str, list[Any]]:
    after = {**_snapshot(member.person, PERSON_FIELDS), **_snapshot(member, MEMBER_FIELDS)}
    return diff(before, after)


def _member_build(*, organization: Organization, person: Person | None, fields: dict[str, Any]) -> Member:
    """Every check `member_create` makes, nothing written: the unsaved member and its person."""
    _check_keys(fields, PERSON_FIELDS | MEMBER_FIELDS)
    if organization.kind != OrganizationKind.BRANCH:
        raise RuleViolation("member.not_a_branch", "党员只能编入党支部。", field="organization")
    person_fields = {key: value for key, value in fields.items() if key in PERSON_FIELDS}
    member_fields = {key: value for key, value in fields.items() if key in MEMBER_FIELDS}
    if person is None:
        person = Person(county_id=organization.county_id)
    elif Member.objects.filter(person=person).exists():
        raise RuleViolation("member.already_registered", "此人已在党员名册中。", field="name")
    _apply_person_fields(person, person_fields)
    member = Member(person=person, organization=organization, county_id=organization.county_id)
    member_fields.setdefault("flow", Flow.NONE)
    _apply_member_fields(member, person, member_fields)
    return member


def member_validate(*, organization: Organization, **fields: Any) -> None:
    """The checks `member_create` makes for a new person, without writing anything: raises the
    RuleViolation `member_create` would raise. The Excel import checks every row this way before
    it writes any (DESIGN §2.4)."""
    _member_build(organization=organization, person=None, fields=fields)


@transaction.atomic
def member_create(
    *, acting_user: AbstractBaseUser | None, organization: Organization, person: Person | None = None,
    **fields: Any,
) -> Member:
    """Enter a member in a branch's register.

    Without `person`, the person is created from the person fields; with it (a person already known,
    e.g. from the recruitment pipeline), the person fields given update that row.
    """
    before: dict[str, Any] = _snapshot(person, PERSON_FIELDS) if person is not None else {}
    member = _member_build(organization=organization, person=person, fields=fields)
    person = member.person
    _save_person(person)
    member.person = person
    member.save()
    record(
        actor=acting_user, action="member.create", organization=organization, subject=member,
        changes={key: value for key, value in _member_changes(before, member).items() if value[1] not in ("", False)}
        | {"organization": [None, organization.pk]},
    )
    return member


@transaction.atomic
def member_update(*, acting_user: AbstractBaseUser | None, member: Member, **fields: Any) -> Member:
    """Correct a member's record. Moving to another branch is a transfer (组织关系转接), not an edit."""
    _check_keys(fields, PERSON_FIELDS | MEMBER_FIELDS)
    person = member.person
    before = {**_snapshot(person, PERSON_FIELDS), **_snapshot(member, MEMBER_FIELDS)}
    _apply_person_fields(person, {key: value for key, value in fields.items() if key in PERSON_FIELDS})
    _apply_member_fields(member, person, {key: value for key, value in fields.items() if key in MEMBER_FIELDS})
    _save_person(person)
    member.save()
    changes = _member_changes(before, member)
    if changes:
        record(actor=acting_user, action="member.update", organization=member.organization, subject=member,
               changes=changes)
    return member


@transaction.atomic
def member_reveal_personal_data(*, acting_user: AbstractBaseUser, member: Member) -> dict[str, str]:
    """The unmasked ID number, phone and address; every such view is an audit event (DESIGN §2.1)."""
    person = member.person
    record(
        actor=acting_user, action=REVEAL_ACTION, organization=member.organization, subject=member,
        changes={field: [None, PERSONAL_DATA_MASKS[field](getattr(person, field)) or None]
                 for field in PERSONAL_DATA_MASKS},
    )
    return {"id_number": person.id_number, "phone": person.phone, "address": person.address}


@transaction.atomic
def member_reveal_refused(*, acting_user: AbstractBaseUser, member: Member) -> None:
    """A refused attempt to see a visible member's unmasked data, recorded as a failed event."""
    record(
        actor=acting_user, action=REVEAL_ACTION, organization=member.organization, subject=member,
        result=EventResult.FAILURE,
    )


EXPORT_ACTION = "member.export"


@transaction.atomic
def member_export(
    *, acting_user: AbstractBaseUser, organization: Organization | None, count: int, filters: dict[str, Any],
) -> None:
    """Record an export of the register (DESIGN §2.7: every export is audited): who, how many rows,
    under which filters. A search for an ID or phone number is kept masked."""
    stored_filters, _ = mask_personal_data({key: value for key, value in filters.items() if value not in ("", None)})
    record(
        actor=acting_user, action=EXPORT_ACTION, organization=organization, subject_type="membership.member",
        subject_label=f"党员名册导出 {count} 人",
        changes={"count": [None, count], "filters": [None, stored_filters]},
    )


# --- key rotation -------------------------------------------------------------------------------

ENCRYPTED_PERSON_FIELDS = ("id_number", "phone", "address")


def _stale_key_q(current_prefix: str) -> Any:
    """Rows where any encrypted column is not under the current key (read as raw text)."""
    from django.db.models import Q

    q = Q()
    for field in ENCRYPTED_PERSON_FIELDS:
        q |= Q(**{f"raw_{field}__gt": ""}) & ~Q(**{f"raw_{field}__startswith": current_prefix})
    return q


def _raw_columns() -> dict[str, Any]:
    from django.db.models import TextField
    from django.db.models.functions import Cast

    return {f"raw_{field}": Cast(field, output_field=TextField()) for field in ENCRYPTED_PERSON_FIELDS}


@transaction.atomic
def person_reencrypt_batch(*, acting_user: AbstractBaseUser | None, batch_size: int = 500) -> int:
    """Re-encrypts up to `batch_size` people whose personal data is under an older key.

    Key rotation: prepend a new key to FIELD_ENCRYPTION_KEYS, then call this until it returns 0
    (`python manage.py reencrypt_personal_data`). Reading decrypts with any listed key; saving
    encrypts with the first.
    """
    from partyadmin.crypto import PREFIX, current_key_id

    prefix = f"{PREFIX}:{current_key_id()}:"
    people = list(
        Person.objects.annotate(**_raw_columns()).filter(_stale_key_q(prefix))
        .select_for_update(of=("self",)).order_by("pk")[:batch_size]
    )
    for person in people:
        person.save(update_fields=[*ENCRYPTED_PERSON_FIELDS, "updated_at"])
    if people:
        record(
            actor=acting_user, action="person.reencrypt", subject_type="membership.person",
            subject_label=f"{len(people)} 人", changes={"count": [None, len(people)], "key": [None, current_key_id()]},
        )
    return len(people)
