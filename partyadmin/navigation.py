"""The main menu, by what the user's grants allow (a context processor)."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from branches.scoping import ROLE_ACTIONS, Action, Role, grants_of, roles_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    grants = grants_of(user)
    actions = {a for g in grants for a in ROLE_ACTIONS[g.role]}
    items: list[tuple[str, str]] = []
    if Action.VIEW_ORGANIZATION in actions:
        items.append(("组织", reverse("branches:tree")))
    if Action.VIEW_MEMBER in actions:
        items.append(("党员", reverse("membership:list")))
    elif Role.MEMBER in roles_of(user):
        items.append(("我的档案", reverse("membership:me")))
    if Action.VIEW_AUDIT in actions:
        items.append(("审计日志", reverse("audit:events")))
    if user.is_staff:
        items.append(("后台管理", reverse("admin:index")))
    path = request.path
    return {
        "nav_items": [{"label": label, "url": url, "active": path.startswith(url)} for label, url in items],
    }

