"""Numbers for the home dashboards, per the user's scope."""

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser

from .scoping import Action, grants_of, top_organizations


def dashboard(*, user: AbstractBaseUser) -> dict[str, Any]:
    return {"roots": top_organizations(user, Action.VIEW_ORGANIZATION), "grants": grants_of(user)}


def admin_dashboard(*, user: AbstractBaseUser) -> dict[str, Any]:
    return {"grants": grants_of(user)}
