"""Hooks through which the apps above `membership` take part in its changes (DESIGN §2: imports only
point down, so `membership` never imports them; they register here at start-up, in `AppConfig.ready`).

* Transfers: `register_transfer_handler(fn)` — recruitment moves a person's whole file (全程记实) to the
  receiving branch when a transfer is accepted. Called inside the accepting transaction as
  `fn(acting_user=..., transfer=...)` (the member already moved); an exception refuses the acceptance.
* Self-lapse candidates (自行脱党): `register_lapse_source(...)` — branch life (dues) lists its members
  flagged for six consecutive months without paying, and hears when a disposal case was opened for one.
* Dues paid until: `register_dues_paid_until(fn)` — the last month a member's dues are paid for, printed
  on the introduction letter ("该同志党费已交到…").
* Probation extensions: `register_probation_extension(fn)` — recruitment tells the register when the
  branch meeting or the star rating extended a probation (延长预备期), so that 转正 dates from its end.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

TransferHandler = Callable[..., None]  # fn(*, acting_user, transfer)

_transfer_handlers: list[TransferHandler] = []


def register_transfer_handler(fn: TransferHandler) -> None:
    """Adds a handler called on every accepted transfer (once, however often it is registered)."""
    if fn not in _transfer_handlers:
        _transfer_handlers.append(fn)


def transfer_handlers() -> list[TransferHandler]:
    return list(_transfer_handlers)


@dataclass(frozen=True)
class LapseCandidate:
    """A member flagged by another app as a self-lapse candidate (e.g. six consecutive months unpaid)."""

    member_id: int
    organization_id: int
    reference: str  # the flag's id in the source, handed back when a case is opened
    ground: str  # a `rules.LAPSE_GROUNDS` key
    since: date  # the first month of the run
    months: int
    description: str


@dataclass(frozen=True)
class LapseSource:
    """`candidates(organization)` lists the open candidates in the organization's subtree (the caller has
    checked the organization is in the user's scope); `case_opened(acting_user=, reference=, case=)` is
    called inside the transaction that opens a disposal case for one of them."""

    name: str
    candidates: Callable[[Any], Iterable[LapseCandidate]]
    case_opened: Callable[..., None]


_lapse_sources: dict[str, LapseSource] = {}


def register_lapse_source(source: LapseSource) -> None:
    _lapse_sources[source.name] = source


def lapse_sources() -> list[LapseSource]:
    return list(_lapse_sources.values())


def lapse_source(name: str) -> LapseSource | None:
    return _lapse_sources.get(name)


DuesPaidUntil = Callable[[Any], date | None]  # fn(member) -> first day of the last month paid, or None

_dues_paid_until: list[DuesPaidUntil] = []


def register_dues_paid_until(fn: DuesPaidUntil) -> None:
    _dues_paid_until[:] = [fn]


def dues_paid_until(member: Any) -> date | None:
    """The last month the member's dues are paid for, if an app that keeps dues registered."""
    return _dues_paid_until[0](member) if _dues_paid_until else None


ProbationExtension = Callable[[Any], date | None]  # fn(member) -> the end of an extended probation, or None

_probation_extensions: list[ProbationExtension] = []


def register_probation_extension(fn: ProbationExtension) -> None:
    """Adds a source of probation extensions (once, however often it is registered)."""
    if fn not in _probation_extensions:
        _probation_extensions.append(fn)


def probation_extensions() -> list[ProbationExtension]:
    return list(_probation_extensions)
