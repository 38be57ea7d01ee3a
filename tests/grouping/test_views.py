"""Pages: the cycle, the township view, a group's ledger (masked, audited reveal), the leader's phone
entry, the member's own post; PDFs and Excel laid out like seed 000's 附件1–3; outsiders get 404."""

import subprocess
from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import Event
from grouping import services
from grouping.models import Placement
from partyadmin.crypto import mask_phone

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,  # noqa: S603, S607
                          check=True).stdout.replace(" ", "")  # headings are letter-spaced


@pytest.fixture
def entry(grouped, members, leo):
    hygiene = grouped.posts.order_by("order").first()
    return services.entry_record(acting_user=leo, post=hygiene, activity_on=date(2026, 11, 3),
                                 participant_ids=[members[2].pk, members[3].pk], content="清理村口垃圾",
                                 outcome="清运垃圾两车", today=TODAY)


def test_cycle_page_shows_plan_gaps_and_missing_groups(client_for, alice, grouped, members,
                                                        django_assert_max_num_queries):
    client = client_for(alice)
    with django_assert_max_num_queries(30):
        response = client.get(reverse("grouping:cycle", args=[grouped.pk]) + "?month=2026-11")
    text = response.content.decode()
    assert response.status_code == 200
    assert "本月尚未更新台账的编组" in text and "邻里纠纷调解岗组" in text
    assert "张书记" in text  # an office holder, listed as not taking part


def test_group_page_masks_and_reveal_is_audited(client_for, alice, grouped, members, entry):
    hygiene = grouped.posts.order_by("order").first()
    client = client_for(alice)
    phone = members[3].person.phone
    text = client.get(reverse("grouping:group", args=[hygiene.pk]) + "?month=2026-11").content.decode()
    assert phone not in text and mask_phone(phone) in text and "清理村口垃圾" in text
    response = client.post(reverse("grouping:group_reveal", args=[hygiene.pk]))
    assert phone in response.content.decode()
    assert Event.objects.filter(action="grouping.ledger_reveal", actor=alice).count() == 1


def test_reviewer_sees_masked_and_cannot_reveal(client_for, rita, grouped, members):
    hygiene = grouped.posts.order_by("order").first()
    client = client_for(rita)
    text = client.get(reverse("grouping:group", args=[hygiene.pk])).content.decode()
    assert members[3].person.phone not in text and "显示完整信息" not in text
    assert client.post(reverse("grouping:group_reveal", args=[hygiene.pk])).status_code == 403
    assert client.get(reverse("grouping:ledger_doc", args=[grouped.pk, "pdf"]) + "?full=1").status_code == 403


def test_leader_enters_from_the_phone_form(client_for, leo, grouped, members):
    hygiene, mediation = list(grouped.posts.order_by("order"))
    client = client_for(leo)
    assert client.get(reverse("grouping:entry_new", args=[hygiene.pk])).status_code == 200
    response = client.post(reverse("grouping:entry_new", args=[hygiene.pk]), {
        "activity_on": "2026-11-03", "participants": [members[2].pk], "content": "巡查河道", "outcome": "清理垃圾"})
    assert response.status_code == 302
    assert client.get(reverse("grouping:entry_new", args=[mediation.pk])).status_code == 404
    assert client.get(reverse("grouping:cycle", args=[grouped.pk])).status_code == 404
    text = client.get(reverse("grouping:mine")).content.decode()
    assert "环境卫生监督岗" in text


def test_entry_form_shows_rule_errors(client_for, alice, grouped, members):
    hygiene = grouped.posts.order_by("order").first()
    response = client_for(alice).post(reverse("grouping:entry_new", args=[hygiene.pk]), {
        "activity_on": "2099-01-03", "participants": [members[2].pk], "content": "巡查"})
    assert response.status_code == 400 and "活动时间不能晚于今天" in response.content.decode()


def test_cadre_signs_on_the_group_page(client_for, bob, grouped, entry):
    client = client_for(bob)
    client.post(reverse("grouping:entry_sign", args=[entry.pk]))
    entry.refresh_from_db()
    assert entry.cadre_signed_at is not None


def test_township_page_lists_every_village(client_for, rita, grouped, branch_b, django_assert_max_num_queries):
    client = client_for(rita)
    with django_assert_max_num_queries(12):
        text = client.get(reverse("grouping:township")).content.decode()
    assert "东街社区党支部" in text and "西街社区党支部" in text and "未开始" in text


