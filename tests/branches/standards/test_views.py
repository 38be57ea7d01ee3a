"""Pages and API: the owner works, the examiners examine, outsiders get 404 everywhere; queries bounded;
the PDF of the filled table."""

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from branches.models import OrganizationKind
from branches.standards import services
from branches.standards.models import AssessmentItem, AssessmentStatus, Evidence
from tests.conftest import make_org

from .conftest import declare_funds, review_score_all, self_score_all

pytestmark = pytest.mark.django_db


def _pages(assessment, round_) -> list[str]:
    return [
        reverse("standards:assessment", args=[assessment.pk]),
        reverse("standards:pdf", args=[assessment.pk]),
    ]


def _posts(assessment) -> list[tuple[str, dict]]:
    veto = assessment.vetoes.first()
    return [
        (reverse("standards:prefill", args=[assessment.pk]), {}),
        (reverse("standards:scores", args=[assessment.pk]), {"column": "self"}),
        (reverse("standards:scores", args=[assessment.pk]), {"column": "review"}),
        (reverse("standards:submit", args=[assessment.pk]), {}),
        (reverse("standards:decide", args=[assessment.pk, "report"]), {"opinion": "x"}),
        (reverse("standards:decide", args=[assessment.pk, "rate"]), {"opinion": "x"}),
        (reverse("standards:veto_declare", args=[assessment.pk, veto.pk]), {"found": "0"}),
        (reverse("standards:veto_review", args=[assessment.pk, veto.pk]), {"found": "1", "note": "x"}),
        (reverse("standards:evidence_add", args=[assessment.pk]), {"target": "x", "title": "t", "url": "/"}),
    ]


@pytest.mark.parametrize("outsider", ["charlie", "oscar"])
def test_outsiders_get_404_on_every_page_and_action(request, client_for, outsider, assessment_a, round_, alice):
    evidence = services.evidence_add(acting_user=alice, assessment=assessment_a, title="台账", url="/x",
                                     item=assessment_a.items.first().item)
    user = request.getfixturevalue(outsider)
    client = client_for(user)
    for url in _pages(assessment_a, round_):
        assert client.get(url).status_code == 404, url
    for url, data in _posts(assessment_a):
        assert client.post(url, data).status_code == 404, url
    assert client.get(reverse("standards:evidence", args=[evidence.pk])).status_code == 404
    assert client.post(reverse("standards:evidence_remove", args=[evidence.pk])).status_code == 404
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    if outsider == "oscar":
        assert client.get(reverse("standards:round", args=[round_.pk])).status_code == 404
    else:  # charlie sees the round of his own branch, and only his own row
        page = client.get(reverse("standards:round", args=[round_.pk]))
        assert page.status_code == 200
        assert "西街社区党支部" in page.content.decode() and "东街社区党支部" not in page.content.decode()


@pytest.mark.parametrize("outsider", ["charlie", "oscar"])
def test_outsiders_get_404_on_the_api(request, api_for, outsider, assessment_a, round_):
    api = api_for(request.getfixturevalue(outsider))
    base = f"/api/v1/standards/assessments/{assessment_a.pk}/"
    assert api.get(base).status_code == 404
    for action in ("prefill", "self-scores", "review-scores", "submit", "report", "return", "rate", "county-return",
                   "veto-declare", "veto-review"):
        assert api.post(base + f"{action}/", {}, format="json").status_code == 404, action
    listed = api.get("/api/v1/standards/assessments/").json()["results"]
    assert assessment_a.pk not in [row["id"] for row in listed]
    assert api.get(f"/api/v1/standards/assessments/qualified/?organization={assessment_a.organization_id}"
                   f"&year=2025").status_code == 404


