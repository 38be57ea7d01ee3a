"""Writes of meetings, attendance and photos; each is atomic and emits one audit event.

The caller (a view or the API) has checked that the acting user may record for the organization
(`selectors.organizations_for_recording` / `meeting_get_for_change`); these functions check what
holds whoever acts: the meeting's date, the late-entry policy, the attendee list, the photos.
"""

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from audit.services import diff, record
from branches.models import Organization
from branches.policies import policy_value
from membership.models import Member
from partyadmin.errors import RuleViolation
from partyadmin.files import removed_on_failure
from partyadmin.workdays import china_today

from . import photos as photo_files
from . import policies, rules, selectors
from .models import Attendance, Meeting, MeetingPhoto, MeetingStatus

MAX_PHOTOS_PER_MEETING = 20


def _status_summary(statuses: Mapping[int, str]) -> dict[str, int]:
    """Counts per status, in the audit trail's words (出席 12, 因公请假 1 …)."""
    summary = dict.fromkeys(rules.ATTENDANCE_STATUS_LABELS.values(), 0)
    for status in statuses.values():
        summary[rules.ATTENDANCE_STATUS_LABELS[status]] += 1
    return {label: n for label, n in summary.items() if n}


def _check_host(host_member: Member | None, branch: Organization) -> None:
    if host_member is not None and (host_member.organization_id != branch.pk or not host_member.is_active):
        raise RuleViolation("meeting.host_not_member", "主持人须为本支部在册党员；其他人员请填写姓名。",
                            field="host_member")


def _check_photo_count(existing: int, adding: int) -> None:
    if existing + adding > MAX_PHOTOS_PER_MEETING:
        raise RuleViolation("photo.too_many", f"每次会议最多上传 {MAX_PHOTOS_PER_MEETING} 张照片。", field="photos")


def _entry_policy(branch: Organization) -> tuple[int, bool]:
    return (int(policy_value(branch, policies.LATE_ENTRY_DAYS)),
            bool(policy_value(branch, policies.REFUSE_LATE_ENTRY)))


def _clean_notes(notes: Mapping[int, str] | None) -> dict[int, str]:
    return {int(k): (v or "").strip()[:200] for k, v in (notes or {}).items()}


def _save_photos(*, acting_user: AbstractBaseUser | None, meeting: Meeting, cleaned: list[photo_files.CleanPhoto],
                 captions: Sequence[str] = ()) -> list[MeetingPhoto]:
    """Writes the files and their rows; if anything fails, the files already written are deleted again
    (the rows go with the transaction)."""
    saved: list[MeetingPhoto] = []
    now = timezone.now()
    with removed_on_failure(MeetingPhoto._meta.get_field("image").storage) as names:
        for index, photo in enumerate(cleaned):
            row = MeetingPhoto(
                meeting=meeting, image_format=photo.image_format, width=photo.width, height=photo.height,
                size=photo.size, caption=(captions[index] if index < len(captions) else "").strip()[:100],
                uploaded_by=acting_user if acting_user is not None and acting_user.is_authenticated else None,
                uploaded_at=now,
            )
            row.image.save("photo", ContentFile(photo.content), save=False)
            names.append(row.image.name)
            saved.append(row)
            row.save()
    return saved


