"""The printable notice for the 党务公开栏 (seed 000: "通过党务公开栏、板报…等形式进行公示"), A4 PDF."""

from datetime import date
from typing import Any

from django.http import HttpResponse

from partyadmin.documents import pdf_response

from . import rules, selectors
from .models import PublicityWindow

TEMPLATE = "audit/publicity/documents/notice.html"


def _chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def notice_context(window: PublicityWindow) -> dict[str, Any]:
    """Everything the notice prints: title, table, 公示时间, scope, where to object, issuer and date."""
    return {
        "title": window.title,
        "window": window,
        "columns": [label for _, label in window.columns],
        "rows": selectors.notice_rows(window),
        "period": rules.format_period(window.starts_on, window.ends_on),
        "scope": "、".join(window.scope_labels),
        "issuer": window.organization.name,
        # The notice is dated the day it is posted: the first day of the window.
        "issued_on": _chinese_date(window.starts_on),
    }


def notice_pdf_response(window: PublicityWindow) -> HttpResponse:
    return pdf_response(TEMPLATE, notice_context(window), filename=f"{window.title}.pdf")
