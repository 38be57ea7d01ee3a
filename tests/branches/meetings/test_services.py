"""Meeting services: record with the prefilled attendee lists, refusals, late entry and its policy, updates,
attendance, voiding, photos stripped of EXIF; every write audited and atomic."""

from datetime import date
from io import BytesIO

import pytest
from PIL import Image

from audit.models import Event
from branches import services as org_services
from branches.meetings import policies, selectors, services
from branches.meetings.models import Attendance, Meeting, MeetingPhoto
from branches.meetings.rules import AttendanceStatus, MeetingType
from partyadmin.errors import RuleViolation
from tests.membership.factories import MemberFactory

from .factories import TODAY, all_present, jpeg_with_gps, png_with_text, record, upload

pytestmark = pytest.mark.django_db

BRANCH_WIDE = [MeetingType.GENERAL_MEETING, MeetingType.PARTY_LECTURE, MeetingType.ORG_LIFE_MEETING,
               MeetingType.THEME_DAY, MeetingType.DEMOCRATIC_EVALUATION]


# --- attendee lists by type ------------------------------------------------------------------------------


@pytest.mark.parametrize("meeting_type", BRANCH_WIDE)
def test_branch_wide_meetings_list_every_active_member_of_the_branch(branch_a, members, member_b, meeting_type):
    MemberFactory(organization=branch_a, is_active=False, person__name="已出党")
    listed = selectors.expected_attendees(organization=branch_a, meeting_type=meeting_type)
    assert {m.pk for m in listed} == {m.pk for m in members}


def test_committee_meeting_lists_the_sitting_committee_only(branch_a, committee, members):
    """seed 004 二(三)1: "支委会一般每个月召开一次,负责领导和处理支部日常工作" — the committee's own meeting."""
    listed = selectors.expected_attendees(organization=branch_a, meeting_type=MeetingType.COMMITTEE_MEETING)
    assert {m.pk for m in listed} == {m.pk for m in committee}  # the seat that ended is left out


def test_group_meeting_lists_the_members_of_that_party_group(group, members):
    """seed 004 二(三)1: "党小组会一般每月召开一次" — the group's members."""
    listed = selectors.expected_attendees(organization=group, meeting_type=MeetingType.GROUP_MEETING)
    assert [m.person.name for m in listed] == ["张建国", "李秀英"]


def test_record_form_rows_are_prefilled_as_present_with_committee_posts(branch_a, committee):
    rows = selectors.attendee_rows(organization=branch_a, meeting_type=MeetingType.COMMITTEE_MEETING)
    assert {(r.member.person.name, r.post, r.status) for r in rows} == {
        ("张建国", "书记", AttendanceStatus.PRESENT), ("王志强", "组织委员", AttendanceStatus.PRESENT),
    }


# --- record ----------------------------------------------------------------------------------------------


def test_recording_a_meeting_writes_its_attendance_and_one_audit_event(alice, branch_a, members):
    before = Event.objects.count()
    statuses = all_present(members) | {members[3].pk: AttendanceStatus.LEAVE_PRIVATE}
    meeting = record(branch_a, MeetingType.GENERAL_MEETING, date(2024, 3, 12), acting_user=alice, attendance=statuses,
                     notes={members[3].pk: "外出务工"}, place="党员活动室", recorder_name="王志强")
    assert meeting.branch == branch_a and meeting.county == branch_a.county
    assert dict(meeting.attendance.values_list("member_id", "status")) == statuses
    assert meeting.attendance.get(member=members[3]).note == "外出务工"
    assert meeting.entered_by == alice and meeting.entered_on == TODAY and not meeting.is_late
    event = Event.objects.latest("pk")
    assert Event.objects.count() == before + 1
    assert (event.action, event.subject_type, event.subject_id) == ("meeting.record", "meetings.meeting", str(meeting.pk))
    assert event.changes["attendance"][1] == {"出席": 3, "因私请假": 1}