@transaction.atomic
def meeting_record(
    *,
    acting_user: AbstractBaseUser | None,
    organization: Organization,
    type: str,  # noqa: A002 - the meeting type, as the model names it
    held_on: date,
    topic: str,
    place: str = "",
    host_member: Member | None = None,
    host_name: str = "",
    recorder_name: str = "",
    minutes: str = "",
    attendance: Mapping[int, str] | None = None,
    notes: Mapping[int, str] | None = None,
    photos: Sequence[File] = (),
    captions: Sequence[str] = (),
    today: date | None = None,
) -> Meeting:
    """Records a held meeting with its attendance and photos (DESIGN §3.3).

    Refused: a meeting dated after today; a late one where the branch refuses back-filling; a
    member outside the type's attendee list; a photo that is not a JPEG/PNG image or is over 5 MB.
    A late entry under the default policy is recorded and marked late.
    """
    today = today or china_today()
    if type not in rules.MEETING_TYPE_LABELS:
        raise RuleViolation("meeting.bad_type", "请选择会议类型。", field="type")
    if not organization.is_active:
        raise RuleViolation("meeting.inactive_organization", "该党组织已撤销，不能录入会议。", field="organization")
    rules.check_organization_kind(meeting_type=type, organization_kind=organization.kind)
    if not topic.strip():
        raise RuleViolation("meeting.topic_required", "请填写会议主题。", field="topic")
    branch = selectors.branch_of(organization)
    late_days, refuse_late = _entry_policy(branch)
    late = rules.check_entry(held_on=held_on, entered_on=today, late_days=late_days, refuse_late=refuse_late)
    statuses = {int(k): v for k, v in (attendance or {}).items()}
    expected = set(selectors.expected_attendees(organization=organization, meeting_type=type).values_list("pk", flat=True))
    rules.check_attendance(statuses=statuses, expected=expected)
    _check_host(host_member, branch)
    _check_photo_count(0, len(photos))
    cleaned = [photo_files.clean_photo(upload) for upload in photos]  # every photo checked before any write

    meeting = Meeting.objects.create(
        organization=organization, branch=branch, county_id=organization.county_id, type=type, held_on=held_on,
        place=place.strip(), topic=topic.strip(), host_member=host_member,
        host_name=(host_member.person.name if host_member is not None else host_name.strip()),
        recorder_name=recorder_name.strip(), minutes=minutes.strip(), entered_at=timezone.now(), entered_on=today,
        entered_by=acting_user if acting_user is not None and acting_user.is_authenticated else None,
        is_late=late,
    )
    note_of = _clean_notes(notes)
    Attendance.objects.bulk_create([
        Attendance(meeting=meeting, member_id=member_id, county_id=meeting.county_id, status=status,
                   note=note_of.get(member_id, ""))
        for member_id, status in sorted(statuses.items())
    ])
    changes: dict[str, Any] = {
        "type": [None, meeting.get_type_display()], "held_on": [None, held_on], "topic": [None, meeting.topic],
        "attendance": [None, _status_summary(statuses)],
    }
    if late:
        changes["is_late"] = [None, True]
    if cleaned:
        changes["photos"] = [None, len(cleaned)]
    record(actor=acting_user, action="meeting.record", organization=organization, subject=meeting, changes=changes)
    # Files last: nothing after them can fail and leave one behind.
    _save_photos(acting_user=acting_user, meeting=meeting, cleaned=cleaned, captions=captions)
    return meeting


_EDITABLE = ("held_on", "place", "topic", "host_member", "host_name", "recorder_name", "minutes")


def _snapshot(meeting: Meeting) -> dict[str, Any]:
    values = {name: getattr(meeting, name) for name in _EDITABLE if name != "host_member"}
    values["host_member"] = meeting.host_member_id
    values["is_late"] = meeting.is_late
    return values


