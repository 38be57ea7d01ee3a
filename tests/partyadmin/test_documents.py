"""PDF rendering with a real CJK font: the text comes back out of the PDF with pdftotext."""

import shutil
import subprocess

import pytest

from partyadmin.documents import render_pdf

CONTEXT = {"title": "发展对象公示", "text": "经党支部委员会研究，拟确定以下同志为发展对象。",
           "rows": [("张伟", "男"), ("李娜", "女")], "issuer": "中共东关社区支部委员会", "date": "2026年11月22日"}


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,  # noqa: S603,S607
                          check=True).stdout.replace(" ", "")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is installed by make test")
def test_chinese_text_survives_rendering(tmp_path):
    text = pdf_text(render_pdf("documents/sample.html", CONTEXT), tmp_path)
    assert "发展对象公示" in text
    assert "张伟" in text and "中共东关社区支部委员会" in text
    assert "第1页，共1页" in text


def test_pdf_embeds_a_cjk_font():
    pdf = render_pdf("documents/sample.html", CONTEXT)
    assert pdf.startswith(b"%PDF")
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=False).stdout.decode()  # noqa: S603,S607
    assert "CJK" in fonts or "WenQuanYi" in fonts or "Noto" in fonts


def test_same_html_is_rendered_once(monkeypatch):
    import weasyprint

    calls = []
    real = weasyprint.HTML.write_pdf

    def counting(self, *args, **kwargs):
        calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", counting)
    context = {**CONTEXT, "title": "缓存测试"}
    assert render_pdf("documents/sample.html", context) == render_pdf("documents/sample.html", context)
    assert len(calls) == 1