def test_seat_discipline_outsider_404_and_owner_saves(client_for, charlie, alice, committee_a):
    url = reverse("standards:seat_discipline", args=[committee_a[0].pk])
    assert client_for(charlie).post(url, {"discipline": "warning"}).status_code == 404
    committee_a[0].refresh_from_db()
    assert committee_a[0].discipline == ""
    response = client_for(alice).post(url, {"discipline": "warning"})
    assert response.status_code == 302
    committee_a[0].refresh_from_db()
    assert committee_a[0].discipline == "warning"


def test_the_branch_self_assesses_on_the_page(client_for, alice, assessment_a, committee_a):
    client = client_for(alice)
    client.post(reverse("standards:prefill", args=[assessment_a.pk]))
    page = client.get(reverse("standards:assessment", args=[assessment_a.pk]))
    assert page.status_code == 200 and "每月召开一次支委会" in page.content.decode()
    rows = list(AssessmentItem.objects.filter(assessment=assessment_a).select_related("item"))
    data = {"column": "self"}
    for row in rows:
        data[f"score_{row.pk}"] = str(row.item.points)
        data[f"reason_{row.pk}"] = ""
    response = client.post(reverse("standards:scores", args=[assessment_a.pk]), data)
    assert response.status_code == 400 and "请说明理由" in response.content.decode()
    for row in rows:
        data[f"reason_{row.pk}"] = "有纸质台账"
    assert client.post(reverse("standards:scores", args=[assessment_a.pk]), data).status_code == 302
    assessment_a.refresh_from_db()
    assert assessment_a.self_total == Decimal(100)


def test_examiners_see_differences_and_the_api_flow(api_for, alice, rita, cora, assessment_a, committee_a,
                                                      client_for):
    api = api_for(alice)
    detail = api.post(f"/api/v1/standards/assessments/{assessment_a.pk}/prefill/").json()
    scores = [{"item": row["id"], "score": row["points"], "reason": "有纸质台账"} for row in detail["items"]]
    assert api.post(f"/api/v1/standards/assessments/{assessment_a.pk}/self-scores/", {"scores": scores},
                    format="json").status_code == 200
    no_funds = next(v for v in detail["vetoes"] if v["key"] == "no_funds")
    assert api.post(f"/api/v1/standards/assessments/{assessment_a.pk}/submit/", {}, format="json").status_code == 409
    assert api.post(f"/api/v1/standards/assessments/{assessment_a.pk}/veto-declare/",
                    {"veto": no_funds["id"], "found": True}, format="json").status_code == 200
    assert api.post(f"/api/v1/standards/assessments/{assessment_a.pk}/submit/", {}, format="json").status_code == 200
    # the branch may not examine itself
    assert api.post(f"/api/v1/standards/assessments/{assessment_a.pk}/report/", {}, format="json").status_code == 403
    examiner = api_for(rita)
    assert [r["id"] for r in examiner.get("/api/v1/standards/assessments/queue/").json()["results"]] == [assessment_a.pk]
    assert examiner.post(f"/api/v1/standards/assessments/{assessment_a.pk}/return/", {"opinion": ""},
                         format="json").status_code == 400
    review = [{"item": row["id"], "score": row["points"]} for row in detail["items"]]
    review[0] = {**review[0], "score": "0", "note": "职数不全"}
    assert examiner.post(f"/api/v1/standards/assessments/{assessment_a.pk}/review-scores/", {"scores": review},
                         format="json").status_code == 200
    page = client_for(alice).get(reverse("standards:assessment", args=[assessment_a.pk])).content.decode()
    assert "与自评不同" in page and "职数不全" in page
    assert examiner.post(f"/api/v1/standards/assessments/{assessment_a.pk}/report/", {"opinion": "ok"},
                         format="json").status_code == 200
    county = api_for(cora)
    result = county.post(f"/api/v1/standards/assessments/{assessment_a.pk}/rate/", {}, format="json").json()
    assert result["status"] == AssessmentStatus.RATED and result["vetoed"] is True and result["passed"] is False


