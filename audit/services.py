"""Writing to the event log. `record` is called by every service that writes."""

import json
from datetime import UTC
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.utils import timezone

from branches.models import Organization
from partyadmin.middleware import client_address

from .hashing import GENESIS, event_hash
from .models import ChainHead, Event, EventResult

GLOBAL_CHAIN = "global"


def chain_of(county_id: int | None) -> str:
    return str(county_id) if county_id else GLOBAL_CHAIN


def hashed_fields(event: Event) -> dict[str, Any]:
    """The content an event's hash covers (everything but the hash itself)."""
    return {
        "chain": event.chain,
        "seq": event.seq,
        "county": event.county_id,
        "organization": event.organization_id,
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "address": event.address,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "subject_label": event.subject_label,
        "action": event.action,
        "result": event.result,
        "changes": event.changes,
        "created_at": event.created_at.astimezone(UTC).isoformat(),
    }


def jsonable(value: Any) -> Any:
    """What the JSON column will give back, so the hash is the same before and after a reload."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def subject_type_of(subject: models.Model) -> str:
    return subject._meta.label_lower


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Changed fields as {field: [before, after]}."""
    return {key: [before.get(key), after.get(key)] for key in after if before.get(key) != after.get(key)}


@transaction.atomic
def record(
    *,
    actor: AbstractBaseUser | None,
    action: str,
    organization: Organization | None = None,
    subject: models.Model | None = None,
    subject_type: str = "",
    subject_id: str = "",
    subject_label: str = "",
    changes: dict[str, Any] | None = None,
    result: str = EventResult.SUCCESS,
) -> Event:
    """Append one event to the organization's county chain, inside the caller's transaction.

    The chain head is locked (SELECT … FOR UPDATE) so concurrent writers in one county queue up
    instead of forking the chain.
    """
    if subject is not None:
        subject_type = subject_type or subject_type_of(subject)
        subject_id = subject_id or str(subject.pk)
        subject_label = subject_label or str(subject)[:200]
    county_id = organization.county_id if organization is not None else None
    chain = chain_of(county_id)
    ChainHead.objects.bulk_create([ChainHead(chain=chain)], ignore_conflicts=True)
    head = ChainHead.objects.select_for_update().get(chain=chain)
    event = Event(
        chain=chain,
        seq=head.seq + 1,
        county_id=county_id,
        organization=organization,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=getattr(actor, "username", "") or "",
        address=client_address() or "",
        subject_type=subject_type,
        subject_id=str(subject_id),
        subject_label=subject_label,
        action=action,
        result=result,
        changes=jsonable(changes or {}),
        created_at=timezone.now(),
        prev_hash=head.last_hash or GENESIS,
    )
    event.hash = event_hash(prev_hash=event.prev_hash, fields=hashed_fields(event))
    event.save(force_insert=True)
    head.seq = event.seq
    head.last_hash = event.hash
    head.save(update_fields=["seq", "last_hash"])
    return event
