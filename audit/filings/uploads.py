"""Checking uploaded materials by their content (DESIGN §2.7: an allow-list of types checked by content,
a size limit, stored outside the static root, served only through a permission check)."""

import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.core.files import File
from django.core.files.base import ContentFile

from . import rules

HEAD_BYTES = 16


@dataclass(frozen=True)
class MaterialUpload:
    """One material for a filing: an uploaded file, or a generated document (`generated_pdf`)."""

    title: str
    file: File


@dataclass(frozen=True)
class CheckedMaterial:
    title: str
    name: str
    file: File
    type: rules.MaterialType
    size: int


def generated_pdf(*, title: str, content: bytes, filename: str) -> MaterialUpload:
    """A PDF the system rendered (e.g. `partyadmin.documents.render_pdf`), filed like an upload."""
    return MaterialUpload(title=title, file=ContentFile(content, name=filename))


def _zip_entries(file: File) -> frozenset[str] | None:
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            return frozenset(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        file.seek(0)


def check_upload(upload: MaterialUpload) -> CheckedMaterial:
    """The material's type from its first bytes (and ZIP parts for DOCX/XLSX); RuleViolation if refused."""
    name = PurePath(upload.file.name or "").name or "未命名文件"
    size = upload.file.size or 0
    head = b""
    if 0 < size <= rules.MAX_MATERIAL_BYTES:
        upload.file.seek(0)
        head = upload.file.read(HEAD_BYTES)
        upload.file.seek(0)
    zip_entries = _zip_entries(upload.file) if head.startswith(b"PK\x03\x04") else None
    material_type = rules.check_material(name=name, size=size, detected=rules.sniff(head, zip_entries))
    title = (upload.title or "").strip() or PurePath(name).stem
    return CheckedMaterial(title=title[:200], name=name[:200], file=upload.file, type=material_type, size=size)


def check_uploads(uploads: list[MaterialUpload]) -> list[CheckedMaterial]:
    """Every material checked before anything is written: one bad file refuses the whole submission."""
    return [check_upload(upload) for upload in uploads]
