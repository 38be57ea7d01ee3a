"""Writing to the event log. `record` is called by every service that writes."""

import contextlib
import contextvars
import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.utils import timezone

from branches.models import Organization
from partyadmin.crypto import mask_id_number, mask_phone
from partyadmin.middleware import client_address

from .hashing import GENESIS, event_hash
from .models import ChainHead, Event, EventResult

GLOBAL_CHAIN = "global"

logger = logging.getLogger(__name__)

# A last line of defence against raw personal data in the trail (DESIGN §2.1): an 18-character
# resident ID number or an 11-digit mainland mobile number standing alone in a string.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")


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


def _json_number(text: str) -> int | float:
    """JSON has one number type: PostgreSQL's jsonb gives 1e+20 back as 100000000000000000000, so
    integral floats are stored as ints and the hash survives the round trip."""
    number = float(text)
    return int(number) if number.is_integer() else number


def jsonable(value: Any) -> Any:
    """What the JSON column will give back, so the hash is the same before and after a reload."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str), parse_float=_json_number)


def mask_personal_data(value: Any) -> tuple[Any, bool]:
    """`value` with any ID or mobile number in its strings masked, and whether anything was."""
    if isinstance(value, str):
        masked = _ID_NUMBER.sub(lambda m: mask_id_number(m.group()), value)
        masked = _MOBILE.sub(lambda m: mask_phone(m.group()), masked)
        return masked, masked != value
    if isinstance(value, list):
        items = [mask_personal_data(item) for item in value]
        return [item for item, _ in items], any(hit for _, hit in items)
    if isinstance(value, dict):
        pairs = {key: mask_personal_data(item) for key, item in value.items()}
        return {key: item for key, (item, _) in pairs.items()}, any(hit for _, hit in pairs.values())
    return value, False


def subject_type_of(subject: models.Model) -> str:
    return subject._meta.label_lower


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Changed fields as {field: [before, after]}."""
    return {key: [before.get(key), after.get(key)] for key in after if before.get(key) != after.get(key)}


@transaction.atomic(savepoint=False)  # inside the caller's transaction: a failure aborts the caller's write
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

    `changes` is {field: [before, after]} (see `diff`). Callers must never put raw personal data
    in it or in `subject_label`: ID numbers, phone numbers and addresses go in masked
    (`partyadmin.crypto.mask_*`), and passwords, keys or tokens not at all. The trail is kept for
    years and shown to auditors; an event cannot be corrected afterwards. As a last line of
    defence, ID and mobile numbers that slip through are masked here (and logged as a bug).
    """
    if subject is not None:
        subject_type = subject_type or subject_type_of(subject)
        subject_id = subject_id or str(subject.pk)
        subject_label = subject_label or str(subject)
    stored_changes, leaked = mask_personal_data(jsonable(changes or {}))
    subject_label, leaked_label = mask_personal_data(subject_label[:200])
    if leaked or leaked_label:
        logger.warning("audit.record: unmasked personal data in event %r was masked; fix the caller", action)
    county_id = organization.county_id if organization is not None else None
    chain = chain_of(county_id)
    batch = _batch.get()
    head = batch.get(chain) if batch is not None else None
    if head is None:
        ChainHead.objects.bulk_create([ChainHead(chain=chain)], ignore_conflicts=True)
        head = ChainHead.objects.select_for_update().get(chain=chain)
        if batch is not None:
            batch[chain] = head
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
        changes=stored_changes,
        created_at=timezone.now(),
        prev_hash=head.last_hash or GENESIS,
    )
    event.hash = event_hash(prev_hash=event.prev_hash, fields=hashed_fields(event))
    event.save(force_insert=True)
    head.seq = event.seq
    head.last_hash = event.hash
    if batch is None:
        head.save(update_fields=["seq", "last_hash"])
    return event


# Appending many events in one transaction: each UPDATE of the chain head leaves a row version
# that later statements of the same transaction must step over, so N appends cost O(N²)
# (10,000 imported members took ~230 s). In a batch the head is locked once, kept in memory and
# written once at the end, still inside the caller's transaction.
_batch: contextvars.ContextVar[dict[str, ChainHead] | None] = contextvars.ContextVar("audit_batch", default=None)


@contextlib.contextmanager
def appending_in_batch() -> Iterator[None]:
    """`with appending_in_batch(): …` — every `record()` inside shares one lock and one head write per chain."""
    if _batch.get() is not None:  # already batching: the outer block writes the heads
        yield
        return
    heads: dict[str, ChainHead] = {}
    token = _batch.set(heads)
    try:
        with transaction.atomic():
            yield
            for head in heads.values():
                # A savepoint rolled back inside the batch would leave the head ahead of the rows.
                last = Event.objects.filter(chain=head.chain).order_by("-seq").values_list("seq", flat=True).first()
                if last != head.seq:
                    raise RuntimeError(f"audit batch: chain {head.chain} ends at {last}, head says {head.seq}")
                head.save(update_fields=["seq", "last_hash"])
    finally:
        _batch.reset(token)
