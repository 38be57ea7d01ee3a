"""Hooks through which the pipeline above (`recruitment`) takes part in the county side (DESIGN §2: imports only
point down, so this app never imports the pipeline; the pipeline registers here at start-up).

* Name-list candidates: `register_name_list_candidates(fn)` — `fn(*, organization, year)` returns the people in
  the organization's subtree who may be put on a name list for the county's pre-review (拟发展对象: the
  development candidates). The name-list page offers exactly these people.
"""

from collections.abc import Callable, Iterable
from typing import Any

NameListCandidates = Callable[..., Iterable[Any]]  # fn(*, organization, year) -> Iterable[membership.Person]

_candidate_providers: list[NameListCandidates] = []


def register_name_list_candidates(fn: NameListCandidates) -> None:
    """Adds a provider (once, however often it is registered)."""
    if fn not in _candidate_providers:
        _candidate_providers.append(fn)


def name_list_candidates(*, organization: Any, year: int) -> list[Any]:
    """The people every provider offers for the organization, without repeats, in name order."""
    people: dict[int, Any] = {}
    for provider in _candidate_providers:
        for person in provider(organization=organization, year=year):
            people.setdefault(person.pk, person)
    return sorted(people.values(), key=lambda person: (person.name, person.pk))
