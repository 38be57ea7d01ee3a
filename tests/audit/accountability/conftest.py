"""Accountability fixtures: a county-department reviewer (cora) and a case in branch A opened by rita."""

from datetime import date

import pytest

from audit.accountability import services
from audit.accountability.models import ViolationType
from branches import services as org_services
from branches.scoping import Role
from tests.conftest import make_user

DISCOVERED_ON = date(2024, 1, 31)


@pytest.fixture
def cora(county):
    """Reviewer at the county department: approves extensions (经县委组织部同意)."""
    user = make_user("cora")
    org_services.grant_role(acting_user=None, user=user, organization=county, role=Role.REVIEWER)
    return user


@pytest.fixture
def case(rita, branch_a):
    return services.case_open(
        acting_user=rita, organization=branch_a, subject_label="王某某确定为发展对象（第7步）",
        violation_type=ViolationType.PROCEDURE, description="未经群众评议即列为发展对象。",
        discovered_on=DISCOVERED_ON, subject_type="tests.candidate", subject_id="7", today=date(2024, 2, 1),
    )
