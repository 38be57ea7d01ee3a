"""Meeting photos: checked by content, re-encoded without metadata (DESIGN §2.7).

A phone photo carries EXIF: the camera, the time and, often, the GPS position of the meeting room —
a branch's members' whereabouts. Every upload is therefore decoded and written again from its pixels
only: no EXIF, no GPS, no XMP, no ICC profile, no text chunks survive. The orientation EXIF asked
for is applied to the pixels first, so the photo still stands the right way up.
"""

from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePath

from django.core.files import File
from PIL import Image, ImageOps, UnidentifiedImageError

from partyadmin.errors import RuleViolation

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 50_000_000  # refuse decompression bombs before decoding
MAX_SIDE = 2560  # larger photos are scaled down: a meeting record needs no 50-megapixel originals
JPEG_QUALITY = 85

_SIGNATURES = {b"\xff\xd8\xff": "jpeg", b"\x89PNG\r\n\x1a\n": "png"}


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes
    image_format: str  # "jpeg" or "png"
    width: int
    height: int

    @property
    def size(self) -> int:
        return len(self.content)


def sniff(head: bytes) -> str | None:
    """"jpeg" or "png" from the first bytes, else None (the name and the browser's type are not trusted)."""
    for signature, image_format in _SIGNATURES.items():
        if head.startswith(signature):
            return image_format
    return None


def _refuse(code: str, message: str) -> RuleViolation:
    return RuleViolation(code, message, field="photos")


def clean_photo(upload: File) -> CleanPhoto:
    """The upload re-encoded from its pixels alone; RuleViolation if it is not a JPEG or PNG photo."""
    name = PurePath(upload.name or "").name or "未命名文件"
    size = upload.size or 0
    if size <= 0:
        raise _refuse("photo.empty", f"“{name}”是空文件。")
    if size > MAX_PHOTO_BYTES:
        raise _refuse("photo.too_large", f"“{name}”超过 5 MB，请压缩后再上传。")
    upload.seek(0)
    data = upload.read(MAX_PHOTO_BYTES + 1)
    upload.seek(0)
    image_format = sniff(data[:8])
    if image_format is None:
        raise _refuse("photo.type", f"“{name}”不是 JPEG 或 PNG 图片，只能上传 JPEG、PNG 格式的照片。")
    try:
        with Image.open(BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise _refuse("photo.too_many_pixels", f"“{name}”的像素过多，请缩小后再上传。")
            probe.verify()  # structural check; the image must be opened again to be decoded
        with Image.open(BytesIO(data)) as image:
            image.load()
            pixels = ImageOps.exif_transpose(image)  # apply the orientation before the EXIF is dropped
    except RuleViolation:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _refuse("photo.broken", f"“{name}”无法识别为完整的图片，请重新上传。") from None
    pixels.thumbnail((MAX_SIDE, MAX_SIDE))
    return _encode(pixels, image_format)


def _encode(image: Image.Image, image_format: str) -> CleanPhoto:
    """Writes only pixels: a fresh image gets no `info` (EXIF, XMP, ICC, PNG text) from the original."""
    if image_format == "jpeg":
        mode = "L" if image.mode in ("L", "1") else "RGB"
    else:
        mode = image.mode if image.mode in ("RGB", "RGBA", "L", "LA") else ("RGBA" if "A" in image.getbands() else "RGB")
        if image.mode == "P":
            mode = "RGBA" if "transparency" in image.info else "RGB"
    converted = image.convert(mode)
    fresh = Image.new(mode, converted.size)
    fresh.paste(converted)
    out = BytesIO()
    if image_format == "jpeg":
        fresh.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        fresh.save(out, format="PNG", optimize=True)
    return CleanPhoto(out.getvalue(), image_format, fresh.width, fresh.height)
