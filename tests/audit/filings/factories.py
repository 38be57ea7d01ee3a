"""Material files for filing tests: real signatures of the allowed types, and impostors."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 32
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def office_bytes(part: str) -> bytes:
    """A minimal OOXML package: DOCX with part "word/document.xml", XLSX with "xl/workbook.xml"."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<document/>")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def pdf(name: str = "备案报告.pdf") -> SimpleUploadedFile:
    return upload(name, PDF_BYTES, "application/pdf")


def png(name: str = "会议照片.png") -> SimpleUploadedFile:
    return upload(name, PNG_BYTES, "image/png")
