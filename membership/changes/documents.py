"""The introduction letter (中国共产党党员组织关系介绍信): stub (存根), letter and receipt (回执), A4.

The real letter carries the ID number. It is printed in full only for users who may see the member's
personal data (Action.VIEW_PERSONAL_DATA on the sending branch), masked for the others; every print is an
audit event saying which (`services.introduction_letter_record`).
"""

from typing import Any

from audit.filings.services import ancestors_of
from branches.models import Organization, OrganizationKind
from partyadmin.crypto import mask_id_number

from . import rules
from .models import Transfer

TEMPLATE = "membership/documents/introduction_letter.html"
ISSUER_KINDS = (OrganizationKind.COMMITTEE, OrganizationKind.COUNTY_DEPT)


def issuing_organization(branch: Organization) -> Organization:
    """The letter is issued in the name of the nearest committee above the branch (基层党委), else the branch."""
    return next((org for org in ancestors_of(branch) if org.kind in ISSUER_KINDS), branch)


def letter_filename(transfer: Transfer) -> str:
    return f"组织关系介绍信-{transfer.member.person.name}-{transfer.letter_year}-{transfer.letter_sequence:04d}.pdf"


def introduction_letter_context(transfer: Transfer, *, full_id_number: bool) -> dict[str, Any]:
    person = transfer.member.person
    issued_on = transfer.decided_on or transfer.requested_on
    issuer = issuing_organization(transfer.from_organization)
    valid_days = (transfer.letter_valid_until - issued_on).days + 1 if transfer.letter_valid_until else None
    return {
        "title": "中国共产党党员组织关系介绍信",
        "issuer": issuer.name,
        "transfer": transfer,
        "number": transfer.letter_number,
        "name": person.name,
        "gender": person.get_gender_display(),
        "age": rules.age_on(person.birth_date, issued_on),
        "ethnicity": person.ethnicity,
        "status": "预备" if transfer.member_status == rules.STATUS_PROBATIONARY else "正式",
        "id_number": person.id_number if full_id_number else mask_id_number(person.id_number),
        "from_name": transfer.from_organization.name,
        "destination": transfer.destination,
        "issued_on": issued_on,
        "valid_until": transfer.letter_valid_until,
        "valid_days": valid_days,
        "dues_paid_until": transfer.dues_paid_until,
    }