def test_county_table_and_pages_take_bounded_queries(client_for, cora, alice, rita, round_, town, county,
                                                     django_assert_max_num_queries):
    def add_branches(n):
        for i in range(n):
            branch = make_org(town, f"新建{i}支部", f"C01T01N{len(round_.assessments.all())}{i}",
                              OrganizationKind.BRANCH)
            services.assessment_add(acting_user=cora, round_=round_, organization=branch)

    client = client_for(cora)
    url = reverse("standards:round", args=[round_.pk])
    client.get(url)
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200
    add_branches(6)
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200
    api = "/api/v1/standards/assessments/"
    with django_assert_max_num_queries(12):
        assert client.get(api).status_code == 200
    assessment = round_.assessments.first()
    with django_assert_max_num_queries(25):
        assert client.get(reverse("standards:assessment", args=[assessment.pk])).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(reverse("standards:queue")).status_code == 200


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is installed by make test")
def test_pdf_of_the_filled_table(client_for, alice, rita, assessment_a, committee_a, tmp_path):
    self_score_all(alice, assessment_a, total_minus=Decimal("1.5"))
    declare_funds(alice, assessment_a)
    services.assessment_submit(acting_user=alice, assessment=assessment_a)
    review_score_all(rita, assessment_a, minus=Decimal(4))
    response = client_for(alice).get(reverse("standards:pdf", args=[assessment_a.pk]))
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "checklist.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,  # noqa: S603,S607
                          check=True).stdout
    compact = "".join(text.split())
    for phrase in ("武进区党支部规范化建设考核细则", "东街社区党支部", "考核项目", "考核要求", "考核标准", "自评分", "考核分",
                   "组织设置合理", "每月召开一次支委会", "党支部书记缺职", "98.5", "96"):
        assert phrase in compact, phrase
    artifacts = Path(__file__).resolve().parents[3] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "standards-checklist.pdf").write_bytes(response.content)


def test_branch_page_badge_and_eligibility_page(client_for, alice, rita, cora, assessment_a, committee_a, branch_a):
    from datetime import timedelta

    from audit.publicity.services import publicity_tick

    self_score_all(alice, assessment_a)
    declare_funds(alice, assessment_a)
    services.assessment_submit(acting_user=alice, assessment=assessment_a)
    review_score_all(rita, assessment_a)
    services.committee_report(acting_user=rita, assessment=assessment_a, opinion="")
    services.county_rate(acting_user=cora, assessment=assessment_a)
    client = client_for(alice)
    assert "规范化建设考核合格（公示中）" in client.get(reverse("branches:detail", args=[branch_a.pk])).content.decode()
    eligibility = reverse("standards:eligibility") + f"?organization={branch_a.pk}&year=2025"
    assert "不能参加区级以上评先评优" in client.get(eligibility).content.decode()
    day = assessment_a.publicity.ends_on + timedelta(days=1)
    publicity_tick(today=day)
    services.standards_tick(today=day)
    assert "2025年度规范化建设合格支部" in client.get(reverse("branches:detail", args=[branch_a.pk])).content.decode()
    assert "具备参加区级以上评先评优的资格" in client.get(eligibility).content.decode()
    api = f"/api/v1/standards/assessments/qualified/?organization={branch_a.pk}&year=2025"
    assert client.get(api).json()["qualified"] is True


def test_county_loads_its_own_template_by_upload(client_for, cora, county, alice):
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    from branches.standards.templates_data import WUJIN_2016

    data = {**WUJIN_2016, "code": "ceshi-2026", "name": "测试县党支部规范化建设考核细则"}
    upload = SimpleUploadedFile("t.json", json.dumps(data, ensure_ascii=False).encode(), "application/json")
    response = client_for(cora).post(reverse("standards:templates"), {"county": county.pk, "file": upload})
    assert response.status_code == 302
    page = client_for(cora).get(reverse("standards:templates")).content.decode()
    assert "测试县党支部规范化建设考核细则" in page
    # a branch secretary may not load one
    upload.seek(0)
    assert client_for(alice).post(reverse("standards:templates"), {"county": county.pk, "file": upload}
                                  ).status_code == 403


PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_evidence_file_upload_is_checked_and_served_in_scope(client_for, alice, charlie, rita, assessment_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    item = assessment_a.items.select_related("item").first().item
    client = client_for(alice)
    url = reverse("standards:evidence_add", args=[assessment_a.pk])
    fake = SimpleUploadedFile("plan.pdf", b"MZ not a pdf", "application/pdf")
    client.post(url, {"target": f"item:{item.pk}", "title": "学习计划", "file": fake})
    assert not Evidence.objects.exists()
    good = SimpleUploadedFile("plan.pdf", PDF_BYTES, "application/pdf")
    assert client.post(url, {"target": f"item:{item.pk}", "title": "学习计划", "file": good}).status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.file_type == "pdf" and "plan" not in evidence.file.name
    download = reverse("standards:evidence", args=[evidence.pk])
    assert b"".join(client.get(download).streaming_content) == PDF_BYTES
    assert client_for(rita).get(download).status_code == 200
    assert client_for(charlie).get(download).status_code == 404


def test_county_opens_a_round_by_page_and_api(client_for, api_for, cora, rita, county, branch_a, branch_b):
    from branches.standards.models import AssessmentRound

    template = services.builtin_template()
    response = client_for(cora).post(reverse("standards:round_create"), {
        "county": county.pk, "year": 2026, "template": template.pk, "submit_by": "2026-12-31"})
    assert response.status_code == 302
    round_ = AssessmentRound.objects.get(county=county, year=2026)
    assert round_.assessments.count() == 2 and round_.template == template
    # a township reviewer does not see the county department: 404
    assert api_for(rita).post("/api/v1/standards/rounds/", {
        "county": county.pk, "year": 2027, "template": template.pk, "submit_by": "2027-12-31"},
        format="json").status_code == 404
    created = api_for(cora).post("/api/v1/standards/rounds/", {
        "county": county.pk, "year": 2027, "template": template.pk, "submit_by": "2027-12-31"}, format="json")
    assert created.status_code == 201
    again = api_for(cora).post("/api/v1/standards/rounds/", {
        "county": county.pk, "year": 2027, "template": template.pk, "submit_by": "2027-12-31"}, format="json")
    assert again.status_code == 409


def test_api_evidence_and_rectification(api_for, alice, rita, cora, charlie, assessment_a, committee_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    api = api_for(alice)
    base = f"/api/v1/standards/assessments/{assessment_a.pk}/"
    upload = SimpleUploadedFile("budget.pdf", PDF_BYTES, "application/pdf")
    response = api.post(base + "evidence/", {"veto": "no_funds", "title": "经费预算", "file": upload},
                        format="multipart")
    assert response.status_code == 200
    assert [e["veto"] for e in response.json()["evidence"]] == ["no_funds"]
    assert api.post(base + "evidence/", {"title": "无对应"}, format="multipart").status_code == 400
    assert api_for(charlie).post(base + "evidence/", {"veto": "no_funds", "title": "x", "url": "/"},
                                 format="multipart").status_code == 404
    self_score_all(alice, assessment_a)
    declare_funds(alice, assessment_a)
    services.assessment_submit(acting_user=alice, assessment=assessment_a)
    review_score_all(rita, assessment_a, minus=Decimal(30))
    services.committee_report(acting_user=rita, assessment=assessment_a, opinion="")
    services.county_rate(acting_user=cora, assessment=assessment_a)
    detail = api.get(base).json()
    assert detail["passed"] is False and detail["rectification"]["status"] == "open"
    done = api.post(base + "rectification/", {"report": "已完成整改"}, format="json").json()
    assert done["rectification"]["status"] == "done"
