"""Filing fixtures: the shared tree with an approving township, a general branch, a rural base
committee without approval power, and uploads kept in a temporary MEDIA_ROOT."""

from datetime import date

import pytest

from audit.filings import services
from audit.filings.models import FilingKind
from audit.filings.uploads import MaterialUpload
from branches.models import Domain, Organization, OrganizationKind
from tests.conftest import make_org

from .factories import pdf

SUBMITTED_ON = date(2024, 3, 1)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def town(county: Organization) -> Organization:
    """城关镇党委 with approval power (有审批权的基层党委), overriding the shared fixture."""
    return make_org(county, "城关镇党委", "C01T01", OrganizationKind.COMMITTEE, domain=Domain.COMMUNITY,
                    can_approve_admission=True)


@pytest.fixture
def filing(alice, branch_a, rita):
    """A 备案 sent by branch A (alice) to the township (reviewed by rita), with one PDF."""
    return services.filing_submit(
        acting_user=alice, from_organization=branch_a, kind=FilingKind.RECORD,
        subject_type="tests.activist", subject_id="7", subject_label="王某某确定为入党积极分子",
        title="关于确定王某某为入党积极分子的备案报告", note="支委会 2024-02-28 研究确定",
        materials=[MaterialUpload(title="备案报告", file=pdf())], today=SUBMITTED_ON,
    )