def test_documents_carry_the_seed_layout(client_for, alice, grouped, members, entry, tmp_path):
    client = client_for(alice)
    hygiene = grouped.posts.order_by("order").first()
    text = _pdf_text(client.get(reverse("grouping:post_list_doc", args=[grouped.pk, "pdf"])).content, tmp_path)
    assert "无职党员岗位清单" in text and "环境卫生监督岗" in text and "职责任务" in text
    text = _pdf_text(client.get(reverse("grouping:ledger_doc", args=[grouped.pk, "pdf"])).content, tmp_path)
    for label in ("无职党员定岗编组台账", "编组名称", "出生年月", "入党时间", "联系方式", "服务承诺", "详细住址",
                  "包组干部", "李委员"):
        assert label in text, label
    assert members[3].person.phone not in text and mask_phone(members[3].person.phone) in text
    text = _pdf_text(client.get(reverse("grouping:performance_doc", args=[hygiene.pk, "pdf"]) + "?month=2026-11")
                     .content, tmp_path)
    for label in ("无职党员履岗记实台账", "活动时间", "参与党员", "履岗内容", "取得成效", "清理村口垃圾", "组长签字",
                  "包组干部签字", "2026年11月"):
        assert label in text, label
    full = _pdf_text(client.get(reverse("grouping:ledger_doc", args=[grouped.pk, "pdf"]) + "?full=1").content,
                     tmp_path)
    assert members[3].person.phone in full
    assert Event.objects.filter(action="grouping.ledger_reveal").count() == 1


def test_excel_documents(client_for, alice, grouped, members, entry):
    client = client_for(alice)
    book = load_workbook(BytesIO(client.get(reverse("grouping:ledger_doc", args=[grouped.pk, "xlsx"])).content))
    values = [c for row in book.active.iter_rows(values_only=True) for c in row if c]
    assert "无职党员定岗编组台账" in values and "详细住址" in values and members[3].person.phone not in values
    hygiene = grouped.posts.order_by("order").first()
    book = load_workbook(BytesIO(client.get(reverse("grouping:performance_doc", args=[hygiene.pk, "xlsx"])
                                            + "?month=2026-11").content))
    values = [c for row in book.active.iter_rows(values_only=True) for c in row if c]
    assert "清理村口垃圾" in values and "活动时间" in values
    book = load_workbook(BytesIO(client.get(reverse("grouping:post_list_doc", args=[grouped.pk, "xlsx"])).content))
    assert "环境卫生监督岗" in [c for row in book.active.iter_rows(values_only=True) for c in row if c]


@pytest.mark.parametrize("who", ["charlie", "oscar"])
def test_outsiders_get_404_on_every_page(client_for, request, grouped, entry, who):
    client = client_for(request.getfixturevalue(who))
    post = grouped.posts.first()
    photo_pk = 999999
    for url in (reverse("grouping:cycle", args=[grouped.pk]), reverse("grouping:group", args=[post.pk]),
                reverse("grouping:entry_new", args=[post.pk]),
                reverse("grouping:post_list_doc", args=[grouped.pk, "pdf"]),
                reverse("grouping:ledger_doc", args=[grouped.pk, "xlsx"]),
                reverse("grouping:performance_doc", args=[post.pk, "pdf"]), reverse("grouping:photo", args=[photo_pk])):
        assert client.get(url).status_code == 404, url
    for url in (reverse("grouping:group_reveal", args=[post.pk]), reverse("grouping:entry_sign", args=[entry.pk]),
                reverse("grouping:entry_new", args=[post.pk])):
        assert client.post(url, {}).status_code == 404, url


def test_index_lists_only_own_lists(client_for, charlie, alice, grouped):
    assert "东街社区党支部" in client_for(alice).get(reverse("grouping:index")).content.decode()
    text = client_for(charlie).get(reverse("grouping:index")).content.decode()
    assert "东街社区党支部" not in text


def test_rendered_documents_as_images(client_for, alice, grouped, entry, tmp_path):
    """The three forms rendered to PNG under test-artifacts/ for a look."""
    import os
    from pathlib import Path

    artifacts = Path(os.environ.get("ARTIFACTS_DIR", "test-artifacts"))
    artifacts.mkdir(parents=True, exist_ok=True)
    client = client_for(alice)
    hygiene = grouped.posts.order_by("order").first()
    for name, url in (("grouping-post-list", reverse("grouping:post_list_doc", args=[grouped.pk, "pdf"])),
                      ("grouping-group-ledger", reverse("grouping:ledger_doc", args=[grouped.pk, "pdf"])),
                      ("grouping-performance", reverse("grouping:performance_doc", args=[hygiene.pk, "pdf"])
                       + "?month=2026-11")):
        pdf = tmp_path / f"{name}.pdf"
        pdf.write_bytes(client.get(url).content)
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(artifacts / name)],  # noqa: S603, S607
                       check=True)
        assert list(artifacts.glob(f"{name}*.png"))