def test_foreign_member_is_refused_and_nothing_is_written(alice, branch_a, members, member_b):
    with pytest.raises(RuleViolation) as error:
        record(branch_a, MeetingType.GENERAL_MEETING, date(2024, 3, 12), acting_user=alice,
               attendance=all_present(members) | {member_b.pk: AttendanceStatus.PRESENT})
    assert error.value.code == "attendance.foreign_member"
    assert not Meeting.objects.exists() and not Attendance.objects.exists()


def test_a_member_off_the_committee_cannot_attend_a_committee_meeting(alice, branch_a, committee, members):
    with pytest.raises(RuleViolation) as error:
        record(branch_a, MeetingType.COMMITTEE_MEETING, date(2024, 3, 12), acting_user=alice,
               attendance={members[1].pk: AttendanceStatus.PRESENT})
    assert error.value.code == "attendance.foreign_member"


def test_group_meeting_is_recorded_on_the_group_and_counts_for_its_branch(alice, branch_a, group, members):
    meeting = record(group, MeetingType.GROUP_MEETING, date(2024, 3, 12), acting_user=alice,
                     attendance=all_present(members[:2]))
    assert (meeting.organization, meeting.branch) == (group, branch_a)


def test_group_meeting_on_the_branch_itself_is_refused(alice, branch_a, members):
    with pytest.raises(RuleViolation) as error:
        record(branch_a, MeetingType.GROUP_MEETING, date(2024, 3, 12), acting_user=alice)
    assert error.value.code == "meeting.group_needs_group"


def test_meeting_dated_after_today_is_refused(alice, branch_a):
    with pytest.raises(RuleViolation) as error:
        record(branch_a, MeetingType.GENERAL_MEETING, date(2024, 3, 16), acting_user=alice)
    assert error.value.code == "meeting.future"


def test_host_must_be_a_member_of_the_branch(alice, branch_a, members, member_b):
    with pytest.raises(RuleViolation) as error:
        record(branch_a, MeetingType.PARTY_LECTURE, date(2024, 3, 12), acting_user=alice, host_member=member_b)
    assert error.value.field == "host_member"
    meeting = record(branch_a, MeetingType.PARTY_LECTURE, date(2024, 3, 12), acting_user=alice, host_member=members[0])
    assert meeting.host_name == "张建国"


# --- late entry ------------------------------------------------------------------------------------------


def test_meeting_entered_more_than_seven_days_late_is_recorded_and_marked_late(alice, branch_a):
    late = record(branch_a, MeetingType.GENERAL_MEETING, date(2024, 3, 7), acting_user=alice)
    on_time = record(branch_a, MeetingType.PARTY_LECTURE, date(2024, 3, 8), acting_user=alice)
    assert late.is_late and not on_time.is_late
    assert Event.objects.filter(action="meeting.record", subject_id=str(late.pk)).get().changes["is_late"] == [None, True]


def test_refuse_outright_policy_on_the_township_refuses_a_late_entry_in_its_branches(alice, town, branch_a):
    """DESIGN §3.3: "some provincial platforms refuse it outright" — a tenant policy, set above the branch."""
    org_services.policy_set(acting_user=None, organization=town, key=policies.REFUSE_LATE_ENTRY, value=True)
    with pytest.raises(RuleViolation) as error:
        record(branch_a, MeetingType.GENERAL_MEETING, date(2024, 3, 1), acting_user=alice)
    assert error.value.code == "meeting.late_refused"
    assert record(branch_a, MeetingType.GENERAL_MEETING, date(2024, 3, 10), acting_user=alice).pk


def test_late_entry_days_follow_the_branch_policy(alice, branch_a):
    org_services.policy_set(acting_user=None, organization=branch_a, key=policies.LATE_ENTRY_DAYS, value=30)
    assert not record(branch_a, MeetingType.GENERAL_MEETING, date(2024, 3, 1), acting_user=alice).is_late


def test_bad_policy_values_are_refused(branch_a):
    with pytest.raises(RuleViolation):
        org_services.policy_set(acting_user=None, organization=branch_a, key=policies.MEETING_FREQUENCIES,
                                value={"general_meeting": "weekly"})
    with pytest.raises(RuleViolation):
        org_services.policy_set(acting_user=None, organization=branch_a, key=policies.REFUSE_LATE_ENTRY, value="yes")


