"""The member portal home (DESIGN §2, layer 1): each app registers a panel about the member's own
records (my meetings and dues in `branches`, my points in `scoring`, my post in `grouping`, my file in
`recruitment`); the home shows the panels in order. Apps above `membership` register in their
AppConfig.ready(); membership itself adds the panels of what lies below it (the branch's notices).
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from django.template.loader import render_to_string

from .models import Member

# context(user, member) -> the panel's template context, or None to leave the panel out.
PanelContext = Callable[[AbstractBaseUser, Member], dict[str, Any] | None]


@dataclass(frozen=True)
class Panel:
    name: str
    title: str
    template: str
    context: PanelContext
    order: int = 100
    title_for_others: str = ""  # the title when an officer looks at someone else's record


_panels: dict[str, Panel] = {}


def register_portal_panel(panel: Panel) -> None:
    _panels[panel.name] = panel


def panels_for(user: AbstractBaseUser, member: Member, *, exclude: Collection[str] = ()) -> list[tuple[Panel, dict[str, Any]]]:
    """The panels that have something for this member, in order, each with its context."""
    shown = []
    for panel in sorted(_panels.values(), key=lambda p: (p.order, p.name)):
        if panel.name in exclude:
            continue
        context = panel.context(user, member)
        if context is not None:
            shown.append((panel, context))
    return shown


def _notices(user: AbstractBaseUser, member: Member) -> dict[str, Any] | None:
    """The publicity notices of the member's branch: open ones first, then the latest closed."""
    from audit.publicity import selectors as publicity

    windows = list(publicity.window_list(user=user)[:5])
    return {"windows": windows}


def register_own_panels() -> None:
    register_portal_panel(Panel("notices", "支部公示", "membership/portal/notices.html", _notices, order=50))


def render_panels(request: HttpRequest, member: Member, *, exclude: Collection[str] = ()) -> list[tuple[str, str]]:
    """Each panel rendered with its own template: [(title, html)]."""
    own = member.person.user_id == request.user.pk
    return [
        (panel.title if own else panel.title_for_others or panel.title,
         render_to_string(panel.template, {**context, "own": own}, request=request))
        for panel, context in panels_for(request.user, member, exclude=exclude)
    ]
