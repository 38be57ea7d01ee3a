"""Meeting pages: 404 outside on every page, the record form with its prefilled attendee table, htmx attendance,
photos through the scope check, the compliance page in bounded queries, the member's own page."""

from datetime import date
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from branches.meetings.models import Meeting
from branches.meetings.rules import AttendanceStatus, MeetingType
from branches.models import OrganizationKind
from tests.conftest import make_org
from tests.membership.factories import MemberFactory

from .factories import all_present, jpeg_with_gps, record, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(alice, branch_a, members):
    return record(branch_a, MeetingType.GENERAL_MEETING, date(2024, 3, 12), acting_user=alice,
                  attendance=all_present(members), topic="学习党章第一章", photos=[upload(jpeg_with_gps())])


def page_urls(meeting) -> list[tuple[str, str]]:
    photo = meeting.photos.get()
    return [
        ("get", reverse("meetings:detail", args=[meeting.pk])),
        ("get", reverse("meetings:edit", args=[meeting.pk])),
        ("post", reverse("meetings:edit", args=[meeting.pk])),
        ("post", reverse("meetings:attendance", args=[meeting.pk])),
        ("post", reverse("meetings:void", args=[meeting.pk])),
        ("post", reverse("meetings:photo_add", args=[meeting.pk])),
        ("get", reverse("meetings:photo", args=[photo.pk])),
        ("post", reverse("meetings:photo_remove", args=[photo.pk])),
        ("get", reverse("meetings:calendar", args=[meeting.branch_id])),
        ("get", reverse("meetings:attendees") + f"?organization={meeting.organization_id}&type=general_meeting"),
        ("get", reverse("audit:history", args=["meetings.meeting", meeting.pk])),
        ("get", f"/api/v1/meetings/{meeting.pk}/"),
        ("get", f"/api/v1/meetings/{meeting.pk}/attendance/"),
        ("post", f"/api/v1/meetings/{meeting.pk}/attendance/"),
    ]


# --- isolation -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("outsider", ["charlie", "oscar", "mary"])
def test_outsiders_get_404_on_every_page_and_endpoint(request, client_for, meeting, outsider):
    client = client_for(request.getfixturevalue(outsider))
    for method, url in page_urls(meeting):
        response = getattr(client, method)(url)
        assert response.status_code == 404, (outsider, method, url, response.status_code)
    assert Meeting.objects.get(pk=meeting.pk).status == "recorded"


@pytest.mark.parametrize("outsider", ["charlie", "oscar"])
def test_outsiders_never_see_the_meeting_in_lists(request, client_for, meeting, outsider):
    client = client_for(request.getfixturevalue(outsider))
    for url in (reverse("meetings:list"), reverse("meetings:compliance"), "/api/v1/meetings/"):
        body = client.get(url, follow=True).content.decode()
        assert meeting.topic not in body and "东街社区党支部" not in body, (outsider, url)


@pytest.mark.parametrize("insider", ["alice", "bob", "rita"])
def test_officers_and_the_township_reviewer_read_every_page(request, client_for, meeting, insider):
    client = client_for(request.getfixturevalue(insider))
    for name, args in (("meetings:detail", [meeting.pk]), ("meetings:calendar", [meeting.branch_id]),
                       ("meetings:list", []), ("meetings:compliance", [])):
        assert client.get(reverse(name, args=args)).status_code == 200, (insider, name)
    assert client.get(reverse("meetings:photo", args=[meeting.photos.get().pk])).status_code == 200
    assert client.get(reverse("audit:history", args=["meetings.meeting", meeting.pk])).status_code == 200


def test_reviewer_reads_but_may_not_change(client_for, rita, meeting):
    client = client_for(rita)
    assert "保存出勤" not in client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert client.get(reverse("meetings:edit", args=[meeting.pk])).status_code == 403
    assert client.post(reverse("meetings:void", args=[meeting.pk]), {"reason": "x"}).status_code == 403
    assert client.get(reverse("meetings:create")).status_code == 404


# --- record form -----------------------------------------------------------------------------------------


def test_record_form_prefills_the_committee_for_a_committee_meeting(client_for, alice, branch_a, committee, members):
    url = reverse("meetings:create") + f"?organization={branch_a.pk}&type=committee_meeting"
    body = client_for(alice).get(url).content.decode()
    assert "张建国" in body and "王志强" in body
    assert "李秀英" not in body and "刘海燕" not in body


