"""The main menu, by what the user's grants allow (a context processor)."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from branches.scoping import ROLE_ACTIONS, Action, Role, grants_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    grants = grants_of(user)
    roles = {g.role for g in grants}
    actions = {a for g in grants for a in ROLE_ACTIONS[g.role]}
    items: list[tuple[str, str]] = []
    if Action.VIEW_ORGANIZATION in actions:
        items.append(("组织", reverse("branches:tree")))
    if Action.VIEW_MEMBER in actions:
        items.append(("党员", reverse("membership:list")))
        items.append(("党员变动", reverse("membership:changes:index")))
    elif Role.MEMBER in roles:
        items.append(("我的档案", reverse("membership:me")))
    if Action.VIEW_MEMBER in actions:
        items.append(("组织生活", reverse("meetings:list")))
    elif Role.MEMBER in roles:
        items.append(("我的组织生活", reverse("meetings:mine")))
    if Role.REVIEWER in roles:
        items.append(("会议达标", reverse("meetings:compliance")))
    if Action.VIEW_MEMBER in actions:
        items.append(("党费", reverse("dues:index")))
    elif Role.MEMBER in roles:
        items.append(("我的党费", reverse("dues:me")))
    if Action.VIEW_MEMBER in actions or Role.MEMBER in roles:
        items.append(("公示", reverse("audit:publicity:list")))
    if Action.VIEW_MEMBER in actions:
        items.append(("报送审批", reverse("audit:filings:queue")))
    if Role.REVIEWER in roles:
        items.append(("监督看板", reverse("audit:filings:dashboard")))
        items.append(("责任追究", reverse("audit:accountability:list")))
    if Action.VIEW_AUDIT in actions:
        items.append(("审计日志", reverse("audit:events")))
    if user.is_staff:
        items.append(("后台管理", reverse("admin:index")))
    # The longest matching prefix is the active item ("/audit/" must not light up on "/audit/publicity/").
    path = request.path
    active = max((url for _, url in items if path.startswith(url)), key=len, default=None)
    return {"nav_items": [{"label": label, "url": url, "active": url == active} for label, url in items]}
