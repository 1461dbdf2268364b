"""The catalogue of legal documents: the shipped data, its validation, numbering and bodies.

The statute behind each rule is cited at its test. "MPS Provisions" is the MPS Provisions on
Procedures for Handling Criminal Cases (2020), "MPS Provisions (admin)" those on Administrative
Cases (2012, amended 2014 and 2018), PSAPL the Public Security Administration Punishments Law.
"""

from __future__ import annotations

import copy
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from hypothesis import given
from hypothesis import strategies as st

from casetrail.custody.measures import SPECS, Duty
from casetrail.documents import docgen
from casetrail.documents.catalogue import (
    TEMPLATES_DIR,
    CatalogueError,
    DocumentType,
    catalogue,
    document_type,
    for_step,
    format_number,
    load_catalogue,
    render_body,
)

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS_MD = ROOT / "docs" / "documents.md"

# The documents issue 10 asks for, by title.
REQUIRED_CN = (
    "受案回执",
    "受案登记表",
    "立案决定书",
    "不予立案通知书",
    "传唤证",
    "拘传证",
    "拘留证",
    "拘留通知书",
    "提请批准逮捕书",
    "逮捕证",
    "逮捕通知书",
    "取保候审决定书",
    "监视居住决定书",
    "扣押决定书",
    "扣押清单",
    "发还清单",
    "行政处罚告知笔录",
    "行政处罚决定书",
    "不予行政处罚决定书",
    "撤销案件决定书",
    "起诉意见书",
    "延长拘留期限通知书",
)
REQUIRED_GB = (
    "Notice of rights and entitlements",
    "Custody record (print)",
    "Authorisation of continued detention (PACE s.42)",
    "Charge sheet",
    "Bail notice",
)

# What each body says that no other type says: the legal act it performs.
KEY_TEXT = {
    "acceptance_receipt": "我单位已受理",
    "acceptance_register": "受案意见",
    "registration_decision": "立案侦查",
    "nonregistration_notice": "决定不予立案",
    "criminal_summons": "第一百一十九条",
    "compelled_appearance_warrant": "执行拘传",
    "criminal_detention_warrant": "执行拘留",
    "detention_family_notice": "刑事拘留，现羁押在",
    "detention_extension_notice": "延长拘留期限至",
    "arrest_request": "特提请批准逮捕",
    "arrest_warrant": "执行逮捕",
    "arrest_family_notice": "逮捕，现羁押在",
    "custody_extension_request": "延长侦查羁押期限",
    "bail_decision": "决定对其取保候审",
    "surveillance_decision": "决定对其监视居住",
    "seizure_decision": "决定扣押",
    "seizure_list": "一式三份",
    "return_list": "发还给",
    "admin_summons": "接受询问调查",
    "penalty_notice_record": "陈述和申辩",
    "penalty_decision": "申请行政复议",
    "no_penalty_decision": "不予行政处罚",
    "case_withdrawal_decision": "决定撤销此案",
    "prosecution_opinion": "移送审查起诉",
    "rights_notice": "free of charge",
    "custody_record_copy": "Custody record of",
    "s42_authorisation": "section 42(1)",
    "charge_sheet": "You are charged that",
    "bail_notice": "surrender to custody",
}
CLASSES = {"para", "field", "blank", "items", "signline"}
WHOLE = 4321
MONEY = Decimal("8765.43")
DAY = date(2027, 5, 19)


def all_types() -> list[DocumentType]:
    return [*catalogue("cn").values(), *catalogue("gb_eng").values()]


def param_values(doc: DocumentType) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for param in doc.params:
        values[param.name] = {
            "text": f"P:{param.name}",
            "whole": WHOLE,
            "money": MONEY,
            "day": DAY,
        }[param.kind]
    return values


def shown(value: Any, pack: str) -> str:
    """A parameter's value as the body prints it."""
    if isinstance(value, date):
        if pack == "cn":
            return f"{value.year}年{value.month}月{value.day}日"
        return f"{value.day} {value:%B %Y}"
    return str(value)


