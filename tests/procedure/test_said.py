"""The engine's explanation as sentences: each step and provisional reason a template marked for
the catalogue and its values, said in English exactly as the engine has always written it, in
another language through a translate, and kept in JSON and back; citations in Chinese; the
extensions of a rule described the same way."""

from __future__ import annotations

import json
from datetime import date

import pytest

from casetrail.procedure import (
    ChinaCalendar,
    Citation,
    NoticeCalendar,
    RoleName,
    Said,
    Term,
    compute,
    load_pack,
    parse_notice,
)
from casetrail.procedure.calendars import provisional_said, walk_working_days_said
from casetrail.procedure.said import amount, unit_word
from tests.procedure.test_statute_examples import ROWS

# The engine's English for two deadlines, as it wrote them before the steps became sentences.
ARREST_REQUEST_SPECIAL_4 = [
    "CN-CPL91-ARREST-REQUEST (Criminal Procedure Law of the PRC (2018), art. 91, paras. 1-2), "
    "in force on 2026-09-30",
    "trigger (the person is detained (拘留 executed)): 2026-09-30 20:00:00 +08:00 (Asia/Shanghai)",
    "trigger day 2026-09-30 not counted (CPL art. 105): 3 days, last day 2026-10-03",
    "extension special (CPL art. 91(1); MPS Provisions on Criminal Cases (2020) art. 129(1); "
    "approved by agency_head): chained from the unshifted last day 2026-10-03, 4 days: last day "
    "2026-10-07 (7 days in all)",
    "last day 2026-10-07 is a holiday, custody period: not shifted (CPL art. 105)",
    "the period runs to the end of its last day, 2026-10-07 23:59:59",
    "due: 2026-10-07 23:59:59 +08:00 (Asia/Shanghai)",
    "warning 1 day before: 2026-10-06 23:59:59 +08:00 (Asia/Shanghai)",
]
DELIVERY = [
    "CN-CPL85-DELIVER-24H (Criminal Procedure Law of the PRC (2018), art. 85, para. 2), in force "
    "on 2026-09-30",
    "trigger (the person is detained (拘留 executed)): 2026-09-30 20:00:00 +08:00 (Asia/Shanghai)",
    "exact elapsed time: 24 hours from 2026-09-30 20:00:00 +08:00 (Asia/Shanghai), counted in UTC "
    "(clock changes neither lengthen nor shorten it)",
    "due: 2026-10-01 20:00:00 +08:00 (Asia/Shanghai)",
    "warning 4 hours before: 2026-10-01 16:00:00 +08:00 (Asia/Shanghai)",
]

# A stand-in catalogue: enough to see every kind of value said in another language.
CATALOGUE = {
    "trigger day %(start)s not counted (%(basis)s): %(n)s days, last day %(last)s": (
        "起算日%(start)s不计入（%(basis)s）：%(n)s日，最后一日为%(last)s"
    ),
    "last day %(last)s is a holiday, custody period: not shifted (%(basis)s)": (
        "最后一日%(last)s为节假日，羁押期限不顺延（%(basis)s）"
    ),
    "warning %(amount)s before: %(at)s": "届满前%(amount)s预警：%(at)s",
    "%(n)s day": "%(n)s日",
    "trigger (%(trigger)s): %(at)s": "起算事件（%(trigger)s）：%(at)s",
    "%(rule)s (%(citation)s), in force on %(day)s": "%(rule)s（%(citation)s），%(day)s时有效",
    "extension %(id)s (%(citation)s; approved by %(who)s): chained from the unshifted last day "
    "%(before)s, %(how)s: last day %(last)s (%(total)s %(unit)s in all)": (
        "延长%(id)s（%(citation)s；审批人：%(who)s）：自未顺延的最后一日%(before)s接续计算，"
        "%(how)s：最后一日为%(last)s（共%(total)s%(unit)s）"
    ),
    "%(n)s days": "%(n)s日",
    "days": "日",
}
ROLES = {"agency_head": "机关负责人"}


