"""A two-page Chinese document rendered and signed (issue 10: p95 < 500 ms). Prints, asserts
nothing but its own set-up.

    .venv/bin/python benchmarks/document_render.py [--runs 50]

A 扣押决定书 with its 扣押清单 (a table of 12 seized items), laid out by
``documents/pdf_base.html``, two A4 pages, rendered by `documents.pdf.render_pdf` with the
shipped Noto Serif SC and signed once by `documents.sealing.PadesSealer` (a demo agency CA made
in memory, EC P-256). On one core, after one warm-up render (the first render in a process also
loads the faces into fontconfig: printed apart), p50/p95 of:

1. render alone, seal alone (one incremental signature on the rendered PDF), render + seal,
   and check (validating the signature, with pyHanko's difference analysis);
2. baselines beside it: a one-page document (three items, no statement of facts); the same
   document rendered with fontTools subsetting the font instead of HarfBuzz (a machine without
   libharfbuzz-subset0); and, where Debian's fonts-noto-cjk is installed, the same document in
   the system's Noto Serif CJK instead of the shipped font.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
NUMBER = "江公(东)扣字〔2026〕37号"

DOCUMENT = """{% extends "documents/pdf_base.html" %}
{% block agency %}江东市公安局东区分局{% endblock %}
{% block number %}{{ number }}{% endblock %}
{% block title %}扣押决定书{% endblock %}
{% block body %}
<p>{{ decision }}</p>
<p>{{ facts }}</p>
<p>扣押清单：</p>
<table>
<thead><tr><th>编号</th><th>名称</th><th>数量</th><th>特征</th><th>备注</th></tr></thead>
<tbody>{% for item in items %}<tr><td>{{ forloop.counter }}</td><td>{{ item.0 }}</td>
<td>{{ item.1 }}</td><td>{{ item.2 }}</td><td>{{ item.3 }}</td></tr>{% endfor %}</tbody>
</table>
{% endblock %}
{% block seal %}<p>江东市公安局东区分局</p><p>2026年3月10日</p>{% endblock %}
{% block qr %}<img src="{{ qr }}" alt=""><p>核验：{{ verify }}</p>{% endblock %}
"""

ITEMS = (
    [("电动自行车", "1辆", f"红色，车架号LYJ2025031200{i:02d}", "已拍照") for i in range(4)]
    + [("手机", "1部", f"黑色，IMEI 86451203{i * 7919:07d}", "已封存") for i in range(4)]
    + [("现金", f"{500 + i * 100}元", "人民币，面额100元", "存入涉案财物专户") for i in range(4)]
)

DECISION = (
    "根据《中华人民共和国刑事诉讼法》第一百四十一条之规定，本局决定扣押张三丰持有的下列物品、文件。"
    "持有人对扣押物品有异议的，可以在收到本决定书之日起五日内向本局提出。"
)
FACTS = (
    "经查，犯罪嫌疑人张三丰于2026年2月至3月间，在江东市东区幸福路、东湖路一带多次盗窃他人电动自行车，"
    "涉案价值共计人民币三万余元。上述物品系在其住处及其使用的车辆内查获，与本案有关，"
    "可能作为证明犯罪嫌疑人有罪或者无罪的证据，依法予以扣押。扣押时，持有人及见证人在场，"
    "对扣押物品逐一清点，当场开列清单一式三份，由侦查人员、持有人和见证人签名或者盖章。"
)


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def line(label: str, p50_p95: tuple[float, float], extra: str = "") -> None:
    p50, p95 = p50_p95
    print(f"  {label:<48} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms{extra}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    os.environ.setdefault("CASETRAIL_DATA_DIR", tempfile.mkdtemp(prefix="casetrail-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "casetrail.config.settings.dev"
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    sys.path.insert(0, str(ROOT / "src"))

    import django

    django.setup()
    from django.template import Context, Template
    from pyhanko.pdf_utils.reader import PdfFileReader
    from weasyprint.pdf import fonts as weasy_fonts

    from casetrail.documents.pdf import qr_data_uri, render_pdf
    from casetrail.documents.sealing import PadesSealer, make_demo_ca

    template = Template(DOCUMENT)
    verify = "https://casetrail.example/verify/" + NUMBER + "?sha256=" + "9f" * 32

    def html(items: int = len(ITEMS), facts: str = FACTS) -> str:
        return template.render(
            Context(
                {
                    "number": NUMBER,
                    "decision": DECISION,
                    "facts": facts,
                    "items": ITEMS[:items],
                    "qr": qr_data_uri(verify),
                    "verify": verify,
                }
            )
        )

    document = html()
    sealer = PadesSealer(make_demo_ca(now=NOW))

    began = time.perf_counter()
    pdf = render_pdf(document)
    first = (time.perf_counter() - began) * 1000
    pages = len(PdfFileReader(BytesIO(pdf)).root["/Pages"]["/Kids"])
    signed = sealer.seal(pdf, field="approved", signer="赵六", reason="负责人批准")
    assert sealer.check(signed)[0].valid
    harfbuzz = weasy_fonts.harfbuzz_subset is not None
    print(
        f"{pages}-page document ({len(ITEMS)}-item list), {len(pdf):,} bytes, "
        f"{len(signed):,} signed; one core, {args.runs} runs; "
        f"subsetter: {'HarfBuzz' if harfbuzz else 'fontTools (no libharfbuzz-subset0)'}"
    )
    print(f"  first render in the process (loads the faces): {first:.0f} ms")
    line("render", timed(lambda: render_pdf(document), args.runs))
    line(
        "seal (one incremental signature)",
        timed(lambda: sealer.seal(pdf, field="a", signer="赵六", reason="批准"), args.runs),
    )
    line(
        "render + seal",
        timed(
            lambda: sealer.seal(render_pdf(document), field="a", signer="赵六", reason="批准"),
            args.runs,
        ),
    )
    line(
        "check (validate, with difference analysis)", timed(lambda: sealer.check(signed), args.runs)
    )

    print("baselines:")
    one_page = html(items=3, facts="")
    assert len(PdfFileReader(BytesIO(render_pdf(one_page))).root["/Pages"]["/Kids"]) == 1
    line("render, one page (3 items, no facts)", timed(lambda: render_pdf(one_page), args.runs))
    if harfbuzz:
        saved = weasy_fonts.harfbuzz_subset
        weasy_fonts.harfbuzz_subset = None  # WeasyPrint falls back to fontTools
        try:
            runs = max(5, args.runs // 5)
            line("render, fontTools subsetting", timed(lambda: render_pdf(document), runs))
        finally:
            weasy_fonts.harfbuzz_subset = saved
    system = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
    if system.exists():
        in_system_font = document.replace(
            '"Casetrail Serif", serif', '"Noto Serif CJK SC", serif'
        ).replace("</style>", '* { font-family: "Noto Serif CJK SC" !important }</style>')
        line(
            "render, system Noto Serif CJK (fonts-noto-cjk)",
            timed(lambda: render_pdf(in_system_font), args.runs),
        )
    else:
        print("  (fonts-noto-cjk not installed: no system-font baseline)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
