"""Audit events for tests, appended through the real `record()` so the chain stays valid."""

from typing import Any

from audit.models import Event
from audit.services import record
from branches.models import Organization


def make_events(organization: Organization, count: int, *, action: str = "test.event", **extra: Any) -> list[Event]:
    return [
        record(actor=None, action=action, organization=organization, changes={"n": [None, index]}, **extra)
        for index in range(count)
    ]
