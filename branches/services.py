"""Writes to the organization tree and the role grants; each emits one audit event."""

from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from audit.services import record
from partyadmin.errors import RuleViolation

from . import rules
from .models import (
    ALLOWED_PARENT_KINDS,
    CommitteeMember,
    CommitteePost,
    Organization,
    OrganizationKind,
    OrganizationPolicy,
)
from .scoping import Role, forget_grants


@transaction.atomic
def organization_create(
    *,
    acting_user: AbstractBaseUser | None,
    parent: Organization | None,
    name: str,
    code: str,
    kind: str,
    domain: str = "",
    can_approve_admission: bool = False,
    has_committee: bool = True,
    term_years: int | None = None,
    term_started_on: date | None = None,
    term_ends_on: date | None = None,
) -> Organization:
    """Adds a node under `parent` (or a root). A county department is its own county."""
    parent_kind = parent.kind if parent is not None else None
    if parent_kind not in ALLOWED_PARENT_KINDS[kind]:
        raise RuleViolation(
            "organization.bad_parent",
            f"{OrganizationKind(kind).label}不能设在{OrganizationKind(parent_kind).label if parent_kind else '最上级'}之下。",
            field="kind",
        )
    if Organization.objects.filter(code=code).exists():
        raise RuleViolation("organization.code_taken", f"组织代码 {code} 已被使用。", field="code")
    fields = dict(
        name=name, code=code, kind=kind, domain=domain or (parent.domain if parent else ""),
        can_approve_admission=can_approve_admission, has_committee=has_committee,
        term_years=term_years, term_started_on=term_started_on, term_ends_on=term_ends_on,
        county_id=parent.county_id if parent is not None else None,
    )
    if parent is None:
        organization = Organization.objects.add_root(create_kwargs=fields)
    else:
        parent.refresh_from_db(fields=["path", "depth", "numchild"])
        organization = Organization.objects.add_child(parent, create_kwargs=fields)
    if kind == OrganizationKind.COUNTY_DEPT:
        organization.county = organization
        organization.save(update_fields=["county"])
    record(
        actor=acting_user, action="organization.create", organization=organization, subject=organization,
        changes={key: [None, value] for key, value in fields.items() if value not in (None, "", False)},
    )
    return organization


@transaction.atomic
def grant_role(*, acting_user: AbstractBaseUser | None, user: AbstractBaseUser, organization: Organization,
               role: Role) -> None:
    assign_perm(f"branches.{role.codename}", user, organization)
    forget_grants(user)
    record(
        actor=acting_user, action="grant.assign", organization=organization, subject=user,
        subject_label=user.get_username(), changes={"role": [None, role.value], "organization": [None, organization.name]},
    )


@transaction.atomic
def revoke_role(*, acting_user: AbstractBaseUser | None, user: AbstractBaseUser, organization: Organization,
                role: Role) -> None:
    remove_perm(f"branches.{role.codename}", user, organization)
    forget_grants(user)
    record(
        actor=acting_user, action="grant.revoke", organization=organization, subject=user,
        subject_label=user.get_username(), changes={"role": [role.value, None], "organization": [organization.name, None]},
    )


@transaction.atomic
def committee_member_appoint(*, acting_user: AbstractBaseUser | None, organization: Organization,
                             member: object, post: str, started_on: date) -> CommitteeMember:
    """Seats a member on the organization's committee (seed 004: at most 7 members, one secretary)."""
    Organization.objects.select_for_update().filter(pk=organization.pk).first()  # serialize appointments
    sitting = CommitteeMember.objects.filter(organization=organization, ended_on__isnull=True)
    rules.check_committee_size(sitting.count())
    if post == CommitteePost.SECRETARY and sitting.filter(post=CommitteePost.SECRETARY).exists():
        raise RuleViolation("committee.secretary_taken", "该党组织已有在任书记，请先办理原书记离任。", field="post")
    if sitting.filter(member=member).exists():
        raise RuleViolation("committee.already_sitting", "该党员已在本届支部委员会任职。", field="member")
    seat = CommitteeMember.objects.create(organization=organization, member=member, post=post, started_on=started_on)
    record(
        actor=acting_user, action="committee.appoint", organization=organization, subject=seat,
        changes={"member": [None, str(member)], "post": [None, seat.get_post_display()],
                 "started_on": [None, started_on]},
    )
    return seat


@transaction.atomic
def committee_member_end(*, acting_user: AbstractBaseUser | None, seat: CommitteeMember, ended_on: date) -> None:
    if ended_on < seat.started_on:
        raise RuleViolation("committee.end_before_start", "离任日期不能早于任职日期。", field="ended_on")
    seat.ended_on = ended_on
    seat.save(update_fields=["ended_on", "updated_at"])
    record(actor=acting_user, action="committee.end", organization=seat.organization, subject=seat,
           changes={"ended_on": [None, ended_on]})


@transaction.atomic
def policy_set(*, acting_user: AbstractBaseUser | None, organization: Organization, key: str,
               value: object) -> OrganizationPolicy:
    """Sets a per-tenant policy for the organization's subtree."""
    from django.core.exceptions import ValidationError

    from .policies import validate_policy

    try:
        validate_policy(key, value)
    except ValidationError as error:
        raise RuleViolation("policy.invalid", "；".join(error.messages), field="value") from None
    row = OrganizationPolicy.objects.filter(organization=organization, key=key).first()
    before = row.value if row else None
    if row is None:
        row = OrganizationPolicy.objects.create(organization=organization, key=key, value=value)
    else:
        row.value = value
        row.save(update_fields=["value", "updated_at"])
    record(actor=acting_user, action="policy.set", organization=organization, subject=row,
           changes={key: [before, value]})
    return row
