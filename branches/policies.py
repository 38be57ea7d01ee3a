"""Per-tenant policy settings: declared here with their defaults, stored as `OrganizationPolicy` rows.

A value set on an organization applies to its subtree; the nearest setting up the tree wins, and the
declared default applies when no ancestor sets one. Read with `policy_value(organization, KEY)`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from .models import Organization, OrganizationPolicy


@dataclass(frozen=True)
class Policy:
    key: str
    label: str
    default: Any
    help_text: str = ""
    validate: Callable[[Any], None] | None = None


def _period(value: Any) -> None:
    if not (isinstance(value, dict) and value.get("unit") in ("working_days", "days")
            and isinstance(value.get("count"), int) and 1 <= value["count"] <= 60):
        raise ValidationError('须为 {"unit": "working_days" 或 "days", "count": 1–60 的整数}。')


PUBLICITY_PERIOD = "publicity.period"

POLICIES: dict[str, Policy] = {
    p.key: p
    for p in [
        Policy(
            PUBLICITY_PERIOD, "公示期限", {"unit": "working_days", "count": 5},
            'seed 000: "公示期限一般为5个工作日"; seed 003: "公示时间不少于7天" → {"unit": "days", "count": 7}',
            _period,
        ),
    ]
}


def register_policy(policy: Policy) -> None:
    """Domain apps declare their own policies at start-up."""
    POLICIES[policy.key] = policy


def validate_policy(key: str, value: Any) -> None:
    policy = POLICIES.get(key)
    if policy is None:
        raise ValidationError(f"未知的策略项：{key}")
    if policy.validate is not None:
        policy.validate(value)


def policy_value(organization: Organization, key: str) -> Any:
    """The setting in force for `organization`: its own, else the nearest ancestor's, else the default."""
    policy = POLICIES[key]
    step = Organization.steplen
    paths = [organization.path[:end] for end in range(step, len(organization.path) + 1, step)]
    row = (
        OrganizationPolicy.objects.filter(key=key, organization__path__in=paths)
        .order_by("-organization__depth").values_list("value", flat=True).first()
    )
    return policy.default if row is None else row