def chinese(text: str) -> str:
    return CATALOGUE.get(text, text)


def test_the_english_explanation_is_what_the_engine_always_wrote():
    special = compute(
        "CN-CPL91-ARREST-REQUEST", "2026-09-30T20:00", pack="cn", extensions=["special=4"]
    )
    assert list(special.explanation) == ARREST_REQUEST_SPECIAL_4
    assert [str(step) for step in special.explanation_said] == ARREST_REQUEST_SPECIAL_4
    delivery = compute("CN-CPL85-DELIVER-24H", "2026-09-30T20:00", pack="cn")
    assert list(delivery.explanation) == DELIVERY
    assert delivery.to_dict()["explanation"] == DELIVERY


@pytest.mark.parametrize(("pack", "case"), [r for r in ROWS if "due" in r.values[1]])
def test_every_step_of_every_statute_example_goes_through_json_and_back(pack, case):
    deadline = compute(
        case["rule"],
        case["trigger"],
        pack=pack,
        extensions=case.get("extend", []),
        params=case.get("params", {}),
    )
    said = (*deadline.explanation_said, *deadline.provisional_reasons_said)
    stored = json.loads(json.dumps([s.as_json() for s in said]))
    assert tuple(Said.from_json(s) for s in stored) == said
    assert tuple(str(s) for s in said) == (*deadline.explanation, *deadline.provisional_reasons)


def test_a_step_is_said_in_the_language_of_the_translate():
    special = compute(
        "CN-CPL91-ARREST-REQUEST", "2026-09-30T20:00", pack="cn", extensions=["special=4"]
    )
    said = [s.said(chinese, chinese=True, role=ROLES.get) for s in special.explanation_said]
    assert said[0] == (
        "CN-CPL91-ARREST-REQUEST（《中华人民共和国刑事诉讼法》第91条第1款至第2款），"
        "2026-09-30时有效"
    )
    assert said[1] == "起算事件（执行拘留）：2026-09-30 20:00:00 +08:00 (Asia/Shanghai)"
    assert said[2] == "起算日2026-09-30不计入（CPL art. 105）：3日，最后一日为2026-10-03"
    assert said[3] == (
        "延长special（CPL art. 91(1); MPS Provisions on Criminal Cases (2020) art. 129(1)；"
        "审批人：机关负责人）：自未顺延的最后一日2026-10-03接续计算，4日：最后一日为2026-10-07"
        "（共7日）"
    )
    assert said[4] == "最后一日2026-10-07为节假日，羁押期限不顺延（CPL art. 105）"
    assert said[7] == "届满前1日预警：2026-10-06 23:59:59 +08:00 (Asia/Shanghai)"


def test_values_are_said_by_their_kind():
    sentence = Said.of(
        "%(who)s cites %(law)s %(n)s times, %(nested)s",
        who=RoleName("agency_head"),
        law=Term("CPL", ""),
        n=2,
        nested=Said("once"),
    )
    assert str(sentence) == "agency_head cites CPL 2 times, once"
    catalogue = {
        "%(who)s cites %(law)s %(n)s times, %(nested)s": "%(who)s引用%(law)s%(n)s次，%(nested)s",
        "once": "一次",
    }
    # A Term without Chinese is said in English; a role through the reader's role names.
    assert sentence.said(lambda t: catalogue.get(t, t), chinese=True, role=ROLES.get) == (
        "机关负责人引用CPL2次，一次"
    )
    assert Said("no values, 100% plain").said(chinese) == "no values, 100% plain"
    assert Said.from_json(sentence.as_json()) == sentence
    assert sentence.as_json()["params"] == {
        "who": {"role": "agency_head"},
        "law": {"en": "CPL", "zh": ""},
        "n": 2,
        "nested": {"template": "once", "params": {}},
    }


