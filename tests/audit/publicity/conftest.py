"""Publicity fixtures on top of the shared tree: member accounts and a frozen 'today'."""

from datetime import date

import pytest

from branches import services as org_services
from branches.scoping import Role
from tests.conftest import make_user

from .factories import TODAY


@pytest.fixture
def mona(branch_a):
    """A member of branch A (the `member` role granted on her branch): may object to its notices."""
    user = make_user("mona")
    org_services.grant_role(acting_user=None, user=user, organization=branch_a, role=Role.MEMBER)
    return user


@pytest.fixture
def mike(branch_b):
    """A member of branch B: an outsider to branch A's notices."""
    user = make_user("mike")
    org_services.grant_role(acting_user=None, user=user, organization=branch_b, role=Role.MEMBER)
    return user


@pytest.fixture
def frozen_today(monkeypatch) -> date:
    """Pages and services read China's today through `china_today`: pin it to TODAY."""
    monkeypatch.setattr("audit.publicity.services.china_today", lambda: TODAY)
    monkeypatch.setattr("audit.publicity.views.china_today", lambda: TODAY)
    return TODAY