def full_context(doc: DocumentType) -> dict[str, Any]:
    started = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)
    return {
        "doc": {"title": doc.title_zh, "number": "江公(东)拘字〔2026〕12号", "type": doc.id},
        "agency": {"name": "江城市公安局东区分局"},
        "case": {
            "number": "JCDQ-2026-000012",
            "title": "张三丰盗窃案",
            "summary": "三月八日晚在和平路商场盗窃手提包一个",
            "kind": "criminal",
            "category": "盗窃罪",
            "opened_at": datetime(2026, 3, 8, 14, 0, tzinfo=UTC),
        },
        "incident": {
            "receipt_number": "JB-2026-000345",
            "received_at": datetime(2026, 3, 8, 13, 30, tzinfo=UTC),
            "reporter_name": "李四海",
            "location": "江城市东区和平路商场",
            "summary": "手提包被盗",
        },
        "parties": [
            {
                "name": "李四海",
                "role": "victim",
                "role_label": "被害人",
                "id_type_label": "居民身份证",
                "id_number": "110101198001010011",
                "birth_date": date(1980, 1, 1),
            }
        ],
        "person": {
            "name": "张三丰",
            "id_type_label": "居民身份证",
            "id_number": "110101196204090013",
            "birth_date": date(1962, 4, 9),
            "age": 63,
        },
        "measure": {
            "kind": "criminal_detention",
            "kind_label": "刑事拘留",
            "reason": "现行犯，被害人指认",
            "params": {},
            "started_at": started,
            "approver_label": "县级以上公安机关负责人",
            "citation": "CPL art. 82",
        },
        "items": [
            {
                "code": "W-0001",
                "description": "黑色皮质手提包",
                "quantity": 1,
                "unit": "个",
                "owner": "李四海",
            }
        ],
        "params": param_values(doc),
        "particulars": "经查，犯罪嫌疑人于三月八日晚窃取被害人手提包。",
        "issued_on": date(2026, 3, 10),
        "handlers": ["王一民", "赵二平"],
    }


@pytest.fixture
def bodies(settings: Any) -> None:
    """The body templates are found once casetrail.documents is an installed app (the models
    part of issue 10 installs it); until then, by their folder."""
    if apps.is_installed("casetrail.documents"):
        return
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], str(TEMPLATES_DIR)]
    settings.TEMPLATES = templates


# ------------------------------------------------------------------------- the shipped data


def test_both_catalogues_load_with_every_document_the_issue_asks_for() -> None:
    cn_titles = [t.title_zh for t in catalogue("cn").values()]
    gb_titles = [t.title_en for t in catalogue("gb_eng").values()]
    assert [title for title in REQUIRED_CN if title not in cn_titles] == []
    assert [title for title in REQUIRED_GB if title not in gb_titles] == []


def test_the_criminal_and_the_administrative_summons_are_two_types_on_different_bases() -> None:
    # CPL art. 119 and MPS Provisions arts. 198-199; PSAPL (2012) art. 82 / (2025) art. 96 and
    # MPS Provisions (admin) arts. 67-68.
    criminal = document_type("cn", "criminal_summons")
    administrative = document_type("cn", "admin_summons")
    assert criminal.title_zh == administrative.title_zh == "传唤证"
    assert "CPL art. 119" in criminal.basis
    assert "PSAPL (2025) art. 96" in administrative.basis
    assert criminal.step == "measure:summons"
    assert administrative.step == "measure:admin_summons"


def test_a_detention_warrant_is_approved_by_the_agency_head_and_signed_by_the_detainee() -> None:
    # CPL arts. 82, 85(1); MPS Provisions art. 125: 经县级以上公安机关负责人批准，制作拘留证 ...
    # 责令被拘留人在拘留证上签名、捺指印.
    warrant = document_type("cn", "criminal_detention_warrant")
    assert warrant.approval == ("agency_head",)
    assert warrant.party_signs
    assert warrant.step == "measure:criminal_detention"


def test_a_summons_is_approved_by_the_head_of_the_handling_department() -> None:
    # MPS Provisions art. 198(4): 经办案部门负责人批准; PSAPL (2025) art. 96 the same.
    assert document_type("cn", "criminal_summons").approval == ("unit_leader",)
    assert document_type("cn", "admin_summons").approval == ("unit_leader",)