def test_attendee_table_reloads_for_the_chosen_party_group(client_for, alice, group, members):
    url = reverse("meetings:attendees") + f"?organization={group.pk}&type=group_meeting"
    response = client_for(alice).get(url, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "张建国" in body and "李秀英" in body and "王志强" not in body
    assert f'name="attendance_{members[0].pk}"' in body


def test_attendee_table_explains_a_wrong_organization_for_the_type(client_for, alice, branch_a, members):
    url = reverse("meetings:attendees") + f"?organization={branch_a.pk}&type=group_meeting"
    assert "党小组会须选择召开会议的党小组" in client_for(alice).get(url).content.decode()


def test_recording_through_the_form_saves_attendance_and_photos(client_for, alice, branch_a, members):
    data = {
        "organization": branch_a.pk, "type": "party_lecture", "held_on": "2024-03-12", "topic": "学习新党章",
        "place": "党员活动室", "host_member": members[0].pk, "minutes": "书记讲党课",
        **{f"attendance_{m.pk}": AttendanceStatus.PRESENT for m in members},
        f"attendance_{members[3].pk}": AttendanceStatus.ABSENT, f"note_{members[3].pk}": "未请假",
        "photos": [upload(jpeg_with_gps(), "a.jpg"), upload(jpeg_with_gps(), "b.jpg")],
    }
    response = client_for(alice).post(reverse("meetings:create"), data)
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response.url == reverse("meetings:detail", args=[meeting.pk])
    assert meeting.host_member == members[0] and meeting.photos.count() == 2
    assert meeting.attendance.get(member=members[3]).note == "未请假"
    assert meeting.attendance.filter(status=AttendanceStatus.PRESENT).count() == 3


def test_record_form_shows_the_foreign_member_refusal(client_for, alice, branch_a, members, member_b):
    data = {"organization": branch_a.pk, "type": "general_meeting", "held_on": "2024-03-12", "topic": "支部大会",
            f"attendance_{member_b.pk}": "present"}
    response = client_for(alice).post(reverse("meetings:create"), data)
    assert response.status_code == 400
    assert "不在本次会议的应到人员名单内" in response.content.decode()
    assert "欧阳外支" not in response.content.decode()
    assert not Meeting.objects.exists()


def test_record_form_refuses_a_non_image_photo(client_for, alice, branch_a):
    data = {"organization": branch_a.pk, "type": "theme_day", "held_on": "2024-03-12", "topic": "主题党日",
            "photos": [upload(b"MZ\x90\x00 not a photo", "photo.jpg")]}
    response = client_for(alice).post(reverse("meetings:create"), data)
    assert response.status_code == 400
    assert "不是 JPEG 或 PNG 图片" in response.content.decode()
    assert not Meeting.objects.exists()


def test_record_form_refuses_an_organization_outside_scope(client_for, alice, branch_b):
    data = {"organization": branch_b.pk, "type": "general_meeting", "held_on": "2024-03-12", "topic": "x"}
    response = client_for(alice).post(reverse("meetings:create"), data)
    assert response.status_code == 400
    assert not Meeting.objects.exists()
    assert client_for(alice).get(reverse("meetings:attendees") + f"?organization={branch_b.pk}").status_code == 404


# --- detail: attendance, photos, edit, void --------------------------------------------------------------


def test_attendance_is_saved_inline_with_htmx(client_for, bob, meeting, members):
    response = client_for(bob).post(reverse("meetings:attendance", args=[meeting.pk]),
                                    {f"attendance_{members[1].pk}": "leave_official", f"note_{members[1].pk}": "出差"},
                                    HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "出勤情况已保存" in response.content.decode()
    assert "<html" not in response.content.decode()
    row = meeting.attendance.get(member=members[1])
    assert (row.status, row.note) == ("leave_official", "出差")


def test_photo_is_served_only_through_the_view_without_exif(client_for, rita, meeting):
    response = client_for(rita).get(reverse("meetings:photo", args=[meeting.photos.get().pk]))
    content = b"".join(response.streaming_content)
    assert response["Content-Type"] == "image/jpeg" and response["X-Content-Type-Options"] == "nosniff"
    assert len(Image.open(BytesIO(content)).getexif()) == 0
    assert "/media/" not in client_for(rita).get(reverse("meetings:detail", args=[meeting.pk])).content.decode()


def test_photo_upload_on_the_detail_page(client_for, alice, meeting):
    response = client_for(alice).post(reverse("meetings:photo_add", args=[meeting.pk]),
                                      {"photos": [upload(jpeg_with_gps())], "caption": "会场"})
    assert response.status_code == 302
    assert meeting.photos.filter(caption="会场").exists()


def test_edit_and_void_through_the_pages(client_for, alice, meeting):
    client = client_for(alice)
    response = client.post(reverse("meetings:edit", args=[meeting.pk]),
                           {"held_on": "2024-03-12", "topic": "学习党章总纲", "place": "村部"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.topic, meeting.place) == ("学习党章总纲", "村部")
    client.post(reverse("meetings:void", args=[meeting.pk]), {"reason": "类型录错"})
    meeting.refresh_from_db()
    assert meeting.is_voided
    assert meeting.topic not in client.get(reverse("meetings:list")).content.decode()


# --- lists and compliance in bounded queries ------------------------------------------------------------


def test_list_page_queries_are_bounded(client_for, alice, branch_a, members, django_assert_max_num_queries):
    for day in range(1, 13):
        record(branch_a, MeetingType.THEME_DAY, date(2024, 3, day), attendance=all_present(members))
    client = client_for(alice)
    client.get(reverse("meetings:list"))
    with django_assert_max_num_queries(16):
        response = client.get(reverse("meetings:list"))
    assert response.status_code == 200
    assert "当前应开会议" in response.content.decode()


def _branch(town, n: int):
    branch = make_org(town, f"第{n}党支部", f"C01T01X{n:02d}", OrganizationKind.BRANCH)
    group = make_org(branch, f"第{n}党小组", f"C01T01X{n:02d}G", OrganizationKind.PARTY_GROUP)
    member = MemberFactory(organization=branch, party_group=group)
    record(branch, MeetingType.GENERAL_MEETING, date(2024, 2, 1), attendance={member.pk: "present"})
    record(group, MeetingType.GROUP_MEETING, date(2024, 2, 2), attendance={member.pk: "present"})
    return branch


def test_compliance_page_takes_the_same_queries_for_two_or_eight_branches(client_for, rita, town,
                                                                          django_assert_max_num_queries):
    client = client_for(rita)
    url = reverse("meetings:compliance") + "?period=2024-Q1"
    for n in (1, 2):
        _branch(town, n)
    client.get(url)
    with CaptureQueriesContext(connection) as two:
        client.get(url)
    for n in range(3, 9):
        _branch(town, n)
    with django_assert_max_num_queries(len(two)):
        response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "第8党支部" in body and "chart-overdue" in body and "城关镇党委" in body


def test_compliance_page_filters_by_township_and_overdue(client_for, rita, town, branch_a):
    _branch(town, 1)
    client = client_for(rita)
    body = client.get(reverse("meetings:compliance"), {"period": "2024-Q1", "township": town.pk,
                                                       "overdue_only": "on"}).content.decode()
    assert "第1党支部" in body and "东街社区党支部" in body
    other = client.get(reverse("meetings:compliance"), {"period": "2024-Q1", "township": 999999}).content.decode()
    assert "没有符合条件的党支部" in other


# --- the member's own page ------------------------------------------------------------------------------


def test_member_sees_her_own_attendance_only(client_for, mary, member_a, branch_a, members):
    record(branch_a, MeetingType.GENERAL_MEETING, date(2024, 3, 12),
           attendance={member_a.pk: AttendanceStatus.LEAVE_PRIVATE, members[0].pk: AttendanceStatus.PRESENT},
           topic="支部党员大会：评议")
    client = client_for(mary)
    assert client.get(reverse("meetings:list")).url == reverse("meetings:mine")
    body = client.get(reverse("meetings:mine")).content.decode()
    assert "支部党员大会：评议" in body and "因私请假" in body
    assert "张建国" not in body


def test_officer_without_a_member_record_has_no_own_page(client_for, alice):
    assert client_for(alice).get(reverse("meetings:mine")).status_code == 404
