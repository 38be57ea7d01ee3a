"""Filing pages: owner / reviewer / outsider, the queue, decide and return forms, uploads, downloads,
the dashboard's bounded queries."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.filings import services
from audit.filings.models import Filing, FilingKind, FilingMaterial, FilingStatus
from audit.models import Event
from branches.models import OrganizationKind
from partyadmin.workdays import china_today
from tests.conftest import make_org

from .factories import EXE_BYTES, PDF_BYTES, PNG_BYTES, pdf, upload

pytestmark = pytest.mark.django_db


def object_pages(filing: Filing) -> list[tuple[str, str]]:
    material = filing.materials.first()
    return [
        ("get", reverse("audit:filings:detail", args=[filing.pk])),
        ("post", reverse("audit:filings:decide", args=[filing.pk])),
        ("post", reverse("audit:filings:withdraw", args=[filing.pk])),
        ("post", reverse("audit:filings:extend", args=[filing.pk])),
        ("get", reverse("audit:filings:resubmit", args=[filing.pk])),
        ("post", reverse("audit:filings:resubmit", args=[filing.pk])),
        ("get", reverse("audit:filings:material", args=[material.pk])),
        ("get", reverse("audit:history", args=["filings.filing", filing.pk])),
    ]


# --- isolation ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("outsider", ["charlie", "oscar"])
def test_outsider_gets_404_on_every_filing_page(request, client_for, filing, outsider):
    client = client_for(request.getfixturevalue(outsider))
    for method, url in object_pages(filing):
        response = getattr(client, method)(url)
        assert response.status_code == 404, (outsider, method, url)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.PENDING


@pytest.mark.parametrize("outsider", ["charlie", "oscar"])
def test_outsider_lists_and_dashboard_never_show_the_filing(request, client_for, filing, outsider):
    client = client_for(request.getfixturevalue(outsider))
    for name in ("queue", "sent", "dashboard"):
        response = client.get(reverse(f"audit:filings:{name}"), {"status": ""})
        assert response.status_code == 200
        assert filing.title not in response.content.decode()
        assert "东街社区党支部" not in response.content.decode()


def test_outsider_filter_by_a_foreign_branch_shows_nothing(client_for, filing, charlie, branch_a):
    response = client_for(charlie).get(reverse("audit:filings:sent"), {"organization": branch_a.pk})
    assert filing.title not in response.content.decode()


def test_missing_and_foreign_filings_answer_alike(client_for, filing, charlie):
    client = client_for(charlie)
    foreign = client.get(reverse("audit:filings:detail", args=[filing.pk]))
    missing = client.get(reverse("audit:filings:detail", args=[filing.pk + 1000]))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content


def test_sender_and_receiver_see_the_filing(client_for, filing, alice, bob, rita):
    for user in (alice, bob, rita):
        response = client_for(user).get(reverse("audit:filings:detail", args=[filing.pk]))
        assert response.status_code == 200
        assert filing.title in response.content.decode()


# --- queue and lists ----------------------------------------------------------------------------------------

def test_reviewer_queue_shows_pending_filings_overdue_first(client_for, alice, branch_a, rita):
    today = china_today()
    fresh = services.filing_submit(acting_user=alice, from_organization=branch_a, kind=FilingKind.RECORD,
                                   subject_type="t", subject_id="1", subject_label="甲", title="新近报送", today=today)
    late = services.filing_submit(acting_user=alice, from_organization=branch_a, kind=FilingKind.RECORD,
                                  subject_type="t", subject_id="2", subject_label="乙", title="早已超期",
                                  today=today - timedelta(days=90))
    content = client_for(rita).get(reverse("audit:filings:queue")).content.decode()
    assert content.index(late.title) < content.index(fresh.title)
    assert "已超期" in content and "待我办理" in content


def test_queue_filters_by_kind(client_for, alice, branch_a, rita):
    record = services.filing_submit(acting_user=alice, from_organization=branch_a, kind=FilingKind.RECORD,
                                    subject_type="t", subject_id="1", subject_label="甲", title="备案甲")
    approve = services.filing_submit(acting_user=alice, from_organization=branch_a, kind=FilingKind.APPROVE,
                                     subject_type="t", subject_id="2", subject_label="乙", title="审批乙")
    content = client_for(rita).get(reverse("audit:filings:queue"), {"kind": "approve"}).content.decode()
    assert approve.title in content and record.title not in content


def test_queue_filters_by_township_and_branch(client_for, alice, charlie, branch_a, branch_b, rita, town):
    a = services.filing_submit(acting_user=alice, from_organization=branch_a, kind=FilingKind.RECORD,
                               subject_type="t", subject_id="1", subject_label="甲", title="东街报送")
    b = services.filing_submit(acting_user=charlie, from_organization=branch_b, kind=FilingKind.RECORD,
                               subject_type="t", subject_id="2", subject_label="乙", title="西街报送")
    client = client_for(rita)
    content = client.get(reverse("audit:filings:queue"), {"organization": branch_b.pk}).content.decode()
    assert b.title in content and a.title not in content
    content = client.get(reverse("audit:filings:queue"), {"township": town.pk}).content.decode()
    assert a.title in content and b.title in content


def test_branch_sees_its_filings_in_sent_not_in_queue(client_for, filing, alice):
    client = client_for(alice)
    assert filing.title in client.get(reverse("audit:filings:sent")).content.decode()
    assert filing.title not in client.get(reverse("audit:filings:queue")).content.decode()


def test_queue_queries_are_bounded(client_for, alice, branch_a, rita, django_assert_max_num_queries):
    for n in range(25):
        services.filing_submit(acting_user=alice, from_organization=branch_a, kind=FilingKind.RECORD,
                               subject_type="t", subject_id=str(n), subject_label=f"事项{n}", title=f"报送{n}")
    client = client_for(rita)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("audit:filings:queue"))
    assert response.status_code == 200


def test_htmx_filter_returns_the_table_only(client_for, filing, rita):
    response = client_for(rita).get(reverse("audit:filings:queue"), HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert filing.title in content and "<html" not in content


# --- submit ---------------------------------------------------------------------------------------------

def test_branch_secretary_submits_with_materials(client_for, alice, branch_a, town, media_root):
    response = client_for(alice).post(reverse("audit:filings:create"), {
        "from_organization": branch_a.pk, "kind": "record", "title": "岗位清单备案", "note": "一编三定",
        "materials": [pdf("岗位清单.pdf"), upload("合影.png", PNG_BYTES)],
    })
    filing = Filing.objects.get()
    assert response.status_code == 302 and response.url == reverse("audit:filings:detail", args=[filing.pk])
    assert filing.to_organization == town and filing.subject_type == "branches.organization"
    assert sorted(filing.materials.values_list("file_type", flat=True)) == ["pdf", "png"]


@pytest.mark.parametrize(("name", "content"), [("备案报告.pdf", PNG_BYTES), ("备案报告.pdf", EXE_BYTES),
                                               ("setup.exe", EXE_BYTES)])
def test_upload_of_a_disallowed_file_shows_a_chinese_message_and_writes_nothing(client_for, alice, branch_a,
                                                                                 media_root, name, content):
    client = client_for(alice)
    events = Event.objects.count()
    response = client.post(reverse("audit:filings:create"), {
        "from_organization": branch_a.pk, "kind": "record", "title": "备案", "materials": [upload(name, content)],
    })
    assert response.status_code == 200
    body = response.content.decode()
    assert "只能上传 PDF、JPEG、PNG、DOCX、XLSX" in body or "扩展名与文件内容" in body
    assert not Filing.objects.exists() and not FilingMaterial.objects.exists()
    assert Event.objects.count() == events
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


def test_submit_from_a_foreign_branch_is_refused(client_for, charlie, branch_a):
    response = client_for(charlie).post(reverse("audit:filings:create"), {
        "from_organization": branch_a.pk, "kind": "record", "title": "冒名报送",
    })
    assert response.status_code == 200
    assert not Filing.objects.exists()


def test_reviewer_without_a_branch_role_cannot_open_the_submit_form(client_for, rita):
    assert client_for(rita).get(reverse("audit:filings:create")).status_code == 403


# --- decide, return, resubmit, withdraw -------------------------------------------------------------------

def test_reviewer_approves_on_the_detail_page(client_for, filing, rita):
    response = client_for(rita).post(reverse("audit:filings:decide", args=[filing.pk]),
                                     {"decision": "approve", "opinion": "同意备案"})
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.status == FilingStatus.APPROVED


def test_return_without_opinion_shows_the_message_and_changes_nothing(client_for, filing, rita):
    response = client_for(rita).post(reverse("audit:filings:decide", args=[filing.pk]), {"decision": "return"})
    assert response.status_code == 200
    assert "退回时必须填写意见。" in response.content.decode()
    filing.refresh_from_db()
    assert filing.status == FilingStatus.PENDING


def test_the_submitter_cannot_decide_its_own_filing(client_for, filing, alice):
    response = client_for(alice).post(reverse("audit:filings:decide", args=[filing.pk]), {"decision": "approve"})
    assert response.status_code == 403
    filing.refresh_from_db()
    assert filing.status == FilingStatus.PENDING


def test_the_decide_form_is_shown_to_the_reviewer_only(client_for, filing, alice, rita):
    assert "提交办理结果" in client_for(rita).get(reverse("audit:filings:detail", args=[filing.pk])).content.decode()
    assert "提交办理结果" not in client_for(alice).get(reverse("audit:filings:detail", args=[filing.pk])).content.decode()


def test_the_reviewer_cannot_withdraw(client_for, filing, rita):
    assert client_for(rita).post(reverse("audit:filings:withdraw", args=[filing.pk])).status_code == 403


def test_return_then_resubmit_through_the_pages(client_for, filing, rita, alice):
    client_for(rita).post(reverse("audit:filings:decide", args=[filing.pk]),
                          {"decision": "return", "opinion": "请补充推优情况"})
    client = client_for(alice)
    page = client.get(reverse("audit:filings:detail", args=[filing.pk])).content.decode()
    assert "请补充推优情况" in page and "重新报送" in page
    response = client.post(reverse("audit:filings:resubmit", args=[filing.pk]),
                           {"note": "已补充", "materials": [pdf("推优情况.pdf")]})
    assert response.status_code == 302
    filing.refresh_from_db()
    assert (filing.status, filing.revision) == (FilingStatus.PENDING, 2)
    page = client.get(reverse("audit:filings:detail", args=[filing.pk])).content.decode()
    assert "第1次" in page and "第2次" in page and "请补充推优情况" in page


def test_reviewer_extends_an_approval_on_the_page(client_for, alice, branch_a, rita):
    filing = services.filing_submit(acting_user=alice, from_organization=branch_a, kind=FilingKind.APPROVE,
                                    subject_type="t", subject_id="1", subject_label="甲", title="审批甲",
                                    today=date(2024, 1, 31))
    client = client_for(rita)
    refused = client.post(reverse("audit:filings:extend", args=[filing.pk]), {"until": "2024-08-01", "reason": "特殊"})
    assert "六个月" in refused.content.decode()
    client.post(reverse("audit:filings:extend", args=[filing.pk]), {"until": "2024-07-31", "reason": "特殊"})
    filing.refresh_from_db()
    assert filing.extended_until == date(2024, 7, 31)


# --- downloads ----------------------------------------------------------------------------------------------

def test_material_download_for_sender_and_receiver_is_audited(client_for, filing, alice, rita):
    material = filing.materials.get()
    for user in (alice, rita):
        response = client_for(user).get(reverse("audit:filings:material", args=[material.pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF_BYTES
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
    assert Event.objects.filter(action="filing.material_download", subject_id=str(filing.pk)).count() == 2


def test_material_download_by_outsider_is_404_and_not_audited(client_for, filing, charlie):
    material = filing.materials.get()
    assert client_for(charlie).get(reverse("audit:filings:material", args=[material.pk])).status_code == 404
    assert not Event.objects.filter(action="filing.material_download").exists()


def test_materials_are_not_served_from_a_media_url(client, filing, alice):
    client.force_login(alice)
    name = filing.materials.get().file.name
    assert client.get(f"/media/{name}").status_code == 404
    assert client.get(f"/static/{name}").status_code == 404


# --- dashboard ------------------------------------------------------------------------------------------------

def _filings_in_two_townships(county, alice, branch_a, count: int) -> None:
    other_town = make_org(county, "北关镇党委", "C01T02", OrganizationKind.COMMITTEE, can_approve_admission=True)
    other_branch = make_org(other_town, "北关一支部", "C01T02B01", OrganizationKind.BRANCH)
    today = china_today()
    for n in range(count):
        origin = branch_a if n % 2 else other_branch
        services.filing_submit(acting_user=alice, from_organization=origin, kind=FilingKind.RECORD,
                               subject_type="t", subject_id=str(n), subject_label=f"事项{n}", title=f"报送{n}",
                               today=today - timedelta(days=60 * (n % 3)))


@pytest.fixture
def county_reviewer(county):
    from branches import services as org_services
    from branches.scoping import Role
    from tests.conftest import make_user

    user = make_user("cora")
    org_services.grant_role(acting_user=None, user=user, organization=county, role=Role.REVIEWER)
    return user


def test_dashboard_counts_by_status_and_township(client_for, county, alice, branch_a, county_reviewer):
    _filings_in_two_townships(county, alice, branch_a, 6)
    response = client_for(county_reviewer).get(reverse("audit:filings:dashboard"))
    board = response.context["board"]
    assert board.totals[FilingStatus.PENDING] == 6
    assert {row.name: row.total for row in board.townships} == {"城关镇党委": 3, "北关镇党委": 3}
    assert board.overdue == 4  # submitted 60 or 120 days ago: past one month
    assert response.context["chart"]["labels"] == ["城关镇党委", "北关镇党委"]
    assert "echarts.min.js" in response.content.decode()


def test_dashboard_average_time_to_decision(client_for, filing, rita):
    services.filing_decide(acting_user=rita, filing=filing, decision="approve", opinion="")
    board = client_for(rita).get(reverse("audit:filings:dashboard")).context["board"]
    assert board.decided_rounds == 1 and board.average_days is not None and board.average_days >= 0


def test_dashboard_queries_do_not_grow_with_rows(client_for, county, alice, branch_a, county_reviewer,
                                                 django_assert_max_num_queries):
    _filings_in_two_townships(county, alice, branch_a, 4)
    client = client_for(county_reviewer)
    client.get(reverse("audit:filings:dashboard"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("audit:filings:dashboard"))
    for n in range(4, 30):
        services.filing_submit(acting_user=alice, from_organization=branch_a, kind=FilingKind.RECORD,
                               subject_type="t", subject_id=f"x{n}", subject_label="事项", title=f"更多{n}",
                               today=china_today() - timedelta(days=45))
    with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as many:
        client.get(reverse("audit:filings:dashboard"))
    assert len(many) == len(few)


def test_dashboard_is_404_without_any_scope(client_for, db):
    from tests.conftest import make_user

    assert client_for(make_user("nobody")).get(reverse("audit:filings:dashboard")).status_code == 404


def test_queue_shows_pending_by_default_and_everything_on_request(client_for, filing, rita, alice, branch_a):
    decided = services.filing_submit(acting_user=alice, from_organization=branch_a, kind=FilingKind.RECORD,
                                     subject_type="t", subject_id="2", subject_label="乙", title="已办结的报送")
    services.filing_decide(acting_user=rita, filing=decided, decision="approve", opinion="")
    client = client_for(rita)
    for params in ({}, {"page": "1"}, {"kind": ""}):
        content = client.get(reverse("audit:filings:queue"), params).content.decode()
        assert filing.title in content and decided.title not in content, params
    content = client.get(reverse("audit:filings:queue"), {"status": ""}).content.decode()
    assert filing.title in content and decided.title in content


@pytest.mark.parametrize("outsider", ["alice", "bob", "charlie", "rita", "oscar"])
def test_a_county_filing_to_the_city_is_404_for_everyone_below_or_beside(request, client_for, outsider):
    city = make_org(None, "焦作市委组织部", "M01", OrganizationKind.MUNICIPAL_DEPT)
    county = make_org(city, "修武县委组织部", "M01C01", OrganizationKind.COUNTY_DEPT)
    filing = services.filing_submit(acting_user=None, from_organization=county, kind=FilingKind.RECORD,
                                    subject_type="t", subject_id="1", subject_label="年度发展党员计划",
                                    title="县委组织部年度计划备案")
    client = client_for(request.getfixturevalue(outsider))
    assert client.get(reverse("audit:filings:detail", args=[filing.pk])).status_code == 404
    assert filing.title not in client.get(reverse("audit:filings:sent"), {"status": ""}).content.decode()


def test_reviewer_reads_the_filing_history(client_for, filing, rita):
    response = client_for(rita).get(reverse("audit:history", args=["filings.filing", filing.pk]))
    assert response.status_code == 200 and "filing.submit" in response.content.decode()