def _check_not_voided(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.VOIDED:
        raise RuleViolation("meeting.voided", "该会议记录已作废，不能修改。")


@transaction.atomic
def meeting_update(*, acting_user: AbstractBaseUser | None, meeting: Meeting, today: date | None = None,
                   **fields: Any) -> Meeting:
    """Corrects a meeting's details (`fields`: held_on, place, topic, host_member, host_name,
    recorder_name, minutes). The type and the organization are fixed: they decide the attendee list;
    a meeting recorded under the wrong type is voided and recorded again."""
    unknown = set(fields) - set(_EDITABLE)
    if unknown:
        raise RuleViolation("meeting.not_editable", "会议类型和召开组织不能修改，请作废后重新录入。")
    meeting = Meeting.objects.select_for_update().select_related("organization", "branch").get(pk=meeting.pk)
    _check_not_voided(meeting)
    before = _snapshot(meeting)
    if "topic" in fields and not str(fields["topic"]).strip():
        raise RuleViolation("meeting.topic_required", "请填写会议主题。", field="topic")
    if "held_on" in fields and fields["held_on"] != meeting.held_on:
        rules.check_entry(held_on=fields["held_on"], entered_on=today or china_today(), late_days=0,
                          refuse_late=False)  # not in the future
        if fields["held_on"] > meeting.entered_on:
            raise RuleViolation("meeting.after_entry",
                                f"会议日期不能晚于该记录的录入日期（{meeting.entered_on:%Y-%m-%d}）。", field="held_on")
        late_days, refuse_late = _entry_policy(meeting.branch)
        meeting.is_late = rules.check_entry(held_on=fields["held_on"], entered_on=meeting.entered_on,
                                            late_days=late_days, refuse_late=refuse_late)
    if "host_member" in fields:
        _check_host(fields["host_member"], meeting.branch)
    for name, value in fields.items():
        setattr(meeting, name, value.strip() if isinstance(value, str) else value)
    if meeting.host_member is not None:
        meeting.host_name = meeting.host_member.person.name
    meeting.save()
    changes = diff(before, _snapshot(meeting))
    if changes:
        record(actor=acting_user, action="meeting.update", organization=meeting.organization, subject=meeting,
               changes=changes)
    return meeting


@transaction.atomic
def attendance_set(*, acting_user: AbstractBaseUser | None, meeting: Meeting, attendance: Mapping[int, str],
                   notes: Mapping[int, str] | None = None) -> list[Attendance]:
    """Sets the status (and note) of members on the meeting's list; rows not named stay as they are.
    A member already recorded may be corrected even if they have since left the list."""
    meeting = Meeting.objects.select_for_update().select_related("organization").get(pk=meeting.pk)
    _check_not_voided(meeting)
    statuses = {int(k): v for k, v in attendance.items()}
    existing = {row.member_id: row for row in meeting.attendance.select_related("member__person")}
    expected = set(selectors.expected_attendees(organization=meeting.organization, meeting_type=meeting.type)
                   .values_list("pk", flat=True)) | set(existing)
    rules.check_attendance(statuses=statuses, expected=expected)
    note_of = _clean_notes(notes)
    names = dict(Member.objects.filter(pk__in=statuses).values_list("pk", "person__name"))
    changes: dict[str, list[Any]] = {}
    created, updated = [], []
    for member_id, status in sorted(statuses.items()):
        row = existing.get(member_id)
        note = note_of.get(member_id, row.note if row else "")
        label = f"{names.get(member_id, member_id)}（{member_id}）"
        if row is None:
            created.append(Attendance(meeting=meeting, member_id=member_id, county_id=meeting.county_id,
                                      status=status, note=note))
            changes[label] = [None, rules.ATTENDANCE_STATUS_LABELS[status]]
        elif row.status != status or row.note != note:
            if row.status != status:
                changes[label] = [rules.ATTENDANCE_STATUS_LABELS[row.status], rules.ATTENDANCE_STATUS_LABELS[status]]
            row.status, row.note = status, note
            updated.append(row)
    Attendance.objects.bulk_create(created)
    Attendance.objects.bulk_update(updated, ["status", "note"])
    if created or updated:
        record(actor=acting_user, action="attendance.set", organization=meeting.organization, subject=meeting,
               changes=changes or {"note": [None, "已更新说明"]})
    return list(meeting.attendance.select_related("member__person").order_by("member_id"))


@transaction.atomic
def photo_add(*, acting_user: AbstractBaseUser | None, meeting: Meeting, files: Sequence[File],
              captions: Sequence[str] = ()) -> list[MeetingPhoto]:
    """Adds photos, each re-encoded without metadata; one bad file refuses them all."""
    meeting = Meeting.objects.select_for_update().select_related("organization").get(pk=meeting.pk)
    _check_not_voided(meeting)
    if not files:
        raise RuleViolation("photo.none", "请选择要上传的照片。", field="photos")
    _check_photo_count(meeting.photos.count(), len(files))
    cleaned = [photo_files.clean_photo(upload) for upload in files]
    record(actor=acting_user, action="meeting.photo_add", organization=meeting.organization, subject=meeting,
           changes={"photos": [None, len(cleaned)]})
    return _save_photos(acting_user=acting_user, meeting=meeting, cleaned=cleaned, captions=captions)


@transaction.atomic
def photo_remove(*, acting_user: AbstractBaseUser | None, photo: MeetingPhoto) -> None:
    """Deletes a photo; its file goes once the deletion is committed."""
    meeting = Meeting.objects.select_for_update().select_related("organization").get(pk=photo.meeting_id)
    _check_not_voided(meeting)
    name = photo.image.name
    storage = photo.image.storage
    photo.delete()
    transaction.on_commit(lambda: storage.delete(name))
    record(actor=acting_user, action="meeting.photo_remove", organization=meeting.organization, subject=meeting,
           changes={"photo": [photo.caption or name.rsplit("/", 1)[-1], None]})


@transaction.atomic
def meeting_void(*, acting_user: AbstractBaseUser | None, meeting: Meeting, reason: str) -> Meeting:
    """Voids a meeting recorded in error: it stays in the trail and counts for nothing (neither for
    the branch's compliance nor for anyone's attendance)."""
    meeting = Meeting.objects.select_for_update().select_related("organization").get(pk=meeting.pk)
    _check_not_voided(meeting)
    if not reason.strip():
        raise RuleViolation("meeting.void_reason", "请填写作废原因。", field="reason")
    meeting.status = MeetingStatus.VOIDED
    meeting.voided_at = timezone.now()
    meeting.void_reason = reason.strip()[:200]
    meeting.save(update_fields=["status", "voided_at", "void_reason", "updated_at"])
    record(actor=acting_user, action="meeting.void", organization=meeting.organization, subject=meeting,
           changes={"status": [MeetingStatus.RECORDED.label, MeetingStatus.VOIDED.label],
                    "void_reason": [None, meeting.void_reason]})
    return meeting