@pytest.mark.parametrize(
    "stored",
    [
        {"params": {}},
        {"template": "x", "params": []},
        {"template": "%(x)s", "params": {"x": True}},
        {"template": "%(x)s", "params": {"x": 1.5}},
        {"template": "%(x)s", "params": {"x": {"what": "?"}}},
        {"template": "%(x)s", "params": {"x": {"role": "a", "more": "b"}}},
    ],
)
def test_only_what_as_json_writes_is_read_back(stored):
    with pytest.raises(ValueError, match="not a stored"):
        Said.from_json(stored)


def test_amounts_and_units_are_said_as_the_engine_writes_them():
    for unit in ("minutes", "hours", "days", "months"):
        assert str(unit_word(unit)) == unit
        for value in (1, 2):
            expected = f"{value} {unit[:-1] if value == 1 else unit}"
            assert str(amount(value, unit)) == expected


@pytest.mark.parametrize(
    ("article", "paragraph", "expected"),
    [
        ("art. 85", "para. 2", "《中华人民共和国刑事诉讼法》第85条第2款"),
        ("art. 86", "", "《中华人民共和国刑事诉讼法》第86条"),
        ("", "", "《中华人民共和国刑事诉讼法》"),
        ("art. 91", "paras. 1-2", "《中华人民共和国刑事诉讼法》第91条第1款至第2款"),
        ("art. 179", "paras. 1, 3", "《中华人民共和国刑事诉讼法》第179条第1款、第3款"),
        ("art. 36", "para. 1(2)", "《中华人民共和国刑事诉讼法》第36条第1款第2项"),
        ("arts. 16, 92, 103", "", "《中华人民共和国刑事诉讼法》第16条、第92条、第103条"),
        ("article unverified", "", "《中华人民共和国刑事诉讼法》article unverified"),
        (
            "review time limits (受案立案审查期限)",
            "criminal cases",
            "《中华人民共和国刑事诉讼法》review time limits (受案立案审查期限), criminal cases",
        ),
        ("art. 85", "paras. 2 and 3", "《中华人民共和国刑事诉讼法》第85条, paras. 2 and 3"),
        ("art. 85", "(2)", "《中华人民共和国刑事诉讼法》第85条, (2)"),
    ],
)
def test_a_citation_in_chinese(article, paragraph, expected):
    citation = Citation(
        "Criminal Procedure Law", "中华人民共和国刑事诉讼法", "2018", article, paragraph
    )
    assert citation.in_chinese() == expected
    assert citation.term() == Term(str(citation), expected)


def test_a_law_without_a_chinese_name_is_cited_in_english_only():
    rule = load_pack("gb_eng").resolve("EW-PACE41-24H", date(2026, 3, 10))
    assert rule.citation.in_chinese() == ""
    step = Said.of("%(c)s", c=rule.citation.term())
    assert step.said(chinese, chinese=True) == str(rule.citation)


def test_an_extension_is_described_as_before_and_said_with_the_role_named():
    rule = load_pack("cn").resolve("CN-CPL91-ARREST-REQUEST", date(2026, 9, 30))
    described = [ext.described() for ext in rule.extensions]
    assert [str(d) for d in described] == [
        "special: adds N days (N from 1 to 4), approved by agency_head, once",
        "roving: to 30 days in all, approved by agency_head, once",
    ]
    assert [ext.describe() for ext in rule.extensions] == [str(d) for d in described]
    catalogue = {
        "%(id)s: %(how)s, approved by %(who)s, %(times)s": (
            "%(id)s：%(how)s，审批人：%(who)s，%(times)s"
        ),
        "adds N %(unit)s (N from %(low)s to %(high)s)": "增加N%(unit)s（N为%(low)s至%(high)s）",
        "days": "日",
        "once": "限一次",
    }
    assert described[0].said(lambda t: catalogue.get(t, t), role=ROLES.get) == (
        "special：增加N日（N为1至4），审批人：机关负责人，限一次"
    )


