"""Rule packs load, carry the whole catalogue, and refuse bad data with file and line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from casetrail.procedure import NotInForce, PackError, load_pack, read_pack, resolve
from casetrail.procedure.model import ROLES

CATALOGUE = {
    "cn": [
        "CN-CPL119-SUMMONS-12H",
        "CN-CPL119-SUMMONS-24H",
        "CN-CPL85-DELIVER-24H",
        "CN-CPL85-FAMILY-24H",
        "CN-CPL86-INTERROGATE-24H",
        "CN-CPL91-ARREST-REQUEST",
        "CN-CPL91-PROCURATORATE-7D",
        "CN-CPL91-MAX-DETENTION",
        "CN-CPL93-ARREST-FAMILY-24H",
        "CN-CPL94-ARREST-INTERROGATE-24H",
        "CN-CPL156-INVESTIGATIVE-CUSTODY",
        "CN-CPL79-BAIL-12M",
        "CN-CPL79-RS-6M",
        "CN-PSAPL2012-Q83-8H",
        "CN-PSAPL2012-Q83-24H",
        "CN-PSAPL2025-Q97-8H",
        "CN-PSAPL2025-Q97-12H",
        "CN-PSAPL2025-Q97-24H",
        "CN-PSAPL2012-CASE99",
        "CN-PSAPL2025-CASE118",
        "CN-ADMIN-DETENTION-EXEC",
        "CN-MPS2015-CRIM-REG-REVIEW",
        "CN-MPS2015-ADMIN-ACCEPT-24H",
        "CN-MPS2015-ADMIN-ACCEPT-3D",
        "CN-OGI2019-ANSWER-20WD",
        "CN-OGI2019-CORRECTION-7WD",
        "CN-OGI2019-THIRD-PARTY-15WD",
        "CN-OGI2019-OTHER-ORGAN-15WD",
        "CN-PSAPL2012-SERVICE97-2D",
        "CN-PSAPL2025-SERVICE116-2D",
        "CN-MPSA36-DECISION-SERVICE-7D",
        "CN-MPSA36-PUBLIC-NOTICE-60D",
        "CN-MPSA57-QUESTIONING-12H",
        "CN-MPSA47-FASTTRACK-48H",
        "CN-MPSA97-APPRAISAL-SERVICE-5D",
        "CN-MPSA97-REAPPRAISAL-3D",
        "CN-MPSA133-HEARING-REQUEST-3D",
        "CN-MPSA135-HEARING-ACCEPT-2D",
        "CN-MPSA136-HEARING-NOTICE-7D",
        "CN-MPSA137-HEARING-HELD-10D",
        "CN-MPSA223-SUSPENSION-24H",
        "CN-DCR27-LEAVE-12H",
        "CN-SCL13-ADMIN-DECIDE-2M",
        "CN-SCL23-CRIM-DECIDE-2M",
        "CN-SCL13-SERVE-10D",
        "CN-SCL12-MISSING-MATERIAL-5D",
        "CN-SCL24-RECON-APPLY-30D",
        "CN-SCL25-RECON-DECIDE-2M",
        "CN-SCL37-PAYMENT-REQUEST-7D",
        "CN-SCL37-PAYMENT-15D",
        "CN-SCL39-LIMITATION-2Y",
        "CN-XF2022-HANDLE-60D",
        "CN-CPL97-CHANGE-MEASURE-3D",
        "CN-CPL95-NECESSITY-10D",
        "CN-CPL39-LAWYER-MEETING-48H",
        "CN-CPL75-RS-FAMILY-24H",
        "CN-CPL175-SUPPLEMENTARY-1M",
        "CN-CPL172-PROSECUTION-REVIEW-1M",
        "CN-CPL145-UNRELATED-RELEASE-3D",
        "CN-MPS233-UNCLAIMED-6M",
        "CN-MPS247-UNFREEZE-3D",
        "CN-MPS243-FREEZE-6M",
        "CN-MPS243-FREEZE-1Y",
        "CN-MPS244-FREEZE-SECURITIES-2Y",
        "CN-MPS245-FREEZE-EQUITY-6M",
        "CN-MPSA112-SEIZURE-30D",
        "CN-MPSA110-PRESERVATION-7D",
        "CN-MPSA197-UNCLAIMED-6M",
        "CN-MPS178-NONREG-NOTICE-3D",
        "CN-MPS179-RECON-APPLY-7D",
        "CN-MPS179-RECON-DECIDE-30D",
        "CN-MPS179-REVIEW-APPLY-7D",
        "CN-MPS179-REVIEW-DECIDE-30D",
        "CN-MPS180-TRANSFER-REVIEW-3D",
        "CN-MPS180-TRANSFER-INCOMPLETE-24H",
        "CN-MPS182-REASONS-7D",
        "CN-MPS182-REGISTER-15D",
        "CN-MPS189-REVOCATION-NOTICE-3D",
        "CN-MPS196-COMPLAINT-30D",
    ],
    "gb_eng": [
        "EW-PACE41-RT",
        "EW-PACE41-24H",
        "EW-PACE42-36H",
        "EW-PACE42-LATEST-AUTH",
        "EW-PACE43-APPLY",
        "EW-PACE43-WFD",
        "EW-PACE44-EXT",
        "EW-PACE44-MAX-96H",
        "EW-PACE40-REVIEW-FIRST",
        "EW-PACE40-REVIEW-NEXT",
        "EW-CODEC-12.2-REST",
        "EW-CODEC-12.8-BREAK",
        "EW-PACE47ZB-BAIL-2017",
        "EW-PACE47ZB-BAIL-2022",
        "EW-PACE47ZB-BAIL-AGENCY-2022",
    ],
}


@pytest.mark.parametrize("pack_id", sorted(CATALOGUE))
def test_every_catalogue_id_is_in_its_pack_and_nothing_else(pack_id: str) -> None:
    assert sorted(load_pack(pack_id).rule_ids()) == sorted(CATALOGUE[pack_id])


def test_a_pack_is_loaded_once_and_cached() -> None:
    assert load_pack("cn") is load_pack("cn")


@pytest.mark.parametrize("pack_id", sorted(CATALOGUE))
def test_every_rule_cites_its_law_and_explains_its_reading(pack_id: str) -> None:
    for rule in load_pack(pack_id).rules:
        assert rule.citation.law
        assert rule.citation.version
        assert rule.citation.article
        assert rule.title_zh
        assert rule.title_en
        assert len(rule.notes) > 80
        for ext in rule.extensions:
            assert ext.approver in ROLES


def test_every_cn_extension_has_a_chinese_title() -> None:
    """A Chinese officer picks an extension by its name (the measure page's form)."""
    extensions = [ext for rule in load_pack("cn").rules for ext in rule.extensions]
    assert len(extensions) >= 21
    for ext in extensions:
        assert re.search(r"[\u4e00-\u9fff]", ext.title_zh), ext.id


def test_gb_eng_extensions_are_named_in_english_only() -> None:
    for rule in load_pack("gb_eng").rules:
        for ext in rule.extensions:
            assert ext.title_en
            assert ext.title_zh == ""


def test_custody_periods_in_the_cn_pack_never_shift_for_holidays() -> None:
    # CPL art. 105(4): in custody, the period ends on its last day even if it is a holiday.
    for rule in load_pack("cn").rules:
        if rule.custody:
            assert rule.holidays != "shift", rule.id


def test_the_psapl_alias_picks_2012_before_and_2025_from_new_year_2026() -> None:
    # PSAPL 2025 revision in force 2026-01-01.
    from datetime import date

    assert resolve("CN-PSAPL-CASE-LIMIT", date(2025, 12, 31)).id == "CN-PSAPL2012-CASE99"
    assert resolve("CN-PSAPL-CASE-LIMIT", date(2026, 1, 1)).id == "CN-PSAPL2025-CASE118"
    with pytest.raises(NotInForce, match="CN-PSAPL-Q-12H"):
        resolve("CN-PSAPL-Q-12H", date(2025, 6, 1))


# --- Validation: bad packs written into tmp_path ------------------------------------------

PACK_TOML = """\
[pack]
id = "demo"
title_en = "Demo"
title_zh = "演示"
time_zone = "Asia/Shanghai"
calendar = "cn"
counting_basis = "CPL art. 105"
"""

GOOD_RULE = """\
[[rule]]
id = "CN-DEMO-3D"
title_zh = "演示"
title_en = "Demo"
counting = "calendar"
holidays = "shift"
custody = false
effective_from = 2018-10-26
notes = "A demo rule."
[rule.citation]
law = "Demo Law"
version = "2018"
article = "art. 1"
[rule.trigger]
event = "demo"
en = "demo"
zh = "演示"
[rule.duration]
value = 3
unit = "days"
[rule.warn_before]
value = 1
unit = "days"
"""


def write_pack(tmp_path: Path, rules: str, pack: str = PACK_TOML) -> Path:
    directory = tmp_path / "demo"
    directory.mkdir()
    (directory / "pack.toml").write_text(pack, encoding="utf-8")
    (directory / "rules.toml").write_text(rules, encoding="utf-8")
    return directory


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_a_good_pack_in_tmp_path_loads(tmp_path: Path) -> None:
    pack = read_pack(write_pack(tmp_path, GOOD_RULE))
    assert pack.rule_ids() == ["CN-DEMO-3D"]
    assert pack.rules[0].counting_basis == "CPL art. 105"


def test_an_unknown_key_is_refused_with_its_file_and_line(tmp_path: Path) -> None:
    rules = (
        GOOD_RULE
        + "\n"
        + GOOD_RULE.replace("CN-DEMO-3D", "CN-DEMO-4D")
        .replace("custody = false", 'custody = false\nholiday = "shift"')
        .replace("effective_from = 2018-10-26", "effective_from = 2019-01-01")
    )
    directory = write_pack(tmp_path, rules)
    with pytest.raises(PackError) as caught:
        read_pack(directory)
    assert caught.value.path == directory / "rules.toml"
    assert caught.value.line == line_of(rules, 'holiday = "shift"')
    assert "unknown key 'holiday'" in str(caught.value)
    assert str(caught.value).startswith(f"{directory / 'rules.toml'}:{caught.value.line}:")


def test_a_missing_citation_is_refused_at_the_rule(tmp_path: Path) -> None:
    rules = GOOD_RULE.replace(
        '[rule.citation]\nlaw = "Demo Law"\nversion = "2018"\narticle = "art. 1"\n', ""
    )
    directory = write_pack(tmp_path, rules)
    with pytest.raises(PackError, match="missing 'citation'") as caught:
        read_pack(directory)
    assert caught.value.line == line_of(rules, "[[rule]]")


def test_a_citation_without_an_article_is_refused(tmp_path: Path) -> None:
    rules = GOOD_RULE.replace('article = "art. 1"\n', "")
    with pytest.raises(PackError, match="citation is missing 'article'") as caught:
        read_pack(write_pack(tmp_path, rules))
    assert caught.value.line == line_of(rules, "[rule.citation]")


def test_a_bad_unit_is_refused_at_its_table(tmp_path: Path) -> None:
    rules = GOOD_RULE.replace('value = 3\nunit = "days"', 'value = 3\nunit = "weeks"')
    with pytest.raises(PackError, match="unit 'weeks' is not one of hours, days, months") as caught:
        read_pack(write_pack(tmp_path, rules))
    assert caught.value.line == line_of(rules, "[rule.duration]")


def test_overlapping_versions_of_one_id_are_refused(tmp_path: Path) -> None:
    second = GOOD_RULE.replace("effective_from = 2018-10-26", "effective_from = 2020-01-01")
    rules = (
        GOOD_RULE.replace(
            "effective_from = 2018-10-26", "effective_from = 2018-10-26\neffective_to = 2020-06-30"
        )
        + "\n"
        + second
    )
    with pytest.raises(PackError, match="effective ranges overlap") as caught:
        read_pack(write_pack(tmp_path, rules))
    assert (
        caught.value.line
        == [i for i, line in enumerate(rules.splitlines(), 1) if line == "[[rule]]"][1]
    )


def test_versions_of_one_id_that_follow_each_other_load(tmp_path: Path) -> None:
    second = GOOD_RULE.replace("effective_from = 2018-10-26", "effective_from = 2020-07-01")
    rules = (
        GOOD_RULE.replace(
            "effective_from = 2018-10-26", "effective_from = 2018-10-26\neffective_to = 2020-06-30"
        )
        + "\n"
        + second
    )
    pack = read_pack(write_pack(tmp_path, rules))
    assert len(pack.versions("CN-DEMO-3D")) == 2


def test_an_alias_whose_members_overlap_is_refused(tmp_path: Path) -> None:
    rules = GOOD_RULE + "\n" + GOOD_RULE.replace("CN-DEMO-3D", "CN-DEMO-4D")
    pack = PACK_TOML + '\n[[alias]]\nid = "CN-DEMO"\nrules = ["CN-DEMO-3D", "CN-DEMO-4D"]\n'
    with pytest.raises(PackError, match="alias CN-DEMO: effective ranges overlap") as caught:
        read_pack(write_pack(tmp_path, rules, pack))
    assert caught.value.line == line_of(pack, "[[alias]]")


def test_a_custody_period_that_shifts_for_holidays_is_refused(tmp_path: Path) -> None:
    rules = GOOD_RULE.replace("custody = false", "custody = true")
    with pytest.raises(PackError, match="never lengthened for a holiday") as caught:
        read_pack(write_pack(tmp_path, rules))
    assert caught.value.line == line_of(rules, 'holidays = "shift"')


def test_an_unknown_approver_is_refused(tmp_path: Path) -> None:
    rules = GOOD_RULE + (
        '[rule.ceiling]\nvalue = 7\nunit = "days"\n'
        '[[rule.extension]]\nid = "more"\ntitle_en = "More"\nto = { value = 7, unit = "days" }\n'
        'approver = "the_boss"\ncitation = "art. 1"\n'
    )
    with pytest.raises(PackError, match="approver 'the_boss' is not a role") as caught:
        read_pack(write_pack(tmp_path, rules))
    assert caught.value.line == line_of(rules, 'approver = "the_boss"')


def test_extensions_without_a_ceiling_are_refused(tmp_path: Path) -> None:
    rules = GOOD_RULE + (
        '[[rule.extension]]\nid = "more"\ntitle_en = "More"\nadds = { value = 2, unit = "days" }\n'
        'approver = "agency_head"\ncitation = "art. 1"\n'
    )
    with pytest.raises(PackError, match="no ceiling"):
        read_pack(write_pack(tmp_path, rules))


def test_invalid_toml_is_refused_with_the_parser_line(tmp_path: Path) -> None:
    rules = GOOD_RULE + "\nthis is not toml\n"
    with pytest.raises(PackError, match="not valid TOML") as caught:
        read_pack(write_pack(tmp_path, rules))
    assert caught.value.line == line_of(rules, "this is not toml")


def test_an_unknown_time_zone_is_refused(tmp_path: Path) -> None:
    pack = PACK_TOML.replace("Asia/Shanghai", "Asia/Atlantis")
    with pytest.raises(PackError, match="unknown time zone 'Asia/Atlantis'") as caught:
        read_pack(write_pack(tmp_path, GOOD_RULE, pack))
    assert caught.value.line == line_of(pack, "time_zone")


def test_an_unknown_pack_is_named_with_the_known_ones() -> None:
    with pytest.raises(PackError, match=r"no rule pack 'xx'.*cn, gb_eng"):
        load_pack("xx")


WORKING_RULE = GOOD_RULE.replace('counting = "calendar"', 'counting = "working_days"').replace(
    'holidays = "shift"', 'holidays = "not_applicable"'
)


def test_a_working_day_rule_loads(tmp_path: Path) -> None:
    pack = read_pack(write_pack(tmp_path, WORKING_RULE))
    assert pack.versions("CN-DEMO-3D")[0].counting == "working_days"


def test_a_working_day_rule_that_says_shift_is_refused(tmp_path: Path) -> None:
    rules = WORKING_RULE.replace('holidays = "not_applicable"', 'holidays = "shift"')
    with pytest.raises(PackError, match="always ends on a working day") as caught:
        read_pack(write_pack(tmp_path, rules))
    assert caught.value.line == line_of(rules, 'holidays = "shift"')


def test_a_custody_period_in_working_days_is_refused(tmp_path: Path) -> None:
    # CPL art. 105(4): a holiday never lengthens custody; counting working days would.
    rules = WORKING_RULE.replace("custody = false", "custody = true")
    with pytest.raises(PackError, match="never counted in working days"):
        read_pack(write_pack(tmp_path, rules))


def test_a_working_day_rule_in_months_is_refused(tmp_path: Path) -> None:
    rules = WORKING_RULE.replace('value = 3\nunit = "days"', 'value = 3\nunit = "months"')
    with pytest.raises(PackError, match="working-day counting needs days"):
        read_pack(write_pack(tmp_path, rules))