def test_a_registration_and_a_refusal_to_register_need_the_agency_head() -> None:
    # MPS Provisions art. 178(1): both are 经县级以上公安机关负责人批准.
    assert document_type("cn", "registration_decision").approval == ("agency_head",)
    assert document_type("cn", "nonregistration_notice").approval == ("agency_head",)


def test_the_acceptance_receipt_needs_no_approval_and_goes_to_the_reporter() -> None:
    # MPS Provisions art. 171: 制作受案登记表和受案回执，并将受案回执交扭送人、报案人...
    receipt = document_type("cn", "acceptance_receipt")
    assert receipt.approval == ()
    assert receipt.served_on == "reporter"
    assert receipt.step == "incident:recorded"


def test_the_refusal_to_register_is_served_on_the_complainant_within_three_days() -> None:
    # MPS Provisions art. 178(2): 在三日以内送达控告人.
    notice = document_type("cn", "nonregistration_notice")
    assert notice.served_on == "reporter"
    assert notice.service_rule == "CN-MPS178-NONREG-NOTICE-3D"


def test_a_penalty_decision_is_reviewed_then_decided_and_served_within_two_days() -> None:
    # MPS Provisions (admin) arts. 170-171 (legal review) and 173 (county-level organ decides
    # detention); PSAPL (2012) art. 97 / (2025) art. 116: served within two days.
    decision = document_type("cn", "penalty_decision")
    assert decision.approval == ("legal_reviewer", "agency_head")
    assert decision.service_rule == "CN-PSAPL-PENALTY-SERVICE-2D"
    assert decision.step == "measure:admin_detention"
    assert {p.name: p.kind for p in decision.params}["fine"] == "money"
    assert {p.name: p.kind for p in decision.params}["detention_days"] == "whole"


def test_every_measure_has_exactly_one_document_that_starts_it() -> None:
    # Starting a measure needs its instrument: CPL arts. 66, 74, 80, 82, 119; PACE Code C 3.2.
    for kind, spec in SPECS.items():
        types = for_step(spec.pack, f"measure:{kind.value}")
        assert len(types) == 1, kind


def test_every_family_notice_duty_has_its_notice_served_under_the_same_rule() -> None:
    # CPL art. 85(2) and MPS Provisions art. 127 (detention); CPL art. 93(2) and MPS Provisions
    # art. 145 (arrest): the family is told within twenty-four hours.
    checked = 0
    for kind, spec in SPECS.items():
        for attached in spec.attached:
            if attached.duty != Duty.NOTIFY_FAMILY:
                continue
            (notice,) = for_step(spec.pack, f"notice:{kind.value}")
            assert notice.served_on == "family"
            assert notice.service_rule == attached.rule_id
            checked += 1
    assert checked == 2


def test_the_extension_step_names_one_document_per_pack() -> None:
    # CPL art. 91 and MPS Provisions art. 129 (cn); PACE s.42(1) (gb_eng).
    assert [t.id for t in for_step("cn", "extension")] == ["detention_extension_notice"]
    assert [t.id for t in for_step("gb_eng", "extension")] == ["s42_authorisation"]


def test_titles_follow_the_language() -> None:
    warrant = document_type("cn", "criminal_detention_warrant")
    assert warrant.title("zh-hans") == "拘留证"
    assert warrant.title("en") == "Detention warrant"


def test_an_unknown_type_or_pack_or_step_is_a_catalogue_error_naming_it() -> None:
    with pytest.raises(CatalogueError, match="no_such_type") as unknown:
        document_type("cn", "no_such_type")
    assert (unknown.value.entry, unknown.value.key) == ("no_such_type", "id")
    with pytest.raises(CatalogueError, match="'xx'"):
        catalogue("xx")
    with pytest.raises(CatalogueError, match="measure:parking"):
        for_step("cn", "measure:parking")
    with pytest.raises(CatalogueError, match="'parking' is not one of"):
        for_step("cn", "parking")


def test_the_catalogue_is_a_copy_the_caller_cannot_spoil() -> None:
    catalogue("cn").clear()
    assert catalogue("cn")


# ------------------------------------------------------------------------- numbering


