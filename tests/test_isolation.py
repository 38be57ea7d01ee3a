"""Tenant isolation across every page and endpoint, for every role (DESIGN §2.1).

A user holding any role on branch B (or on another county) must get 404 for every object of
branch A — exactly as for an object that does not exist — and must never see branch A's rows in a list.
"""

import pytest
from django.urls import reverse

from branches import services as org_services
from branches.scoping import Role
from tests.conftest import make_user
from tests.membership.factories import MemberFactory

pytestmark = pytest.mark.django_db

ALL_ROLES = list(Role)


@pytest.fixture
def target(branch_a):
    """A member of branch A, with a name no one outside should ever see."""
    return MemberFactory(organization=branch_a, person__name="欧阳绝密")


@pytest.fixture
def oversight(alice, branch_a, settings, tmp_path):
    """A notice with an objection, a filing with a material, all of branch A."""
    from audit.filings import services as filings
    from audit.filings.models import FilingKind
    from audit.filings.uploads import MaterialUpload
    from audit.publicity import services as publicity
    from tests.audit.filings.factories import pdf
    from tests.audit.publicity.factories import TODAY, open_window

    settings.MEDIA_ROOT = tmp_path / "media"
    window = open_window(branch_a, acting_user=alice)
    objection = publicity.objection_record(acting_user=alice, window=window, entry=None, content="反映情况",
                                           channel="paper", anonymous=True, today=TODAY)
    filing = filings.filing_submit(
        acting_user=alice, from_organization=branch_a, kind=FilingKind.RECORD, subject_type="tests.subject",
        subject_id="1", subject_label="备案事项", title="备案报告", note="",
        materials=[MaterialUpload(title="备案报告", file=pdf())], today=TODAY,
    )
    from tests.branches.meetings.factories import record as record_meeting

    meeting = record_meeting(branch_a, "general_meeting", TODAY, acting_user=alice, today=TODAY)
    return window, objection, filing, filing.materials.get(), meeting


def foreign_user(role: Role, organization):
    user = make_user(f"outsider_{role.value}")
    org_services.grant_role(acting_user=None, user=user, organization=organization, role=role)
    return user


def object_urls(branch, member, window, objection, filing, material, meeting) -> list[tuple[str, str]]:
    return [
        ("get", reverse("meetings:detail", args=[meeting.pk])),
        ("get", reverse("meetings:edit", args=[meeting.pk])),
        ("post", reverse("meetings:void", args=[meeting.pk])),
        ("get", reverse("meetings:calendar", args=[branch.pk])),
        ("get", f"/api/v1/meetings/{meeting.pk}/"),
        ("get", reverse("dues:branch", args=[branch.pk])),
        ("post", reverse("dues:payment_create", args=[branch.pk])),
        ("get", reverse("dues:unpaid_export", args=[branch.pk])),
        ("get", reverse("committee:page", args=[branch.pk])),
        ("post", reverse("committee:appoint", args=[branch.pk])),
        ("get", reverse("audit:publicity:detail", args=[window.pk])),
        ("get", reverse("audit:publicity:pdf", args=[window.pk])),
        ("get", reverse("audit:publicity:objection_file", args=[window.pk])),
        ("post", reverse("audit:publicity:objection_file", args=[window.pk])),
        ("get", reverse("audit:publicity:objection_record", args=[window.pk])),
        ("get", reverse("audit:publicity:objection_detail", args=[objection.pk])),
        ("post", reverse("audit:publicity:objection_conclude", args=[objection.pk])),
        ("get", f"/api/v1/publicity-windows/{window.pk}/"),
        ("get", f"/api/v1/publicity-objections/{objection.pk}/"),
        ("get", reverse("audit:filings:detail", args=[filing.pk])),
        ("post", reverse("audit:filings:decide", args=[filing.pk])),
        ("get", reverse("audit:filings:material", args=[material.pk])),
        ("get", f"/api/v1/filings/{filing.pk}/"),
        ("get", reverse("branches:detail", args=[branch.pk])),
        ("get", reverse("branches:children", args=[branch.pk])),
        ("get", reverse("membership:detail", args=[member.pk])),
        ("get", reverse("membership:edit", args=[member.pk])),
        ("post", reverse("membership:edit", args=[member.pk])),
        ("post", reverse("membership:reveal", args=[member.pk])),
        ("get", reverse("audit:history", args=["membership.member", member.pk])),
        ("get", reverse("audit:history", args=["branches.organization", branch.pk])),
        ("get", f"/api/v1/organizations/{branch.pk}/"),
        ("get", f"/api/v1/members/{member.pk}/"),
    ]


LIST_URLS = [
    reverse("branches:tree"), reverse("membership:list"), reverse("audit:events"),
    reverse("audit:publicity:list"), reverse("audit:publicity:objection_list"), reverse("audit:filings:queue"),
    reverse("audit:accountability:list"), reverse("audit:notifications:list"),
    reverse("meetings:list"), reverse("meetings:compliance"), reverse("dues:index"), reverse("membership:export"),
    "/api/v1/meetings/", "/api/v1/dues-payments/",
    "/api/v1/organizations/", "/api/v1/members/", "/api/v1/publicity-windows/", "/api/v1/filings/",
    reverse("home"),
]


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("where", ["sibling_branch", "other_county"])
def test_foreign_objects_are_404_for_every_role(client, role, where, branch_a, branch_b, other_county, target,
                                               oversight):
    user = foreign_user(role, branch_b if where == "sibling_branch" else other_county)
    client.force_login(user)
    for method, url in object_urls(branch_a, target, *oversight):
        response = getattr(client, method)(url)
        assert response.status_code == 404, (role, method, url, response.status_code)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_lists_never_show_foreign_rows_for_any_role(client, role, branch_a, branch_b, target, oversight):
    MemberFactory(organization=branch_b)
    client.force_login(foreign_user(role, branch_b))
    for url in LIST_URLS:
        response = client.get(url, follow=True)
        assert response.status_code in (200, 404), (role, url)
        body = _text_of(response)
        assert target.person.name not in body, (role, url)
        assert branch_a.name not in body, (role, url)


def _text_of(response) -> str:
    """The response as text; an Excel download as the text of all its cells."""
    if not getattr(response, "streaming", False) and "spreadsheet" not in response.get("Content-Type", ""):
        return response.content.decode()
    import io

    from openpyxl import load_workbook

    data = b"".join(response.streaming_content) if response.streaming else response.content
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    return " ".join(str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row)


def test_missing_and_foreign_objects_answer_alike(client, charlie, branch_a, target):
    client.force_login(charlie)
    foreign = client.get(reverse("membership:detail", args=[target.pk]))
    missing = client.get(reverse("membership:detail", args=[target.pk + 10_000]))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content
