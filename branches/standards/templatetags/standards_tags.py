"""Template tags: the 合格支部 badge on the organization page, the discipline choices of a committee seat."""

from typing import Any

from django import template

from branches.life_models import Discipline
from branches.models import Organization

register = template.Library()


@register.simple_tag
def discipline_options() -> list[tuple[str, str]]:
    return list(Discipline.choices)


@register.inclusion_tag("branches/standards/_badge.html")
def standards_badge(organization: Organization) -> dict[str, Any]:
    """The branch's latest checklist result: 合格支部 (confirmed after publicity), or its state."""
    from branches.standards.selectors import latest_result

    if organization.kind != "branch":
        return {"assessment": None}
    return {"assessment": latest_result(organization), "organization": organization}


@register.filter
def score(value: Any) -> str:
    """A score without trailing zeros (8.0 → 8, 84.5 → 84.5); "" for None."""
    from branches.standards.rules import fmt

    if value is None or value == "":
        return ""
    try:
        return fmt(value)
    except (TypeError, ValueError, ArithmeticError):
        return str(value)