def test_a_number_has_the_full_year_in_brackets_and_no_leading_zeros() -> None:
    # GB/T 9704-2012 7.2.4: 年份应标全称，用六角括号〔〕括入；序号不编虚位（即 1 不编为 01），
    # 不加"第"字.
    warrant = document_type("cn", "criminal_detention_warrant")
    assert format_number(warrant, prefix="江公(东)", year=2026, serial=12) == (
        "江公(东)拘字〔2026〕12号"
    )
    assert format_number(warrant, prefix="江公(东)", year=2026, serial=7).endswith("〔2026〕7号")


def test_a_gb_eng_number_reads_prefix_series_year_serial() -> None:
    charge = document_type("gb_eng", "charge_sheet")
    assert format_number(charge, prefix="ST01", year=2026, serial=9) == "ST01/CH/2026/9"


@pytest.mark.parametrize(("year", "serial"), [(2026, 0), (0, 1), (10000, 1), (2026, -3)])
def test_a_number_out_of_range_is_refused(year: int, serial: int) -> None:
    warrant = document_type("cn", "criminal_detention_warrant")
    with pytest.raises(ValueError, match="out of range"):
        format_number(warrant, prefix="江公(东)", year=year, serial=serial)


def test_a_number_takes_integers_only() -> None:
    warrant = document_type("cn", "criminal_detention_warrant")
    with pytest.raises(TypeError):
        format_number(warrant, prefix="江公(东)", year=2026, serial=True)


@given(
    doc=st.sampled_from(list(catalogue("cn").values())),
    year=st.integers(1970, 2100),
    serial=st.integers(1, 10**9),
)
def test_any_cn_number_has_its_year_and_serial_and_no_di(
    doc: DocumentType, year: int, serial: int
) -> None:
    # GB/T 9704-2012 7.2.4, for every type of the cn catalogue.
    number = format_number(doc, prefix="江公(东)", year=year, serial=serial)
    assert f"〔{year}〕" in number
    assert number.endswith(f"〔{year}〕{serial}号")
    assert f"{doc.series}字" in number
    assert "第" not in number


# ------------------------------------------------------------------------- bodies


@pytest.mark.usefixtures("bodies")
@pytest.mark.parametrize("doc", all_types(), ids=lambda t: f"{t.pack}-{t.id}")
def test_every_body_renders_the_case_data_it_draws(doc: DocumentType) -> None:
    context = full_context(doc)
    body = render_body(doc, context)
    assert KEY_TEXT[doc.id] in body
    if "person" in doc.draws:
        assert "张三丰" in body
    if "case" in doc.draws:
        assert any(value in body for value in ("张三丰盗窃案", "JCDQ-2026-000012", "盗窃罪"))
    if "incident" in doc.draws:
        assert "李四海" in body or "手提包被盗" in body
    if "parties" in doc.draws:
        assert "李四海" in body
    if "items" in doc.draws:
        assert "黑色皮质手提包" in body
    if "measure" in doc.draws:
        started = "2026年3月9日" if doc.pack == "cn" else "9 March 2026"
        assert "现行犯，被害人指认" in body or "刑事拘留" in body or started in body
    for name, value in context["params"].items():
        assert shown(value, doc.pack) in body, f"parameter {name} is not in the body"


@pytest.mark.usefixtures("bodies")
@pytest.mark.parametrize("doc", all_types(), ids=lambda t: f"{t.pack}-{t.id}")
def test_every_body_renders_with_nothing_and_leaves_blanks(doc: DocumentType) -> None:
    body = render_body(doc, {})
    assert KEY_TEXT[doc.id] in body
    assert ("＿" if doc.pack == "cn" else "___") in body or doc.id == "custody_record_copy"
    assert "None" not in body


@pytest.mark.usefixtures("bodies")
@pytest.mark.parametrize("doc", all_types(), ids=lambda t: f"{t.pack}-{t.id}")
def test_a_body_is_a_fragment_styled_by_the_shared_classes(doc: DocumentType) -> None:
    body = render_body(doc, full_context(doc))
    assert not re.search(r"<(html|head|body)\b", body)
    # A line break only between elements: inside a Chinese sentence it would print a space.
    assert not re.search(r"[^>\s]\n|\n[^<\s]", body)
    classes = {c for attr in re.findall(r'class="([^"]*)"', body) for c in attr.split()}
    assert classes <= CLASSES
    assert 'class="items"' not in body.replace('<table class="items"', "")
    # The party's signature line is there exactly when the party signs.
    assert ('class="signline"' in body) == doc.party_signs


