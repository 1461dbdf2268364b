"""Documents as PDF: the official layout, Chinese in the shipped font, nothing fetched."""

from __future__ import annotations

import http.server
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from django.template import Context, Template
from pyhanko.pdf_utils.reader import PdfFileReader

from casetrail.documents.pdf import FONT_DIR, qr_data_uri, render_pdf

PARTY = "张三丰"
NUMBER = "江公(东)拘字〔2026〕12号"
VERIFY = "https://casetrail.example/verify/江公(东)拘字〔2026〕12号?sha256=" + "ab" * 32

DOCUMENT = """{% extends "documents/pdf_base.html" %}
{% block agency %}江东市公安局东区分局{% endblock %}
{% block number %}{{ number }}{% endblock %}
{% block title %}拘留证{% endblock %}
{% block body %}{% for p in paragraphs %}<p>{{ p }}</p>{% endfor %}{% endblock %}
{% block seal %}<p>江东市公安局东区分局</p><p>2026年3月10日</p>{% endblock %}
{% block qr %}<img src="{{ qr }}" alt=""><p>{{ verify }}</p>{% endblock %}
"""


def document_html(*, paragraphs: int = 3, extra: str = "") -> str:
    body = (
        f"犯罪嫌疑人{PARTY}，男，1985年3月2日出生，住江东市东区幸福路12号。因涉嫌盗窃罪，"
        "根据《中华人民共和国刑事诉讼法》第八十二条之规定，经本局负责人批准，决定对其执行拘留，"
        "送江东市看守所羁押。"
    )
    html = Template(DOCUMENT).render(
        Context(
            {
                "number": NUMBER,
                "paragraphs": [body] * paragraphs,
                "qr": qr_data_uri(VERIFY),
                "verify": VERIFY,
            }
        )
    )
    return html.replace("</head>", extra + "</head>")


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (scripts/test.sh installs it as root)")
    return path


def pdftotext(pdf: bytes, tmp_path: Path) -> str:
    source = tmp_path / "document.pdf"
    source.write_bytes(pdf)
    out = subprocess.run(  # noqa: S603  # a fixed tool on our own file
        [tool("pdftotext"), "-enc", "UTF-8", str(source), "-"],
        capture_output=True,
        check=True,
    )
    return out.stdout.decode("utf-8")


def fonts_of(pdf: bytes) -> set[str]:
    """The BaseFont names of every font the pages use, and whether each is embedded."""
    reader = PdfFileReader(BytesIO(pdf))
    names = set()
    for index in range(len(reader.root["/Pages"]["/Kids"])):
        page = reader.root["/Pages"]["/Kids"][index].get_object()
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            embedded = "/FontFile2" in descendant["/FontDescriptor"]
            names.add(f"{font['/BaseFont'][1:].split('+')[-1]} embedded={embedded}")
    return names


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    reader = PdfFileReader(BytesIO(pdf))
    sizes = []
    for kid in reader.root["/Pages"]["/Kids"]:
        box = kid.get_object()["/MediaBox"]
        sizes.append((round(float(box[2]) / 72 * 25.4), round(float(box[3]) / 72 * 25.4)))
    return sizes


def test_the_party_and_the_document_number_can_be_read_back_from_the_pdf(tmp_path):
    text = pdftotext(render_pdf(document_html()), tmp_path)
    assert PARTY in text
    assert NUMBER in text
    assert "拘留证" in text


def test_chinese_is_set_in_the_shipped_font_embedded_not_a_system_fallback():
    assert fonts_of(render_pdf(document_html())) == {
        "Casetrail-Serif embedded=True",  # body, number, seal
        "Casetrail-Serif-Bold embedded=True",  # agency and title
    }


def test_pages_are_a4_and_a_longer_body_runs_onto_numbered_pages(tmp_path):
    pdf = render_pdf(document_html(paragraphs=12))
    assert page_sizes(pdf) == [(210, 297)] * len(page_sizes(pdf))
    assert len(page_sizes(pdf)) >= 2
    text = pdftotext(pdf, tmp_path)
    assert re.search(r"—\s*1\s*—", text)
    assert re.search(r"—\s*2\s*—", text)


def test_the_qr_code_at_the_foot_of_the_last_page_scans_as_the_verification_address(
    tmp_path,
):
    pdf = render_pdf(document_html(paragraphs=8))
    pages = len(page_sizes(pdf))
    source = tmp_path / "document.pdf"
    source.write_bytes(pdf)
    subprocess.run(  # noqa: S603
        [tool("pdftoppm"), "-r", "150", "-png", "-f", str(pages), str(source), tmp_path / "p"],
        check=True,
    )
    (image,) = tmp_path.glob("p-*.png")
    scanned = subprocess.run(  # noqa: S603
        [tool("zbarimg"), "--raw", "-q", str(image)], capture_output=True, check=True
    )
    assert scanned.stdout.decode("utf-8").strip() == VERIFY


def test_rendering_reads_no_file_outside_its_folders(tmp_path):
    # A stylesheet that would turn the page into A3, where a document could point at it.
    elsewhere = tmp_path / "elsewhere.css"
    elsewhere.write_text("@page { size: A3 }", encoding="utf-8")
    link = f'<link rel="stylesheet" href="{elsewhere.as_uri()}">'
    assert page_sizes(render_pdf(document_html(extra=link)))[0] == (210, 297)
    # The same file is read when it lies below the base_url the caller names.
    honoured = render_pdf(document_html(extra=link), base_url=tmp_path.as_uri() + "/")
    assert page_sizes(honoured)[0] == (297, 420)


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    """A web server on the loopback that serves an A3 stylesheet and counts requests."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            body = b"@page { size: A3 }"
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", requests
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_rendering_fetches_nothing_from_the_network(server):
    url, requests = server
    extra = f'<link rel="stylesheet" href="{url}/a3.css"><style>@import url("{url}/b.css");</style>'
    pdf = render_pdf(document_html(extra=extra))
    assert requests == []
    assert page_sizes(pdf)[0] == (210, 297)
    with pytest.raises(ValueError, match="local folder"):
        render_pdf(document_html(), base_url=url + "/")


def test_the_shipped_fonts_carry_their_licence():
    assert sorted(p.name for p in FONT_DIR.iterdir() if p.suffix == ".ttf") == [
        "NotoSerifSC-Bold.ttf",
        "NotoSerifSC-Regular.ttf",
    ]
    assert "SIL OPEN FONT LICENSE Version 1.1" in (FONT_DIR / "OFL.txt").read_text("utf-8")


def test_a_qr_code_is_an_svg_data_url_that_changes_with_its_text():
    first, second = qr_data_uri(VERIFY), qr_data_uri(VERIFY.replace("ab", "cd", 1))
    assert first.startswith("data:image/svg+xml")
    assert first != second
