"""`/api/v1/meetings/`: list, detail, create, attendance — same services and scoping as the pages."""

from datetime import date

import pytest

from branches.meetings.models import Meeting
from branches.meetings.rules import AttendanceStatus, MeetingType
from partyadmin.workdays import china_today

from .factories import all_present, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(alice, branch_a, members):
    return record(branch_a, MeetingType.GENERAL_MEETING, date(2024, 3, 12), acting_user=alice,
                  attendance=all_present(members), topic="学习党章")


def _payload(organization, members, **extra) -> dict:
    return {
        "organization": organization.pk, "type": "general_meeting", "held_on": str(china_today()), "topic": "支部党员大会",
        "attendance": [{"member": m.pk, "status": "present"} for m in members], **extra,
    }


def test_list_shows_meetings_in_scope_with_counts(api_for, rita, meeting, branch_b, django_assert_max_num_queries):
    record(branch_b, MeetingType.PARTY_LECTURE, date(2024, 3, 1))
    with django_assert_max_num_queries(6):
        response = api_for(rita).get("/api/v1/meetings/", {"organization": meeting.branch_id})
    [row] = response.json()["results"]
    assert (row["id"], row["type"], row["present_count"], row["attendee_count"]) == (meeting.pk, "general_meeting", 4, 4)


def test_list_filters_by_type_and_date(api_for, alice, meeting, branch_a):
    record(branch_a, MeetingType.PARTY_LECTURE, date(2024, 3, 1))
    api = api_for(alice)
    assert [r["type"] for r in api.get("/api/v1/meetings/", {"type": "party_lecture"}).json()["results"]] == ["party_lecture"]
    assert api.get("/api/v1/meetings/", {"held_after": "2024-03-05"}).json()["count"] == 1


def test_foreign_organization_filter_is_refused_not_probed(api_for, charlie, meeting):
    response = api_for(charlie).get("/api/v1/meetings/", {"organization": meeting.branch_id})
    assert response.status_code == 400


def test_detail_has_attendance_and_photo_links(api_for, bob, meeting, members):
    data = api_for(bob).get(f"/api/v1/meetings/{meeting.pk}/").json()
    assert {a["member"] for a in data["attendance"]} == {m.pk for m in members}
    assert data["attendance"][0]["status_display"] == "出席"
    assert data["photos"] == []


@pytest.mark.parametrize("outsider", ["charlie", "oscar"])
def test_outsiders_get_404(request, api_for, meeting, outsider):
    api = api_for(request.getfixturevalue(outsider))
    assert api.get(f"/api/v1/meetings/{meeting.pk}/").status_code == 404
    assert api.get(f"/api/v1/meetings/{meeting.pk}/attendance/").status_code == 404
    assert api.post(f"/api/v1/meetings/{meeting.pk}/attendance/", {"attendance": []}, format="json").status_code == 404
    assert api.get("/api/v1/meetings/").json()["count"] == 0


def test_create_records_a_meeting_with_attendance(api_for, alice, branch_a, members):
    response = api_for(alice).post("/api/v1/meetings/", _payload(branch_a, members, host_member=members[0].pk),
                                   format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["host_name"] == "张建国" and len(body["attendance"]) == 4 and body["is_late"] is False


def test_create_for_an_organization_outside_scope_is_404(api_for, charlie, branch_a, members):
    response = api_for(charlie).post("/api/v1/meetings/", _payload(branch_a, members), format="json")
    assert response.status_code == 404
    assert not Meeting.objects.exists()


def test_create_by_a_reader_is_404_for_want_of_the_change_scope(api_for, rita, branch_a, members):
    assert api_for(rita).post("/api/v1/meetings/", _payload(branch_a, members), format="json").status_code == 404


def test_create_with_a_foreign_member_is_409(api_for, alice, branch_a, members, member_b):
    response = api_for(alice).post("/api/v1/meetings/", _payload(branch_a, [*members, member_b]), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "attendance.foreign_member"


def test_create_with_bad_input_is_400_with_field_messages(api_for, alice, branch_a, members, member_b):
    api = api_for(alice)
    bad_status = _payload(branch_a, members)
    bad_status["attendance"][0]["status"] = "late"
    assert "attendance" in api.post("/api/v1/meetings/", bad_status, format="json").json()
    twice = _payload(branch_a, [members[0], members[0]])
    assert api.post("/api/v1/meetings/", twice, format="json").status_code == 400
    foreign_host = api.post("/api/v1/meetings/", _payload(branch_a, members, host_member=member_b.pk), format="json")
    assert foreign_host.status_code == 400 and "host_member" in foreign_host.json()


def test_create_late_under_the_refusing_policy_is_409(api_for, alice, town, branch_a, members):
    from branches import services as org_services
    from branches.meetings import policies

    org_services.policy_set(acting_user=None, organization=town, key=policies.REFUSE_LATE_ENTRY, value=True)
    response = api_for(alice).post("/api/v1/meetings/", _payload(branch_a, members, held_on="2024-01-05"), format="json")
    assert response.status_code == 409 and response.json()["code"] == "meeting.late_refused"


def test_attendance_is_read_and_set(api_for, bob, meeting, members):
    api = api_for(bob)
    response = api.post(f"/api/v1/meetings/{meeting.pk}/attendance/",
                        {"attendance": [{"member": members[2].pk, "status": "leave_official", "note": "出差"}]},
                        format="json")
    assert response.status_code == 200
    assert {r["member"]: r["status"] for r in response.json()}[members[2].pk] == AttendanceStatus.LEAVE_OFFICIAL
    assert len(api.get(f"/api/v1/meetings/{meeting.pk}/attendance/").json()) == 4


def test_reviewer_reads_attendance_but_may_not_set_it(api_for, rita, meeting, members):
    api = api_for(rita)
    assert api.get(f"/api/v1/meetings/{meeting.pk}/attendance/").status_code == 200
    response = api.post(f"/api/v1/meetings/{meeting.pk}/attendance/",
                        {"attendance": [{"member": members[0].pk, "status": "absent"}]}, format="json")
    assert response.status_code == 403
