"""Meetings (三会一课 and the rest), attendance and photos (DESIGN §3.3).

A meeting belongs to the organization that held it — the branch, or a party group for 党小组会 (and,
if it holds one, its 组织生活会) — and carries the branch it counts for and the county (the shard
key) beside it, so that compliance and attendance read per branch or per county without walking the
tree. Voided meetings stay (the trail keeps them) and count for nothing.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from partyadmin.models import TimeStampedModel

from . import rules


class MeetingStatus(models.TextChoices):
    RECORDED = "recorded", "已录入"
    VOIDED = "voided", "已作废"


MEETING_TYPE_CHOICES = [(str(value), label) for value, label in rules.MEETING_TYPE_LABELS.items()]
ATTENDANCE_STATUS_CHOICES = [(str(value), label) for value, label in rules.ATTENDANCE_STATUS_LABELS.items()]


class Meeting(TimeStampedModel):
    organization = models.ForeignKey(
        "branches.Organization", verbose_name="召开组织", on_delete=models.PROTECT, related_name="meetings",
    )
    # The branch the meeting counts for: the organization itself, or the party group's branch.
    branch = models.ForeignKey(
        "branches.Organization", verbose_name="所属党支部", on_delete=models.PROTECT, related_name="+",
    )
    county = models.ForeignKey(
        "branches.Organization", verbose_name="所属县（市、区）", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    type = models.CharField("会议类型", max_length=24, choices=MEETING_TYPE_CHOICES)
    held_on = models.DateField("会议日期")
    place = models.CharField("会议地点", max_length=100, blank=True)
    topic = models.CharField("会议主题", max_length=200)
    host_member = models.ForeignKey(
        "membership.Member", verbose_name="主持人（党员）", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    host_name = models.CharField("主持人/主讲人", max_length=50, blank=True,
                                 help_text="上级领导等非本支部人员主持或讲党课时填写姓名。")
    recorder_name = models.CharField("记录人", max_length=50, blank=True)
    minutes = models.TextField("会议记录", blank=True)
    entered_at = models.DateTimeField("录入时间")
    entered_on = models.DateField("录入日期")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    is_late = models.BooleanField("补录", default=False, help_text="会议召开后超过规定天数才录入。")
    status = models.CharField("状态", max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.RECORDED)
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)
    void_reason = models.CharField("作废原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "会议"
        verbose_name_plural = "会议"
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=MeetingStatus.VOIDED) | (Q(voided_at__isnull=False) & ~Q(void_reason="")),
                name="meeting_voided_has_reason",
            ),
            models.CheckConstraint(condition=Q(entered_on__gte=models.F("held_on")), name="meeting_entered_after_held"),
        ]
        indexes = [
            # Compliance: one branch's (or a county's) meetings by type and date.
            models.Index(fields=["branch", "type", "held_on"]),
            models.Index(fields=["county", "held_on"]),
            models.Index(fields=["organization", "-held_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.get_type_display()}：{self.topic}"

    @property
    def is_voided(self) -> bool:
        return self.status == MeetingStatus.VOIDED

    @property
    def host_label(self) -> str:
        if self.host_member_id is not None:
            return self.host_member.person.name
        return self.host_name


class Attendance(models.Model):
    """One member's attendance at one meeting: the row scoring reads (see `selectors.attendance_for`)."""

    meeting = models.ForeignKey(Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(
        "membership.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="meeting_attendance",
    )
    county = models.ForeignKey(
        "branches.Organization", verbose_name="所属县（市、区）", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    status = models.CharField("出勤情况", max_length=16, choices=ATTENDANCE_STATUS_CHOICES)
    note = models.CharField("说明", max_length=200, blank=True, help_text="请假事由等。")

    class Meta:
        verbose_name = "出勤"
        verbose_name_plural = "出勤"
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once_per_meeting"),
        ]
        indexes = [models.Index(fields=["member", "meeting"])]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_status_display()}"


def photo_path(instance: "MeetingPhoto", filename: str) -> str:
    """A random name under MEDIA_ROOT/meetings/<county>/: never the uploader's name, never guessable."""
    extension = ".png" if instance.image_format == "png" else ".jpg"
    return f"meetings/{instance.meeting.county_id or 0}/{uuid.uuid4().hex}{extension}"


class MeetingPhoto(models.Model):
    """A photo of the meeting, re-encoded without any metadata (EXIF, GPS, ICC) on upload."""

    meeting = models.ForeignKey(Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="photos")
    image = models.FileField("图片", upload_to=photo_path, max_length=200)
    image_format = models.CharField("格式", max_length=4, choices=[("jpeg", "JPEG"), ("png", "PNG")])
    width = models.PositiveIntegerField("宽")
    height = models.PositiveIntegerField("高")
    size = models.PositiveIntegerField("大小（字节）")
    caption = models.CharField("说明", max_length=100, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "会议照片"
        verbose_name_plural = "会议照片"
        ordering = ["meeting", "pk"]

    def __str__(self) -> str:
        return self.caption or f"照片 #{self.pk}"

    @property
    def content_type(self) -> str:
        return "image/png" if self.image_format == "png" else "image/jpeg"
