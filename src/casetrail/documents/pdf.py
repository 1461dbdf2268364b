"""Documents as PDF: HTML to A4 PDF with WeasyPrint, in a font that every machine has.

A document's template extends ``documents/pdf_base.html`` (the layout of a Chinese official
document after GB/T 9704-2012: issuing agency, document number, red rule, title, body, seal
position with the date, and the verification QR code at the foot of the last page) and the
caller hands the rendered HTML to `render_pdf`.

Chinese is set in Noto Serif SC, shipped in ``fonts/`` (SIL OFL 1.1, fonts/README.md): its
faces are declared here with ``@font-face`` rules whose sources are file URLs into the
package, so the text renders the same on a fresh machine, for any user, with no fontconfig
setup and no system CJK font. WeasyPrint embeds only the glyphs a document uses
(docs/decisions/0009-documents-pdf-and-signatures.md).

Rendering reads nothing from the network: the URL fetcher admits ``data:`` URLs (the QR
code) and files inside the font folder or below the caller's ``base_url`` folder, and
refuses the rest.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import segno
import weasyprint
from weasyprint.text.fonts import FontConfiguration

FONT_DIR = Path(__file__).resolve().parent / "fonts"
# The family name the templates ask for; the faces behind it are the shipped files.
FONT_FAMILY = "Casetrail Serif"
FONT_FACES = (("normal", "NotoSerifSC-Regular.ttf"), ("bold", "NotoSerifSC-Bold.ttf"))


def font_faces_css() -> str:
    """The ``@font-face`` rules of the shipped faces, with file URLs into the package."""
    return "\n".join(
        f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; '
        f'src: url("{(FONT_DIR / name).as_uri()}") format("truetype"); }}'
        for weight, name in FONT_FACES
    )


class _LocalFetcher(weasyprint.URLFetcher):  # type: ignore[misc]  # WeasyPrint is untyped
    """Fetches ``data:`` URLs and files below the given folders; refuses everything else,
    so a document's content can never make the renderer reach the network or read a file
    elsewhere on the server."""

    def __init__(self, roots: tuple[Path, ...]) -> None:
        super().__init__(allowed_protocols=("data", "file"))
        self._roots = roots

    def fetch(self, url: str, headers: Any = None) -> Any:
        parts = urlsplit(url)
        if parts.scheme.lower() == "file":
            if parts.netloc not in ("", "localhost"):
                raise ValueError(f"refusing a file URL on another host: {url}")
            path = Path(url2pathname(unquote(parts.path))).resolve()
            if not any(path.is_relative_to(root) for root in self._roots):
                raise ValueError(f"refusing a file outside the document's folders: {url}")
        elif parts.scheme.lower() != "data":
            raise ValueError(f"refusing to fetch {url}: documents render from local files only")
        return super().fetch(url, headers)


_local = threading.local()


def _fonts() -> tuple[FontConfiguration, weasyprint.CSS]:
    """This thread's font configuration with the shipped faces loaded into it.

    Made once per thread, not per document: loading a face copies the font file and has
    fontconfig scan it, which costs more than laying out a page. (A FontConfiguration is
    not safe to share between threads.)
    """
    cached: tuple[FontConfiguration, weasyprint.CSS] | None = getattr(_local, "fonts", None)
    if cached is None:
        config = FontConfiguration()
        css = weasyprint.CSS(
            string=font_faces_css(), font_config=config, url_fetcher=_LocalFetcher((FONT_DIR,))
        )
        cached = (config, css)
        _local.fonts = cached
    return cached


def _roots(base_url: str | None) -> tuple[Path, ...]:
    if base_url is None:
        return (FONT_DIR,)
    parts = urlsplit(base_url)
    if parts.scheme and parts.scheme.lower() != "file":
        raise ValueError(f"base_url must be a local folder or file URL, not {base_url!r}")
    raw = url2pathname(unquote(parts.path)) if parts.scheme else base_url
    base = Path(raw).resolve()
    folder = base if base_url.endswith("/") or base.is_dir() else base.parent
    return (FONT_DIR, folder)


def render_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """The PDF of ``html`` (A4 unless its CSS says otherwise), with the shipped CJK faces.

    ``base_url`` resolves the document's relative URLs (an agency's emblem, say); it must be
    a local folder or a ``file:`` URL, and only files below it can be read.
    """
    config, faces = _fonts()
    document = weasyprint.HTML(
        string=html, base_url=base_url, url_fetcher=_LocalFetcher(_roots(base_url))
    )
    pdf: bytes = document.write_pdf(stylesheets=[faces], font_config=config)
    return pdf


def qr_data_uri(text: str) -> str:
    """A QR code of ``text`` as an SVG ``data:`` URL, for an ``<img>`` in a document.

    Error correction M (15%): a printed copy still scans with a fold or a stamp across it.
    The size on paper is set by the template's CSS; the SVG scales without blurring.
    """
    code = segno.make(text, error="m", micro=False)
    uri: str = code.svg_data_uri(scale=4, border=0, dark="#000", light=None)
    return uri
