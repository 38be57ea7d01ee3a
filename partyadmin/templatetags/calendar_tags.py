"""Template tags of the working-day calendar."""

from typing import Any

from django import template

from partyadmin import workdays

register = template.Library()


@register.simple_tag(takes_context=True)
def calendar_warning(context: dict[str, Any]) -> str | None:
    """The missing-calendar-year warning, for users who may enter a year (DESIGN §2.2)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("partyadmin.add_holiday"):
        return None
    return workdays.missing_next_year_warning(workdays.china_today())