@pytest.mark.usefixtures("bodies")
def test_a_name_is_escaped_in_the_body() -> None:
    warrant = document_type("cn", "criminal_detention_warrant")
    context = full_context(warrant)
    context["person"]["name"] = "<script>x</script>"
    body = render_body(warrant, context)
    assert "<script>" not in body
    assert "&lt;script&gt;" in body


@pytest.mark.usefixtures("bodies")
def test_the_administrative_summons_cites_the_law_in_force_on_the_day_of_issue() -> None:
    # PSAPL (2012) art. 82 until 2025-12-31; PSAPL (2025) art. 96 from 2026-01-01.
    summons = document_type("cn", "admin_summons")
    context = full_context(summons)
    assert "第九十六条" in render_body(summons, context)
    context["issued_on"] = date(2025, 12, 31)
    assert "第八十二条" in render_body(summons, context)


@pytest.mark.usefixtures("bodies")
def test_an_empty_list_of_items_leaves_empty_rows_to_fill_in() -> None:
    seizure = document_type("cn", "seizure_list")
    body = render_body(seizure, {})
    assert body.count("<tr><td>&nbsp;</td>") == 3


# ------------------------------------------------------------------------- validation

GOOD = """
[catalogue]
pack = "cn"
numbering = "{prefix}{series}字〔{year}〕{serial}号"

[[document]]
id = "first"
title_zh = "拘留证"
title_en = "Detention warrant"
basis = "CPL art. 82"
template = "documents/body/cn/criminal_detention_warrant.html"
draws = ["person"]
series = "拘"
approval = ["agency_head"]
served_on = "family"
service_rule = "CN-CPL85-FAMILY-24H"
copies = ["stub", "original"]
party_signs = true
step = "measure:criminal_detention"
[[document.param]]
name = "detention_house"
label_zh = "看守所"
label_en = "Detention house"
kind = "text"
required = true
max_length = 100
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cn.toml"
    path.write_text(text, encoding="utf-8")
    return path


def broken(tmp_path: Path, old: str, new: str) -> CatalogueError:
    assert old in GOOD
    with pytest.raises(CatalogueError) as error:
        load_catalogue(write(tmp_path, GOOD.replace(old, new, 1)), "cn")
    return error.value


def test_the_good_catalogue_loads(tmp_path: Path) -> None:
    (doc,) = load_catalogue(write(tmp_path, GOOD), "cn").values()
    assert doc.id == "first"
    assert doc.params[0].max_length == 100
    assert doc.param("detention_house") is doc.params[0]
    assert doc.param("nothing") is None


@pytest.mark.parametrize(
    ("old", "new", "key", "says"),
    [
        ('["agency_head"]', '["agency_head", "sheriff"]', "approval", "'sheriff'"),
        ('"CN-CPL85-FAMILY-24H"', '"CN-NO-SUCH-RULE"', "service_rule", "CN-NO-SUCH-RULE"),
        ("criminal_detention_warrant.html", "missing.html", "template", "missing.html"),
        ('"measure:criminal_detention"', '"measure:parking"', "step", "parking"),
        ('draws = ["person"]', 'draws = ["person", "weather"]', "draws", "weather"),
        ('served_on = "family"', 'served_on = "neighbour"', "served_on", "neighbour"),
        ('copies = ["stub", "original"]', "copies = []", "copies", "empty"),
        ("party_signs = true", 'party_signs = "yes"', "party_signs", "true or false"),
        ("party_signs = true", 'party_signs = true\nalone = "yes"', "alone", "true or false"),
        ('step = "measure:criminal_detention"', 'step = ""\nalone = true', "alone", "measure"),
        ('kind = "text"', 'kind = "colour"', "param.kind", "colour"),
        ("max_length = 100", "", "param.max_length", "max_length"),
        ('title_zh = "拘留证"', 'title_zh = ""', "title_zh", "empty"),
        ('basis = "CPL art. 82"\n', "", "basis", "missing"),
        ("step = ", 'stage = "x"\nstep = ', "stage", "unknown key"),
        ('template = "documents', 'template = "../documents', "template", "relative"),
    ],
)
def test_a_broken_document_is_refused_naming_the_file_the_entry_and_the_key(
    tmp_path: Path, old: str, new: str, key: str, says: str
) -> None:
    error = broken(tmp_path, old, new)
    assert (error.entry, error.key) == ("first", key)
    assert "cn.toml" in str(error)
    assert "'first'" in str(error)
    assert f"'{key}'" in str(error)
    assert says in str(error)


def test_a_numbering_without_a_serial_is_refused_at_its_line(tmp_path: Path) -> None:
    text = GOOD.replace(
        'series = "拘"', 'series = "拘"\nnumbering = "{prefix}{series}〔{year}〕号"'
    )
    with pytest.raises(CatalogueError, match=r"needs \{serial\}") as error:
        load_catalogue(write(tmp_path, text), "cn")
    assert (error.value.entry, error.value.key) == ("first", "numbering")
    assert error.value.line is not None
    line = text.splitlines()[error.value.line - 1]
    assert line.startswith("numbering = ")


@pytest.mark.parametrize(
    ("numbering", "says"),
    [
        ("{prefix}{series}字({year}){serial}号", "〔{year}〕"),
        ("{prefix}{series}字〔{year}〕第{serial}号", "{serial}号"),
        ("{prefix}{series}字〔{year}〕{serial:03d}号", "no format spec"),
        ("{prefix}{series}字〔{year}〕{serial}", "{serial}号"),
        ("{prefix}{series}字〔{year}〕{serial}号{unit}", "unknown placeholder"),
        ("{series}字〔{year}〕{serial}号", "needs {prefix}"),
        ("{prefix}{series}字〔{year}〕{serial}号第", "ends with"),
        ("{prefix}{series}{series}字〔{year}〕{serial}号", "twice"),
        ("{prefix}{series}字〔{year}〕{serial}号{", "not a valid format"),
    ],
)
def test_a_cn_numbering_must_follow_gb_t_9704(tmp_path: Path, numbering: str, says: str) -> None:
    # GB/T 9704-2012 7.2.4: the year in full in 〔〕, no leading zeros, no 第, then 号.
    error = broken(tmp_path, 'series = "拘"', f'series = "拘"\nnumbering = "{numbering}"')
    assert error.key == "numbering"
    assert says in str(error)


def test_a_cn_numbering_with_di_anywhere_is_refused(tmp_path: Path) -> None:
    error = broken(
        tmp_path,
        'series = "拘"',
        'series = "拘"\nnumbering = "第{prefix}{series}〔{year}〕{serial}号"',
    )
    assert "no 第" in str(error)


def test_a_document_without_a_numbering_needs_the_default(tmp_path: Path) -> None:
    text = GOOD.replace('numbering = "{prefix}{series}字〔{year}〕{serial}号"', "")
    with pytest.raises(CatalogueError, match="gives no default") as error:
        load_catalogue(write(tmp_path, text), "cn")
    assert (error.value.entry, error.value.key) == ("first", "numbering")


def test_a_duplicate_id_is_refused_naming_the_second_entry(tmp_path: Path) -> None:
    second = GOOD[GOOD.index("[[document]]") :]
    path = write(tmp_path, GOOD + "\n" + second)
    with pytest.raises(CatalogueError, match="already used") as error:
        load_catalogue(path, "cn")
    assert (error.value.entry, error.value.key) == ("first", "id")
    assert error.value.line == GOOD.count("\n") + 2 + second.splitlines().index('id = "first"')


def test_two_types_may_share_a_series(tmp_path: Path) -> None:
    # Numbering runs per agency, series and year: two types of one series share the counter.
    second = GOOD[GOOD.index("[[document]]") :].replace('id = "first"', 'id = "second"')
    types = load_catalogue(write(tmp_path, GOOD + "\n" + second), "cn")
    assert [t.series for t in types.values()] == ["拘", "拘"]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("not toml [", "not valid TOML"),
        ("[catalogue]\npack = 'cn'\n", "[[document]]"),
        ("[catalogue]\npack = 'gb_eng'\n", "not 'cn'"),
        ("[catalogue]\ncolour = 1\n", "unknown key"),
        ("weather = 1\n", "unknown top-level key"),
        ("catalogue = 1\n", "must be a table"),
        ("[catalogue]\nnumbering = 7\n", "must be a string"),
        ("[catalogue]\nnumbering = '{prefix}{series}{year}{serial}'\n", "〔{year}〕"),
        ("[[document]]\nid = 'Bad Id'\n", "snake_case"),
        ("document = [1]\n", "must be a table"),
    ],
)
def test_a_broken_file_is_refused_naming_it(tmp_path: Path, text: str, says: str) -> None:
    with pytest.raises(CatalogueError, match=re.escape(says)) as error:
        load_catalogue(write(tmp_path, text), "cn")
    assert str(error.value).startswith(str(tmp_path / "cn.toml"))


def test_a_catalogue_for_a_pack_without_rules_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "xx.toml"
    path.write_text(GOOD.replace('pack = "cn"', 'pack = "xx"'), encoding="utf-8")
    with pytest.raises(CatalogueError, match="no procedure pack 'xx'"):
        load_catalogue(path, "xx")


@pytest.mark.parametrize(
    ("old", "new", "key", "says"),
    [
        ('served_on = "family"', 'served_on = "none"', "service_rule", "served on nobody"),
        ('name = "detention_house"', 'name = "House"', "param.name", "snake_case"),
        ("required = true", "required = 1", "param.required", "true or false"),
        ('label_en = "Detention house"', 'label_en = " "', "param.label_en", "empty"),
        ("max_length = 100", "max_length = 100\ncolour = 1", "param.colour", "unknown key"),
        ('kind = "text"', 'kind = "whole"', "param.max_length", "only a text"),
        (
            'approval = ["agency_head"]',
            'approval = ["agency_head", "agency_head"]',
            "approval",
            "twice",
        ),
        ('draws = ["person"]', 'draws = "person"', "draws", "list of strings"),
        ('title_en = "Detention warrant"', "title_en = 3", "title_en", "must be a string"),
    ],
)
def test_more_broken_documents_name_their_key(
    tmp_path: Path, old: str, new: str, key: str, says: str
) -> None:
    error = broken(tmp_path, old, new)
    assert (error.entry, error.key) == ("first", key)
    assert says in str(error)


def test_parameters_are_tables(tmp_path: Path) -> None:
    text = GOOD[: GOOD.index("[[document.param]]")] + "param = [1]\n"
    with pytest.raises(CatalogueError, match=r"\[\[document.param\]\] tables") as error:
        load_catalogue(write(tmp_path, text), "cn")
    assert (error.value.entry, error.value.key) == ("first", "param")


def test_a_parameter_listed_twice_is_refused(tmp_path: Path) -> None:
    param = GOOD[GOOD.index("[[document.param]]") :]
    with pytest.raises(CatalogueError, match="listed twice") as error:
        load_catalogue(write(tmp_path, GOOD + param), "cn")
    assert error.value.key == "param.name"


# ------------------------------------------------------------------------- the reference


def test_docs_documents_md_is_current() -> None:
    assert DOCUMENTS_MD.read_text(encoding="utf-8") == docgen.render(), (
        "docs/documents.md is stale: run python -m casetrail.documents.docgen"
    )


def test_the_reference_has_a_section_for_every_type() -> None:
    text = docgen.render()
    for doc in all_types():
        assert f"### {doc.pack} {doc.id}\n" in text
    assert "江公(东)拘字〔2026〕12号" in text


def test_docgen_check_fails_on_a_stale_file_and_writing_fixes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "documents.md"
    assert docgen.main(["--check", "--output", str(target)]) == 1
    assert "is stale" in capsys.readouterr().err
    assert docgen.main(["--output", str(target)]) == 0
    assert docgen.main(["--check", "--output", str(target)]) == 0
    assert docgen.main(["--check", "--output", str(DOCUMENTS_MD)]) == 0


def test_python_m_docgen_check_exits_1_on_a_stale_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # scripts/test.sh runs `python -m casetrail.documents.docgen --check`: its exit code is what
    # stops CI.
    import runpy

    target = tmp_path / "missing" / "documents.md"
    monkeypatch.setattr("sys.argv", ["docgen.py", "--check", "--output", str(target)])
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(docgen.__file__, run_name="__main__")
    assert exited.value.code == 1
    assert f"{target} is stale" in capsys.readouterr().err
