"""Publicity pages: who sees which notice, the forms, the objection flow, bounded queries, 404 outside."""

from datetime import date

import pytest
from django.urls import reverse

from audit.publicity import services
from audit.publicity.models import Channel, Finding, Objection, ObjectionStatus, PublicityWindow, WindowStatus

from .factories import TODAY, open_window

pytestmark = pytest.mark.django_db


@pytest.fixture
def window(branch_a, alice, frozen_today):
    return open_window(branch_a, acting_user=alice, names=("张伟", "李娜"))


@pytest.fixture
def objection(window, mona):
    return services.objection_file(acting_user=mona, window=window, content="该同志长期不参加组织生活。", today=TODAY)


def page_urls(window, objection) -> list[tuple[str, str]]:
    return [
        ("get", reverse("audit:publicity:detail", args=[window.pk])),
        ("get", reverse("audit:publicity:pdf", args=[window.pk])),
        ("get", reverse("audit:publicity:objection_file", args=[window.pk])),
        ("post", reverse("audit:publicity:objection_file", args=[window.pk])),
        ("get", reverse("audit:publicity:objection_record", args=[window.pk])),
        ("post", reverse("audit:publicity:objection_record", args=[window.pk])),
        ("get", reverse("audit:publicity:objection_list") + f"?window={window.pk}"),
        ("get", reverse("audit:publicity:objection_detail", args=[objection.pk])),
        ("post", reverse("audit:publicity:objection_investigate", args=[objection.pk])),
        ("post", reverse("audit:publicity:objection_conclude", args=[objection.pk])),
        ("get", reverse("audit:history", args=["publicity.publicitywindow", window.pk])),
    ]


# --- isolation -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("outsider", ["charlie", "oscar", "mike"])
def test_outsiders_get_404_on_every_page(request, client_for, window, objection, outsider):
    client = client_for(request.getfixturevalue(outsider))
    for method, url in page_urls(window, objection):
        response = getattr(client, method)(url)
        assert response.status_code == 404, (outsider, method, url, response.status_code)


@pytest.mark.parametrize("outsider", ["charlie", "oscar", "mike"])
def test_outsiders_never_see_the_notice_in_lists(request, client_for, window, objection, outsider):
    client = client_for(request.getfixturevalue(outsider))
    for url in (reverse("audit:publicity:list"), reverse("audit:publicity:objection_list")):
        body = client.get(url).content.decode()
        assert window.title not in body and "李娜" not in body, (outsider, url)


def test_members_do_not_see_scheduled_notices(client_for, branch_a, alice, mona, frozen_today):
    scheduled = open_window(branch_a, acting_user=alice, starts_on=date(2024, 9, 30), title="下周发布的公示")
    client = client_for(mona)
    assert client.get(reverse("audit:publicity:detail", args=[scheduled.pk])).status_code == 404
    assert "下周发布的公示" not in client.get(reverse("audit:publicity:list")).content.decode()
    assert "下周发布的公示" in client_for(alice).get(reverse("audit:publicity:list")).content.decode()


def test_reviewer_above_sees_the_notice_and_objections_but_may_not_handle_them(client_for, rita, window, objection):
    client = client_for(rita)
    assert client.get(reverse("audit:publicity:detail", args=[window.pk])).status_code == 200
    assert client.get(reverse("audit:publicity:objection_detail", args=[objection.pk])).status_code == 200
    response = client.post(reverse("audit:publicity:objection_conclude", args=[objection.pk]),
                           {"finding": Finding.SUBSTANTIVE, "investigation": "属实。"})
    assert response.status_code == 403
    assert client.get(reverse("audit:publicity:objection_record", args=[window.pk])).status_code == 403


def test_member_sees_open_and_closed_notices_of_her_branch(client_for, mona, window):
    body = client_for(mona).get(reverse("audit:publicity:list")).content.decode()
    assert window.title in body and "公示中" in body
    PublicityWindow.objects.filter(pk=window.pk).update(status=WindowStatus.CLOSED)
    body = client_for(mona).get(reverse("audit:publicity:list")).content.decode()
    assert window.title in body and "已结束" in body


def test_member_cannot_open_a_notice(client_for, mona):
    assert client_for(mona).get(reverse("audit:publicity:create")).status_code == 404


# --- notice page ----------------------------------------------------------------------------------------