# --- update, attendance, void ----------------------------------------------------------------------------


def test_update_records_only_the_changed_fields(alice, branch_a):
    meeting = record(branch_a, MeetingType.GENERAL_MEETING, date(2024, 3, 12), acting_user=alice, topic="学习")
    services.meeting_update(acting_user=alice, meeting=meeting, topic="学习党章", place="村部", held_on=date(2024, 3, 12),
                            today=TODAY)
    event = Event.objects.latest("pk")
    assert event.action == "meeting.update"
    assert event.changes == {"topic": ["学习", "学习党章"], "place": ["", "村部"]}


def test_moving_the_date_back_marks_the_meeting_late_and_the_type_cannot_change(alice, branch_a):
    meeting = record(branch_a, MeetingType.GENERAL_MEETING, date(2024, 3, 12), acting_user=alice)
    meeting = services.meeting_update(acting_user=alice, meeting=meeting, held_on=date(2024, 3, 1), today=TODAY)
    assert meeting.is_late
    with pytest.raises(RuleViolation) as error:
        services.meeting_update(acting_user=alice, meeting=meeting, type=MeetingType.PARTY_LECTURE, today=TODAY)
    assert error.value.code == "meeting.not_editable"
    with pytest.raises(RuleViolation) as error:
        services.meeting_update(acting_user=alice, meeting=meeting, held_on=date(2024, 3, 20), today=date(2024, 3, 25))
    assert error.value.code == "meeting.after_entry"


def test_attendance_set_corrects_statuses_and_refuses_foreign_members(alice, branch_a, members, member_b):
    meeting = record(branch_a, MeetingType.GENERAL_MEETING, date(2024, 3, 12), acting_user=alice,
                     attendance=all_present(members[:2]))
    services.attendance_set(acting_user=alice, meeting=meeting,
                            attendance={members[1].pk: AttendanceStatus.ABSENT, members[2].pk: AttendanceStatus.PRESENT})
    assert dict(meeting.attendance.values_list("member_id", "status")) == {
        members[0].pk: AttendanceStatus.PRESENT, members[1].pk: AttendanceStatus.ABSENT,
        members[2].pk: AttendanceStatus.PRESENT,
    }
    assert Event.objects.latest("pk").changes == {
        f"李秀英（{members[1].pk}）": ["出席", "缺席"], f"王志强（{members[2].pk}）": [None, "出席"],
    }
    with pytest.raises(RuleViolation):
        services.attendance_set(acting_user=alice, meeting=meeting, attendance={member_b.pk: AttendanceStatus.PRESENT})


def test_a_recorded_member_who_has_left_the_list_can_still_be_corrected(alice, branch_a, members):
    meeting = record(branch_a, MeetingType.GENERAL_MEETING, date(2024, 3, 12), acting_user=alice,
                     attendance=all_present(members))
    members[3].is_active = False
    members[3].save()
    services.attendance_set(acting_user=alice, meeting=meeting, attendance={members[3].pk: AttendanceStatus.LEAVE_OFFICIAL})
    assert meeting.attendance.get(member=members[3]).status == AttendanceStatus.LEAVE_OFFICIAL


def test_a_voided_meeting_counts_for_nothing_and_cannot_be_edited(alice, branch_a, members):
    meeting = record(branch_a, MeetingType.GENERAL_MEETING, date(2024, 3, 12), acting_user=alice,
                     attendance=all_present(members))
    with pytest.raises(RuleViolation):
        services.meeting_void(acting_user=alice, meeting=meeting, reason=" ")
    services.meeting_void(acting_user=alice, meeting=meeting, reason="类型录错")
    assert not selectors.attendance_for(organization_ids=[branch_a.pk], start=date(2024, 1, 1), end=TODAY).exists()
    with pytest.raises(RuleViolation) as error:
        services.meeting_update(acting_user=alice, meeting=meeting, topic="改", today=TODAY)
    assert error.value.code == "meeting.voided"


