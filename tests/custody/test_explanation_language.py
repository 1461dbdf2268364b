"""A deadline's explanation, provisional reasons, citation, offered extensions and status note
are said in the officer's language on the custody pages; the row keeps each step as the engine's
sentence and its values, the API keeps answering with the engine's English lines, and a row
written before (plain English lines) is shown as it is.

The Chinese sentences come from the catalogue (src/casetrail/locale): the tests marked
``needs the catalogue`` pass once the msgids of procedure/said.py, deadlines.py, counting.py,
calendars.py, model.py and custody/alerts.py are translated there."""

from __future__ import annotations

import html
import json
from datetime import datetime

from casetrail import procedure
from casetrail.custody import alerts, clocks
from casetrail.custody.models import Deadline
from tests.conftest import login
from tests.custody.conftest import SHANGHAI, deadline, run_measure

EVE = datetime(2026, 9, 30, 14, 0, tzinfo=SHANGHAI)
DETAINED = datetime(2026, 9, 30, 20, 0, tzinfo=SHANGHAI)
REQUEST = "CN-CPL91-ARREST-REQUEST"
DELIVERY = "CN-CPL85-DELIVER-24H"


def _detention(s):
    case = s.world.case()
    person = s.suspect(case)
    return run_measure(s, case, person, "criminal_detention", DETAINED)


def _page(s, detail, language: str) -> str:
    response = login(s.world.handler1, language).get(f"/custody/measures/{detail['id']}/")
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_a_deadline_keeps_each_step_as_a_sentence_and_its_values(scene):
    s = scene(EVE)
    detail = _detention(s)
    row = Deadline.objects.get(pk=deadline(detail, REQUEST)["id"])
    engine = procedure.compute(REQUEST, DETAINED, pack="cn")
    assert row.explanation == [step.as_json() for step in engine.explanation_said]
    assert json.loads(json.dumps(row.explanation)) == row.explanation  # JSON through and through
    assert row.explanation[2] == {
        "template": "trigger day %(start)s not counted (%(basis)s): %(n)s days, last day %(last)s",
        "params": {"start": "2026-09-30", "basis": "CPL art. 105", "n": 3, "last": "2026-10-03"},
    }
    # In English, each stored step is the line the engine writes, and the API still gives those.
    assert [clocks.in_english(step) for step in row.explanation] == list(engine.explanation)
    assert deadline(detail, REQUEST)["explanation"] == list(engine.explanation)


def test_the_measure_page_explains_a_deadline_in_english(scene):
    s = scene(EVE)
    page = _page(s, _detention(s), "en")
    assert "trigger day 2026-09-30 not counted (CPL art. 105): 3 days, last day 2026-10-03" in page
    assert "last day 2026-10-03 is a holiday, custody period: not shifted (CPL art. 105)" in page
    assert "due: 2026-10-01 20:00:00 +08:00 (Asia/Shanghai)" in page
    assert "Criminal Procedure Law of the PRC (2018), art. 85, para. 2" in page
    # The extensions offered by title name the approver by the role's name, not its code.
    assert (
        "Special circumstances: one to four more days: adds N days (N from 1 to 4), approved by "
        "agency head, once"
    ) in page
    assert "agency_head, once" not in page


def test_the_measure_page_cites_the_law_and_names_roles_in_chinese(scene):
    """The citation and the trigger are the pack's own Chinese; the role is the catalogue's."""
    s = scene(EVE)
    page = _page(s, _detention(s), "zh-hans")
    assert "《中华人民共和国刑事诉讼法》第85条第2款" in page
    assert "《中华人民共和国刑事诉讼法》第91条第1款至第2款" in page
    assert "Criminal Procedure Law of the PRC (2018), art. 85, para. 2" in page  # its title
    assert "执行拘留" in page
    assert "机关负责人" in page


def test_the_measure_page_explains_a_deadline_in_chinese(scene):
    """Needs the catalogue."""
    s = scene(EVE)
    page = _page(s, _detention(s), "zh-hans")
    assert "起算日2026-09-30不计入（CPL art. 105）：3日，最后一日为2026-10-03" in page
    assert "最后一日2026-10-03为节假日，羁押期限不顺延（CPL art. 105）" in page
    assert "届满：2026-10-01 20:00:00 +08:00 (Asia/Shanghai)" in page
    assert "届满前4小时预警：2026-10-01 16:00:00 +08:00 (Asia/Shanghai)" in page
    assert "按实际经过时间计算：自2026-09-30 20:00:00 +08:00 (Asia/Shanghai)起24小时" in page
    assert (
        "CN-CPL85-DELIVER-24H（《中华人民共和国刑事诉讼法》第85条第2款），2026-09-30时有效"
    ) in page
    assert (
        "特殊情况下，提请审查批准的时间延长一日至四日：增加N日（N为1至4），审批人：机关负责人，限一次"
    ) in page
    for english in ("not counted", "custody period", "due:", "in force on", "approved by"):
        assert english not in page, english


def test_a_row_written_before_shows_its_plain_lines_as_they_are(scene):
    s = scene(EVE)
    detail = _detention(s)
    old = ["CN-CPL85-DELIVER-24H (an old line)", "due: 2026-10-01 20:00:00 +08:00 (old)"]
    Deadline.objects.filter(pk=deadline(detail, DELIVERY)["id"]).update(
        explanation=old, provisional=True, provisional_reasons=["an old reason, in English"]
    )
    for language in ("en", "zh-hans"):
        page = _page(s, detail, language)
        assert all(line in page for line in old)
        assert "an old reason, in English" in page
    again = s.api(s.world.handler1).get(f"/custody/measures/{detail['id']}").json()
    assert deadline(again, DELIVERY)["explanation"] == old  # the API too
    assert deadline(again, DELIVERY)["provisional_reasons"] == ["an old reason, in English"]


def test_the_missed_note_is_said_in_the_reader_language(scene):
    """The Chinese half needs the catalogue."""
    s = scene(EVE)
    detail = _detention(s)
    s.at(datetime(2026, 10, 1, 20, 30, tzinfo=SHANGHAI))
    assert alerts.sweep().missed
    row = Deadline.objects.get(pk=deadline(detail, DELIVERY)["id"])
    assert row.status_reason == alerts.MISSED_REASON  # kept in English on the row
    assert alerts.MISSED_REASON in _page(s, detail, "en")
    page = _page(s, detail, "zh-hans")
    assert "期限届满时未完成；在记录处理情况之前一直保留在看板上" in page
    assert alerts.MISSED_REASON not in page


def test_the_measure_page_names_its_approver_by_the_role_not_its_code(scene):
    """The header read "approved by <code>agency_head</code>" in either language."""
    s = scene(EVE)
    detail = _detention(s)
    english, chinese = _page(s, detail, "en"), _page(s, detail, "zh-hans")
    assert "approved by agency head (" in english
    assert "审批人 机关负责人 (" in chinese
    assert "<code>agency_head</code>" not in english + chinese
    assert "(agency_head)" not in english + chinese  # the approvals list below
