"""What the records say about a checklist item: providers by key.

This app answers the keys its own layer can (meetings, committee, terms, dues, the member register:
`prefill.BUILTIN`). Keys only a higher app can answer ("activist_training": recruitment) are answered by
a provider that app registers in its AppConfig.ready:

    from branches.standards.registry import Prefill, register_prefill
    register_prefill("activist_training", provider)   # provider(*, organization, year) -> Prefill | None

A registered provider takes precedence over a built-in one of the same key. Without a provider, or
when it returns None, the item stays for the branch's self-assessment.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Prefill:
    score: Decimal
    met: bool
    note: str
    evidence: list[tuple[str, str]] = field(default_factory=list)  # (label, url)


PrefillProvider = Callable[..., Prefill | None]

_providers: dict[str, PrefillProvider] = {}
_builtin: dict[str, PrefillProvider] = {}

# Keys a template may name although no provider is registered yet (they wait for the higher app).
RESERVED_KEYS = {"activist_training": "入党积极分子培养（发展党员模块提供）"}


def register_prefill(key: str, provider: PrefillProvider) -> None:
    _providers[key] = provider


def register_builtin(key: str, provider: PrefillProvider) -> None:
    _builtin[key] = provider


def provider_for(key: str) -> PrefillProvider | None:
    return _providers.get(key) or _builtin.get(key)


def known_keys() -> set[str]:
    return set(_providers) | set(_builtin) | set(RESERVED_KEYS)


def answer(key: str, *, organization: Any, year: int, points: Decimal) -> Prefill | None:
    """The provider's answer; None when nobody answers. A met item gets the item's full points, one not met
    the provider's score capped at the item's points (usually 0)."""
    provider = provider_for(key)
    if provider is None:
        return None
    result = provider(organization=organization, year=year)
    if result is None:
        return None
    score = points if result.met else min(result.score, points)
    return Prefill(score, result.met, result.note, list(result.evidence))
