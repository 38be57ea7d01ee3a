"""Pages and API: what the officers see and do, the printable record, and what outsiders never see."""

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from branches import services as org_services
from branches.scoping import Role
from recruitment import services
from recruitment.models import RecruitmentFile
from tests.conftest import make_user

from .conftest import on

ALL_ROLES = list(Role)


@pytest.fixture
def file(driver):
    return driver.apply()


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "record.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,  # noqa: S603,S607
                          check=True).stdout


def test_secretary_records_the_talk_from_the_file_page(client_for, alice, file):
    client = client_for(alice)
    page = client.get(reverse("recruitment:file_detail", args=[file.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "党组织派人谈话" in body and "记录谈话" in body
    with on(date(2023, 1, 20)):
        response = client.post(reverse("recruitment:file_action", args=[file.pk, "talk"]),
                               {"talked_on": "2023-01-20", "talker": "王书记", "content": "了解动机"})
    assert response.status_code == 302
    assert RecruitmentFile.objects.get(pk=file.pk).current_step == 3


def test_a_refused_action_shows_the_rule_on_the_form(client_for, alice, file):
    with on(date(2023, 3, 1)):
        response = client_for(alice).post(reverse("recruitment:file_action", args=[file.pk, "talk"]),
                                          {"talked_on": "2023-03-01", "talker": "王", "content": "谈"})
    assert response.status_code == 400
    assert "1个月内" in response.content.decode()


def test_jumping_a_step_through_the_page_is_refused(client_for, alice, file):
    with on(date(2023, 1, 20)):
        response = client_for(alice).post(reverse("recruitment:file_action", args=[file.pk, "designate"]),
                                          {"decided_on": "2023-01-20", "minutes": "研究"})
    assert response.status_code == 400
    assert "须先完成第2步" in response.content.decode()


def test_apply_page_creates_a_file(client_for, alice, branch_a, working_calendar):
    with on(date(2024, 3, 4)):
        response = client_for(alice).post(reverse("recruitment:apply", args=[branch_a.pk]), {
            "name": "赵青", "gender": "female", "birth_date": "2000-02-02", "education": "bachelor",
            "occupation": "职员", "position": "", "applied_on": "2024-03-04"})
    assert response.status_code == 302
    assert RecruitmentFile.objects.filter(person__name="赵青", organization=branch_a).exists()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is installed by make test")
def test_record_sheet_lists_every_step_with_date_handler_and_signer(client_for, alice, driver, tmp_path):
    driver.to_activist()
    response = client_for(alice).get(reverse("recruitment:file_record", args=[driver.file.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content, tmp_path)
    assert "发展党员全程记实表" in text.replace(" ", "")
    for title in ("递交入党申请书", "党组织派人谈话", "推荐和确定入党积极分子", "上级党委备案", "材料归档"):
        assert title in text
    assert "2023-01-20" in text and "王书记" in text
    artifacts = Path("test-artifacts")
    artifacts.mkdir(exist_ok=True)
    (artifacts / "recruitment_record_sheet.pdf").write_bytes(response.content)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1",  # noqa: S603,S607
                        str(artifacts / "recruitment_record_sheet.pdf"), str(artifacts / "recruitment_record_sheet")],
                       check=True)


def test_board_shows_files_by_stage_with_fixed_queries(client_for, alice, branch_a, driver,
                                                       django_assert_max_num_queries):
    driver.apply()
    client = client_for(alice)
    url = reverse("recruitment:branch_board", args=[branch_a.pk])
    client.get(url)
    with django_assert_max_num_queries(14):
        first = client.get(url)
    for n in "甲乙丙丁":
        with on(date(2023, 1, 6)):
            services.file_apply(acting_user=alice, organization=branch_a, applied_on=date(2023, 1, 6),
                                person_fields={"name": f"申请人{n}", "gender": "male", "birth_date": date(1990, 1, 1)})
    with django_assert_max_num_queries(14):
        more = client.get(url)
    assert first.status_code == more.status_code == 200
    assert "申请人丁" in more.content.decode() and "李新" in more.content.decode()


def test_rural_branch_without_an_activist_this_year_is_flagged(client_for, make_rural_branch):
    branch, secretary = make_rural_branch
    body = client_for(secretary).get(reverse("recruitment:branch_board", args=[branch.pk])).content.decode()
    assert "尚未确定入党积极分子" in body


@pytest.fixture
def make_rural_branch(town):
    from branches.models import Domain, OrganizationKind
    from tests.conftest import make_org

    branch = make_org(town, "南村党支部", "C01T01B09", OrganizationKind.BRANCH, domain=Domain.RURAL)
    user = make_user("rural_secretary")
    org_services.grant_role(acting_user=None, user=user, organization=branch, role=Role.SECRETARY)
    return branch, user


def test_county_dashboard_counts_per_township(client_for, rita, driver):
    driver.apply()
    response = client_for(rita).get(reverse("recruitment:dashboard"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "东街社区党支部" in body and "已超期的步骤" in body


def test_reviewer_sees_the_file_but_cannot_act(client_for, rita, file):
    client = client_for(rita)
    assert client.get(reverse("recruitment:file_detail", args=[file.pk])).status_code == 200
    response = client.post(reverse("recruitment:file_action", args=[file.pk, "talk"]),
                           {"talked_on": "2023-01-20", "talker": "王", "content": "谈"})
    assert response.status_code == 404


def test_accountability_case_from_the_file_page(client_for, alice, driver):
    driver.to_activist()
    with on(date(2023, 3, 1)):
        response = client_for(alice).post(reverse("recruitment:accountability", args=[driver.file.pk]), {
            "step_number": "5", "violation_type": "negligent_training", "description": "培养不力",
            "discovered_on": "2023-03-01", "parties": ["0", "2"]})
    assert response.status_code == 302
    from audit.accountability.models import AccountabilityCase

    case = AccountabilityCase.objects.get()
    assert case.parties.count() == 2


# --- API -------------------------------------------------------------------------------------------

def test_api_action_and_rule_conflict(api_for, alice, file):
    api = api_for(alice)
    with on(date(2023, 1, 20)):
        listed = api.get("/api/v1/recruitment/files/")
        assert listed.status_code == 200 and listed.json()["results"][0]["name"] == "李新"
        bad = api.post(f"/api/v1/recruitment/files/{file.pk}/actions/designate/",
                       {"decided_on": "2023-01-20", "minutes": "研究"}, format="json")
        assert bad.status_code == 409 and bad.json()["code"] == "recruitment.step_order"
        missing = api.post(f"/api/v1/recruitment/files/{file.pk}/actions/talk/", {"talker": "王"}, format="json")
        assert missing.status_code == 400 and "talked_on" in missing.json()
        ok = api.post(f"/api/v1/recruitment/files/{file.pk}/actions/talk/",
                      {"talked_on": "2023-01-20", "talker": "王", "content": "谈"}, format="json")
    assert ok.status_code == 200 and ok.json()["current_step"] == 3
    assert ok.json()["steps"][1]["status"] == "done"


def test_api_apply(api_for, alice, branch_a, working_calendar):
    with on(date(2024, 3, 4)):
        response = api_for(alice).post("/api/v1/recruitment/files/", {
            "organization": branch_a.pk, "name": "钱多", "gender": "male", "birth_date": "1999-01-01",
            "applied_on": "2024-03-04"}, format="json")
    assert response.status_code == 201 and response.json()["current_step"] == 2


# --- outsiders --------------------------------------------------------------------------------------

def _object_urls(file, branch) -> list[tuple[str, str]]:
    return [
        ("get", reverse("recruitment:file_detail", args=[file.pk])),
        ("post", reverse("recruitment:file_action", args=[file.pk, "talk"])),
        ("get", reverse("recruitment:file_record", args=[file.pk])),
        ("get", reverse("recruitment:accountability", args=[file.pk])),
        ("get", reverse("recruitment:branch_board", args=[branch.pk])),
        ("get", reverse("recruitment:apply", args=[branch.pk])),
        ("get", reverse("audit:history", args=["recruitment.recruitmentfile", file.pk])),
        ("get", f"/api/v1/recruitment/files/{file.pk}/"),
        ("post", f"/api/v1/recruitment/files/{file.pk}/actions/talk/"),
        ("post", f"/api/v1/recruitment/files/{file.pk}/accountability/"),
    ]


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("where", ["sibling_branch", "other_county"])
def test_foreign_files_are_404_for_every_role(client, role, where, branch_a, branch_b, other_county, file):
    user = make_user(f"outsider_{role.value}")
    org_services.grant_role(acting_user=None, user=user, organization=branch_b if where == "sibling_branch"
                            else other_county, role=role)
    client.force_login(user)
    for method, url in _object_urls(file, branch_a):
        response = getattr(client, method)(url)
        assert response.status_code == 404, (role, method, url, response.status_code)


def test_material_of_a_foreign_file_is_404(client_for, charlie, oscar, alice, file):
    from django.core.files.base import ContentFile

    from audit.filings.uploads import MaterialUpload

    pdf = ContentFile(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", name="minutes.pdf")
    material = services.material_add(acting_user=alice, file=file, number=1,
                                     upload=MaterialUpload(title="入党申请书", file=pdf))
    assert client_for(alice).get(reverse("recruitment:material", args=[material.pk])).status_code == 200
    for user in (charlie, oscar):
        assert client_for(user).get(reverse("recruitment:material", args=[material.pk])).status_code == 404


@pytest.mark.parametrize("role", ALL_ROLES)
def test_lists_never_show_foreign_files(client, role, branch_b, file):
    user = make_user(f"outsider_{role.value}")
    org_services.grant_role(acting_user=None, user=user, organization=branch_b, role=role)
    client.force_login(user)
    for url in (reverse("recruitment:board"), reverse("recruitment:dashboard"), "/api/v1/recruitment/files/"):
        response = client.get(url, follow=True)
        assert response.status_code in (200, 404), (role, url)
        assert "李新" not in response.content.decode(), (role, url)


def test_applicant_file_is_handed_to_the_new_branch(client_for, alice, charlie, file, branch_b, other_county):
    from tests.conftest import make_org

    far_town = make_org(other_county, "邻县某镇党委", "C02T01", "committee", can_approve_admission=True)
    far = make_org(far_town, "邻县某党支部", "C02T01B01", "branch")
    client = client_for(alice)
    refused = client.post(reverse("recruitment:file_action", args=[file.pk, "transfer"]),
                          {"to_organization": far.pk, "reason": "搬家"})
    assert refused.status_code == 400
    with on(date(2023, 1, 10)):
        response = client.post(reverse("recruitment:file_action", args=[file.pk, "transfer"]),
                               {"to_organization": branch_b.pk, "reason": "到西街社区工作"})
        assert response.status_code == 302
        assert client.get(reverse("recruitment:file_detail", args=[file.pk])).status_code == 404
        assert client_for(charlie).get(reverse("recruitment:file_detail", args=[file.pk])).status_code == 200
