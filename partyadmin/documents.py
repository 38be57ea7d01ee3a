"""PDF documents: HTML templates rendered by WeasyPrint with a CJK font, A4.

Every printable form extends `documents/base_print.html` (header, signature lines, page numbers).
PDFs are rendered on request and cached by the hash of their HTML, so printing the same notice
twice renders it once.
"""

import hashlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.template.loader import render_to_string

CACHE_SECONDS = 24 * 60 * 60
STATIC_DIR = Path(settings.BASE_DIR) / "static"


def render_html(template_name: str, context: dict[str, Any]) -> str:
    return render_to_string(template_name, context)


def html_to_pdf(html: str) -> bytes:
    """Renders HTML to PDF bytes (cached per content hash)."""
    key = "pdf:" + hashlib.sha256(html.encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return cached
    from weasyprint import HTML  # imported here: loading pango is slow and most requests never print

    pdf = HTML(string=html, base_url=str(STATIC_DIR)).write_pdf()
    cache.set(key, pdf, CACHE_SECONDS)
    return pdf


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    return html_to_pdf(render_html(template_name, context))


def pdf_response(template_name: str, context: dict[str, Any], *, filename: str, inline: bool = True) -> HttpResponse:
    """An HTTP response carrying the PDF; `filename` may be Chinese (RFC 6266 encoding)."""
    from urllib.parse import quote

    response = HttpResponse(render_pdf(template_name, context), content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    return response