def test_secretary_runs_the_cycle_from_the_page(client_for, alice, post_list, members, leo):
    client = client_for(alice)

    def act(action, data=None):
        return client.post(reverse("grouping:cycle_action", args=[post_list.pk, action]), data or {}, follow=True)

    assert "岗位已增设" in act("add_post", {"name": "治安巡逻岗", "duties": "参与巡逻"}).content.decode()
    assert "岗位清单已在党员大会上公布" in act("publish", {"on": "2026-03-05"}).content.decode()
    post = post_list.posts.get(name="治安巡逻岗")
    assert "认岗已登记" in act("claim", {"post": post.pk, "member": members[2].pk}).content.decode()
    text = act("claim", {"post": post.pk, "member": members[1].pk}).content.decode()
    assert "选择一个有效的选项" in text or "有职党员" in text  # office holders are not offered
    act("draft")
    assert "岗位已确认" in act("confirm", {"member": members[2].pk, "opinion": "同意"}).content.decode()
    assert Placement.objects.get(member=members[2]).opinion == "同意"
    text = act("group", {"post": post.pk, "leader": members[2].pk, "cadre": members[1].pk}).content.decode()
    assert "编组已保存" in text
    placement = Placement.objects.get(post=post)
    assert "履岗承诺书已登记" in act("commitment", {"placement": placement.pk, "commitment": "守护平安",
                                                   "signed_on": "2026-03-20"}).content.decode()
    text = act("file").content.decode()
    assert "还没有确认定岗的党员" in text  # the two suggested posts have nobody yet


def test_reviewer_cannot_act_and_outsider_gets_404(client_for, rita, charlie, grouped):
    assert client_for(rita).post(reverse("grouping:cycle_action", args=[grouped.pk, "file"])).status_code == 403
    assert client_for(charlie).post(reverse("grouping:cycle_action", args=[grouped.pk, "file"])).status_code == 404


def test_member_claims_a_post_on_the_phone_page(client_for, leo, published, members):
    client = client_for(leo)
    post = published.posts.order_by("order").first()
    assert "认领岗位" in client.get(reverse("grouping:mine")).content.decode()
    response = client.post(reverse("grouping:claim", args=[post.pk]), follow=True)
    assert "已认领" in response.content.decode()
    assert post.claims.filter(member=members[2]).exists()


def test_member_of_another_branch_cannot_claim(client_for, published, branch_b):
    from branches import services as org_services
    from branches.scoping import Role
    from tests.conftest import make_user
    from tests.membership.factories import MemberFactory

    user = make_user("mia")
    org_services.grant_role(acting_user=None, user=user, organization=branch_b, role=Role.MEMBER)
    MemberFactory(organization=branch_b, person__user=user)
    post = published.posts.first()
    assert client_for(user).post(reverse("grouping:claim", args=[post.pk])).status_code == 404


def test_group_page_queries_do_not_grow_with_entries(client_for, alice, grouped, members,
                                                      django_assert_max_num_queries):
    hygiene = grouped.posts.order_by("order").first()
    for day in range(1, 9):
        services.entry_record(acting_user=alice, post=hygiene, activity_on=date(2026, 11, day),
                              participant_ids=[members[2].pk, members[3].pk, members[4].pk], content=f"巡查{day}",
                              today=TODAY)
    client = client_for(alice)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("grouping:group", args=[hygiene.pk]) + "?month=2026-11")
    assert response.content.decode().count('class="card mb-2 entry"') == 8


def test_review_evaluation_and_training_from_the_page(client_for, alice, grouped, members):
    client = client_for(alice)
    hygiene = grouped.posts.order_by("order").first()

    def act(action, data):
        return client.post(reverse("grouping:cycle_action", args=[grouped.pk, action]), data, follow=True)

    assert "培训记录已登记" in act("training", {"member": members[3].pk, "held_on": "2026-04-01", "kind": "theory",
                                               "topic": "党章学习"}).content.decode()
    assert "半年总结点评已登记" in act("review", {"post": hygiene.pk, "half": 1, "summary": "按月巡查",
                                                 "comment": "成效明显", "reviewed_on": "2026-07-02"}).content.decode()
    text = act("evaluation", {"member": members[3].pk, "report": "全年履岗", "grade": "优秀",
                              "evaluated_on": "2026-11-09"}).content.decode()
    assert "履岗考评已登记" in text and "全年履岗" in text
