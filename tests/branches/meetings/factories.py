"""Meetings for tests: recorded through the service (so every rule and the audit event run) or, for
volume, written directly."""

from datetime import date
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from branches.meetings import services
from branches.meetings.models import Meeting
from branches.meetings.rules import AttendanceStatus

# A fixed "today" for the services: Friday 15 March 2024 (the third month of the first quarter).
TODAY = date(2024, 3, 15)


def record(organization, meeting_type: str, held_on: date, *, acting_user=None, attendance=None, today=TODAY,
           **extra) -> Meeting:
    return services.meeting_record(
        acting_user=acting_user, organization=organization, type=meeting_type, held_on=held_on,
        topic=extra.pop("topic", f"{held_on:%Y年%m月}会议"), attendance=attendance or {}, today=today, **extra,
    )


def all_present(members) -> dict[int, str]:
    return {m.pk: AttendanceStatus.PRESENT for m in members}


def jpeg_with_gps(*, size: tuple[int, int] = (64, 48), orientation: int | None = None) -> bytes:
    """A JPEG carrying EXIF with a camera make, a date and a GPS position (焦作, 35.2°N 113.2°E)."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0132] = "2024:03:10 09:30:00"  # DateTime
    if orientation is not None:
        exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (35.0, 12.0, 30.0)
    gps[3] = "E"
    gps[4] = (113.0, 14.0, 10.0)
    out = BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png_with_text() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "拍摄于党员活动室")
    image = Image.new("RGBA", (20, 10), (0, 0, 255, 128))
    out = BytesIO()
    image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def upload(content: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