def test_notice_page_shows_the_table_dates_and_contact(client_for, mona, window):
    body = client_for(mona).get(reverse("audit:publicity:detail", args=[window.pk])).content.decode()
    assert "张伟" in body and "李娜" in body and "大学本科" in body
    assert "2024年9月27日至2024年10月9日" in body and "0391-2345678" in body
    assert "提出异议" in body


def test_objection_button_only_for_members_in_scope_while_open(client_for, alice, mona, window):
    assert reverse("audit:publicity:objection_file", args=[window.pk]) not in client_for(alice).get(
        reverse("audit:publicity:detail", args=[window.pk])).content.decode()
    PublicityWindow.objects.filter(pk=window.pk).update(status=WindowStatus.CLOSED)
    assert reverse("audit:publicity:objection_file", args=[window.pk]) not in client_for(mona).get(
        reverse("audit:publicity:detail", args=[window.pk])).content.decode()


def test_list_queries_are_bounded(client_for, branch_a, alice, mona, frozen_today, django_assert_max_num_queries):
    for n in range(15):
        window = open_window(branch_a, acting_user=alice, title=f"公示{n}", names=("张伟", "李娜"))
        services.objection_file(acting_user=mona, window=window, content="有异议。", today=TODAY)
    client = client_for(alice)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("audit:publicity:list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("audit:publicity:objection_list")).status_code == 200


def test_notice_page_queries_are_bounded(client_for, branch_a, alice, mona, frozen_today,
                                         django_assert_max_num_queries):
    window = open_window(branch_a, acting_user=alice, names=tuple(f"党员{n}" for n in range(30)))
    for _ in range(5):
        services.objection_file(acting_user=mona, window=window, content="有异议。", today=TODAY)
    client = client_for(alice)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("audit:publicity:detail", args=[window.pk])).status_code == 200


# --- opening a notice -----------------------------------------------------------------------------------


def form_data(branch, **overrides) -> dict:
    data = {
        "organization": branch.pk, "title": "关于季度积分排名的公示", "kind": "scoring.quarter_ranking",
        "scope": ["branch_members"], "starts_on": "2024-09-27", "contact": "王老师 0391-2345678",
        "results_label": "季度积分",
        "entries-TOTAL_FORMS": "3", "entries-INITIAL_FORMS": "0", "entries-MIN_NUM_FORMS": "0",
        "entries-MAX_NUM_FORMS": "50",
        "entries-0-name": "张伟", "entries-0-gender": "男", "entries-0-age": "35", "entries-0-results": "96",
        "entries-1-name": "李娜", "entries-1-gender": "女", "entries-1-results": "91",
    }
    data.update(overrides)
    return data


def test_secretary_opens_an_ad_hoc_notice(client_for, alice, branch_a, frozen_today):
    response = client_for(alice).post(reverse("audit:publicity:create"), form_data(branch_a))
    window = PublicityWindow.objects.get()
    assert response.status_code == 302 and response.url == reverse("audit:publicity:detail", args=[window.pk])
    assert (window.status, window.ends_on, window.opened_by) == (WindowStatus.OPEN, date(2024, 10, 9), alice)
    assert [e.snapshot for e in window.entries.order_by("order")] == [
        {"name": "张伟", "gender": "男", "age": 35, "results": "96"}, {"name": "李娜", "gender": "女", "results": "91"},
    ]
    assert window.columns == [["name", "姓名"], ["gender", "性别"], ["age", "年龄"], ["results", "季度积分"]]


def test_a_phone_number_in_the_form_is_refused_with_a_message(client_for, alice, branch_a, frozen_today):
    response = client_for(alice).post(reverse("audit:publicity:create"),
                                      form_data(branch_a, **{"entries-1-position": "13812345678"}))
    assert response.status_code == 200
    assert "不能公示" in response.content.decode() and "第2个公示对象" in response.content.decode()
    assert not PublicityWindow.objects.exists()


def test_an_empty_notice_is_refused(client_for, alice, branch_a, frozen_today):
    data = form_data(branch_a, **{"entries-0-name": "", "entries-0-gender": "", "entries-0-age": "",
                                  "entries-0-results": "", "entries-1-name": "", "entries-1-gender": "",
                                  "entries-1-results": ""})
    response = client_for(alice).post(reverse("audit:publicity:create"), data)
    assert "请至少填写一个公示对象" in response.content.decode()


