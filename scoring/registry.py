"""People scored by a branch although they are not its members (DESIGN §6.1: "预备党员、入党积极分子参照
正式党员进行管理"). `scoring` sits below `recruitment`, so recruitment registers a provider for its
activists in its AppConfig.ready(); the ledger, batch entry and totals then include them.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ScoredPerson:
    person_id: int
    organization_id: int
    kind: str  # e.g. "activist"; shown beside the name


ScoredPeopleProvider = Callable[..., Iterable[ScoredPerson]]  # provider(*, organization_ids: list[int], on: date)

_providers: list[ScoredPeopleProvider] = []


def register_scored_people(provider: ScoredPeopleProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def scored_people(*, organization_ids: list[int], on: date) -> list[ScoredPerson]:
    people: list[ScoredPerson] = []
    for provider in _providers:
        people.extend(provider(organization_ids=list(organization_ids), on=on))
    return people
