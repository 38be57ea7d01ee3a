"""The printable notice for the 党务公开栏: the text comes back out of the PDF (pdftotext)."""

import shutil
import subprocess

import pytest

from audit.publicity import documents, selectors
from partyadmin.documents import render_pdf

from .factories import open_window

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is installed by make test"),
]


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,  # noqa: S603,S607
                          check=True).stdout.decode().replace(" ", "")


def test_notice_prints_title_names_dates_contact_and_issuer(branch_a, alice):
    """seed 000: "通过党务公开栏、板报…等形式进行公示"; "公示期限一般为5个工作日"."""
    window = open_window(branch_a, acting_user=alice, names=("张伟", "李娜"))
    window = selectors.window_get(user=alice, pk=window.pk)
    text = pdf_text(render_pdf(documents.TEMPLATE, documents.notice_context(window)))
    assert "关于确定入党积极分子的公示" in text
    assert "张伟" in text and "李娜" in text and "文化程度" in text
    assert "公示时间：2024年9月27日至2024年10月9日" in text
    assert "0391-2345678" in text
    assert "东街社区党支部" in text and "2024年9月27日" in text