# --- photos ----------------------------------------------------------------------------------------------


def _stored(photo: MeetingPhoto) -> bytes:
    with photo.image.open("rb") as handle:
        return handle.read()


def test_photo_is_stored_without_exif_or_gps(alice, branch_a):
    original = jpeg_with_gps()
    assert Image.open(BytesIO(original)).getexif().get_ifd(0x8825)  # the test photo does carry GPS
    meeting = record(branch_a, MeetingType.THEME_DAY, date(2024, 3, 12), acting_user=alice, photos=[upload(original)])
    photo = MeetingPhoto.objects.get(meeting=meeting)
    stored = _stored(photo)
    reloaded = Image.open(BytesIO(stored))
    assert reloaded.format == "JPEG"
    assert len(reloaded.getexif()) == 0 and not reloaded.getexif().get_ifd(0x8825)
    assert "exif" not in reloaded.info
    assert b"Exif" not in stored and b"PhoneMaker" not in stored
    assert photo.image.name.startswith(f"meetings/{branch_a.county_id}/") and "photo.jpg" not in photo.image.name


def test_photo_orientation_is_applied_before_the_exif_is_dropped(alice, branch_a):
    meeting = record(branch_a, MeetingType.THEME_DAY, date(2024, 3, 12), acting_user=alice,
                     photos=[upload(jpeg_with_gps(size=(64, 48), orientation=6))])
    photo = meeting.photos.get()
    assert (photo.width, photo.height) == (48, 64)


def test_png_text_chunks_are_dropped(alice, branch_a):
    meeting = record(branch_a, MeetingType.THEME_DAY, date(2024, 3, 12), acting_user=alice,
                     photos=[upload(png_with_text(), "会场.png", "image/png")])
    stored = _stored(meeting.photos.get())
    assert Image.open(BytesIO(stored)).format == "PNG"
    assert "党员活动室".encode() not in stored and b"Comment" not in stored


@pytest.mark.parametrize(("content", "name"), [
    (b"this is not an image at all", "photo.jpg"),
    (b"%PDF-1.7\n%fake", "scan.png"),
    (b"GIF89a" + b"\x00" * 20, "anim.gif"),
])
def test_non_image_is_refused_by_content_and_nothing_is_written(alice, branch_a, content, name):
    with pytest.raises(RuleViolation) as error:
        record(branch_a, MeetingType.THEME_DAY, date(2024, 3, 12), acting_user=alice,
               photos=[upload(jpeg_with_gps(), "ok.jpg"), upload(content, name)])
    assert error.value.code == "photo.type"
    assert not Meeting.objects.exists() and not MeetingPhoto.objects.exists()


def test_truncated_jpeg_is_refused(alice, branch_a):
    with pytest.raises(RuleViolation) as error:
        record(branch_a, MeetingType.THEME_DAY, date(2024, 3, 12), acting_user=alice,
               photos=[upload(jpeg_with_gps()[:40])])
    assert error.value.code == "photo.broken"


def test_photo_over_five_megabytes_is_refused(alice, branch_a):
    big = b"\xff\xd8\xff\xe0" + b"\x00" * (5 * 1024 * 1024)
    with pytest.raises(RuleViolation) as error:
        record(branch_a, MeetingType.THEME_DAY, date(2024, 3, 12), acting_user=alice, photos=[upload(big)])
    assert error.value.code == "photo.too_large"


def test_photo_add_and_remove_are_audited_and_the_file_goes(alice, branch_a, django_capture_on_commit_callbacks):
    meeting = record(branch_a, MeetingType.THEME_DAY, date(2024, 3, 12), acting_user=alice)
    [photo] = services.photo_add(acting_user=alice, meeting=meeting, files=[upload(jpeg_with_gps())], captions=["合影"])
    assert Event.objects.latest("pk").action == "meeting.photo_add"
    storage, name = photo.image.storage, photo.image.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        services.photo_remove(acting_user=alice, photo=photo)
    assert not storage.exists(name)
    assert Event.objects.latest("pk").action == "meeting.photo_remove"