def test_an_extension_described_by_title_is_named_in_the_reader_language():
    """The measure page offers an extension by its title, in Chinese where the pack gives one;
    a gb_eng extension has its English title only."""
    rule = load_pack("cn").resolve("CN-CPL91-ARREST-REQUEST", date(2026, 9, 30))
    special = rule.extension("special").described(by_title=True)
    assert str(special) == (
        "Special circumstances: one to four more days: adds N days (N from 1 to 4), approved "
        "by agency_head, once"
    )
    catalogue = {
        "%(id)s: %(how)s, approved by %(who)s, %(times)s": (
            "%(id)s：%(how)s，审批人：%(who)s，%(times)s"
        ),
        "adds N %(unit)s (N from %(low)s to %(high)s)": "增加N%(unit)s（N为%(low)s至%(high)s）",
        "days": "日",
        "once": "限一次",
    }
    assert special.said(lambda t: catalogue.get(t, t), chinese=True, role=ROLES.get) == (
        "特殊情况下，提请审查批准的时间延长一日至四日：增加N日（N为1至4），审批人：机关负责人，限一次"
    )
    assert Said.from_json(json.loads(json.dumps(special.as_json()))) == special
    pace = load_pack("gb_eng").resolve("EW-PACE41-24H", date(2026, 3, 10))
    s42 = pace.extension("s42").described(by_title=True)
    assert s42.said(chinese, chinese=True).startswith(
        "Superintendent's authorisation of continued detention"
    )


def test_an_extension_decided_by_another_body_and_allowed_more_than_once():
    rule = load_pack("cn").resolve("CN-PSAPL2025-CASE118", date(2026, 3, 10))
    (ext,) = rule.extensions
    assert ext.describe() == (
        "next-higher: adds 30 days, approved by agency_head; decided by the public security "
        "organ at the next level up (上一级公安机关), or for a police station the organ it belongs "
        "to, at most 2 times"
    )
    said = ext.described()
    assert str(said) == ext.describe()
    assert Said.from_json(json.loads(json.dumps(said.as_json()))) == said


def test_a_provisional_reason_is_a_sentence_with_its_year():
    china = ChinaCalendar()
    reason = provisional_said(china, date(2027, 3, 8))
    assert reason is not None
    assert dict(reason.params) == {"year": 2027}
    assert str(reason) == china.provisional_reason(date(2027, 3, 8))
    assert provisional_said(china, date(2026, 3, 9)) is None
    last, reasons = walk_working_days_said(china, date(2026, 12, 30), 2)
    assert last == date(2027, 1, 4)
    assert reasons == (reason,)


def test_a_notice_calendar_says_why_through_its_base_where_no_notice_decides():
    notice = parse_notice(
        'calendar = "cn"\nyear = 2027\nsource = "test"\nholidays = [2027-01-01]\n'
    )
    calendar = NoticeCalendar(ChinaCalendar(), [notice])
    assert calendar.provisional_said(date(2027, 3, 8)) is None
    assert provisional_said(calendar, date(2028, 3, 8)) == provisional_said(
        ChinaCalendar(), date(2028, 3, 8)
    )


def test_a_calendar_that_words_its_reasons_itself_is_shown_as_it_words_them():
    class Plain:
        name = "cn"

        def is_holiday(self, day: date) -> bool:
            return day.weekday() >= 5

        def provisional_reason(self, day: date) -> str | None:
            return "a guess, 100%" if day.year > 2026 else None

    assert provisional_said(Plain(), date(2026, 3, 9)) is None
    reason = provisional_said(Plain(), date(2027, 3, 9))
    assert reason == Said("a guess, 100%")
    assert reason.said(chinese) == "a guess, 100%"
    deadline = compute("CN-OGI2019-ANSWER-20WD", "2026-12-20T10:00", pack="cn", calendar=Plain())
    assert deadline.provisional_reasons == ("a guess, 100%",)
    assert deadline.provisional_reasons_said == (Said("a guess, 100%"),)