def test_secretary_cannot_open_a_notice_for_another_branch(client_for, charlie, branch_a, frozen_today):
    response = client_for(charlie).post(reverse("audit:publicity:create"), form_data(branch_a))
    assert response.status_code == 200 and not PublicityWindow.objects.exists()


# --- objections -----------------------------------------------------------------------------------------


def test_member_files_an_objection_from_her_phone(client_for, mona, window):
    entry = window.entries.get(order=2)
    response = client_for(mona).post(reverse("audit:publicity:objection_file", args=[window.pk]),
                                     {"entry": entry.pk, "content": "该同志长期不参加组织生活。"})
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert (objection.filed_by, objection.entry) == (mona, entry)
    body = client_for(mona).get(reverse("audit:publicity:detail", args=[window.pk])).content.decode()
    assert "我提出的异议" in body and "长期不参加组织生活" in body


def test_objection_form_after_close_is_refused(client_for, mona, window):
    PublicityWindow.objects.filter(pk=window.pk).update(status=WindowStatus.CLOSED)
    client = client_for(mona)
    assert client.get(reverse("audit:publicity:objection_file", args=[window.pk])).status_code == 302
    response = client.post(reverse("audit:publicity:objection_file", args=[window.pk]), {"content": "有异议。"})
    assert response.status_code == 200 and "不在公示期内" in response.content.decode()
    assert not Objection.objects.exists()


def test_secretary_records_an_anonymous_letter(client_for, alice, window):
    response = client_for(alice).post(reverse("audit:publicity:objection_record", args=[window.pk]), {
        "channel": Channel.PAPER, "received_on": "2024-09-27", "anonymous": "on", "content": "匿名来信反映问题。",
    })
    objection = Objection.objects.get()
    assert response.status_code == 302
    assert (objection.recorded_by, objection.is_anonymous, objection.channel) == (alice, True, Channel.PAPER)


def test_secretary_concludes_an_objection_as_substantive(client_for, alice, window, objection):
    client = client_for(alice)
    client.post(reverse("audit:publicity:objection_investigate", args=[objection.pk]), {"investigation": "已走访。"})
    response = client.post(reverse("audit:publicity:objection_conclude", args=[objection.pk]),
                           {"finding": Finding.SUBSTANTIVE, "investigation": "经走访核实，情况属实。"})
    assert response.status_code == 302
    objection.refresh_from_db()
    window.refresh_from_db()
    assert objection.status == ObjectionStatus.CONCLUDED
    assert window.status == WindowStatus.TERMINATED  # the objection named the whole window
    assert "已终止" in client.get(reverse("audit:publicity:detail", args=[window.pk])).content.decode()


def test_conclusion_without_investigation_shows_the_form_again(client_for, alice, objection):
    response = client_for(alice).post(reverse("audit:publicity:objection_conclude", args=[objection.pk]),
                                      {"finding": Finding.NOT_SUBSTANTIVE, "investigation": ""})
    assert response.status_code == 400
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.RECEIVED


def test_anonymous_filer_is_never_shown(client_for, alice, mona, window):
    services.objection_file(acting_user=mona, window=window, content="匿名反映。", anonymous=True, today=TODAY)
    objection = Objection.objects.get()
    body = client_for(alice).get(reverse("audit:publicity:objection_detail", args=[objection.pk])).content.decode()
    assert "匿名" in body and "mona" not in body


def test_member_reads_her_own_objection_but_not_the_investigation(client_for, alice, mona, objection):
    services.objection_conclude(acting_user=alice, objection=objection, finding=Finding.NOT_SUBSTANTIVE,
                                investigation="内部核实细节。")
    body = client_for(mona).get(reverse("audit:publicity:objection_detail", args=[objection.pk])).content.decode()
    assert "非实质性问题" in body and "内部核实细节" not in body


def test_another_member_of_the_branch_cannot_read_her_objection(client_for, branch_a, objection):
    from branches import services as org_services
    from branches.scoping import Role
    from tests.conftest import make_user

    max_ = make_user("max")
    org_services.grant_role(acting_user=None, user=max_, organization=branch_a, role=Role.MEMBER)
    assert client_for(max_).get(reverse("audit:publicity:objection_detail", args=[objection.pk])).status_code == 404


# --- PDF ----------------------------------------------------------------------------------------------------


def test_notice_pdf_is_served(client_for, mona, window):
    response = client_for(mona).get(reverse("audit:publicity:pdf", args=[window.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
