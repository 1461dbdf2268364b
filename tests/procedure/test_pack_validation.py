"""Every refusal of the pack loader, one row each: the message and the line it points at.

A pack is data written by people (docs/procedure.md); a mistake in it must be refused when
the pack loads, naming the file and the line, never found later as a wrong deadline.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from casetrail.procedure import PackError, read_pack
from tests.procedure.test_packs import PACK_TOML, line_of, write_pack

# A rule with a ceiling, a variable and a `to` extension and a parameter: every part the
# rows below break.
RICH_RULE = """\
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
[rule.ceiling]
value = 30
unit = "days"
[[rule.extension]]
id = "special"
title_en = "Special"
adds = { min = 1, max = 4 }
approver = "agency_head"
citation = "art. 1(2)"
[[rule.extension]]
id = "long"
title_en = "Long"
to = { value = 30, unit = "days" }
approver = "agency_head"
requires = ["special"]
citation = "art. 1(3)"
[[rule.param]]
name = "appraisal_days"
type = "int"
effect = "adds"
unit = "days"
min = 0
notes = "Days of appraisal, not counted."
"""

BODY_END = 'notes = "A demo rule."\n'
DURATION = '[rule.duration]\nvalue = 3\nunit = "days"\n'
CEILING = '[rule.ceiling]\nvalue = 30\nunit = "days"\n'
PARAM = RICH_RULE[RICH_RULE.index("[[rule.param]]") :]


def test_the_rich_rule_loads(tmp_path: Path) -> None:
    rule = read_pack(write_pack(tmp_path, RICH_RULE)).rules[0]
    assert [e.id for e in rule.extensions] == ["special", "long"]
    assert [p.name for p in rule.params] == ["appraisal_days"]


def edit(*pairs: str) -> str:
    """RICH_RULE with each (old, new) pair replaced once; every old text must be there."""
    text = RICH_RULE
    for old, new in zip(pairs[::2], pairs[1::2], strict=True):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def in_param(old: str, new: str) -> str:
    return edit(PARAM, PARAM.replace(old, new))


def row(name: str, rules: str, message: str, at: str, nth: int = 1) -> Any:
    """A bad rules file, the message, and the nth line containing `at` that it must name."""
    return pytest.param(rules, message, at, nth, id=name)


ROWS = [
    # The rule itself.
    row("rule-not-table", 'rule = ["CN-DEMO-3D"]\n', "[[rule]] must be a table", "rule ="),
    row("bad-id", edit('id = "CN-DEMO-3D"', 'id = "demo"'), "needs an id like", "[[rule]]"),
    row("missing-notes", edit(BODY_END, ""), "rule CN-DEMO-3D is missing 'notes'", "[[rule]]"),
    row(
        "blank-title",
        edit('title_en = "Demo"', 'title_en = "  "'),
        "rule CN-DEMO-3D: 'title_en' must be a non-empty string",
        "[[rule]]",
    ),
    row(
        "not-a-date",
        edit("effective_from = 2018-10-26", 'effective_from = "2018-10-26"'),
        "effective_from must be a TOML date (YYYY-MM-DD), not '2018-10-26'",
        "effective_from",
    ),
    row(
        "ends-before-it-starts",
        edit(BODY_END, BODY_END + "effective_to = 2017-12-31\n"),
        "effective_to is before effective_from",
        "effective_to",
    ),
    row(
        "bad-counting",
        edit('counting = "calendar"', 'counting = "weekly"'),
        "counting 'weekly' is not one of exact, calendar, relevant_time, working_days",
        "counting =",
    ),
    row(
        "bad-holidays",
        edit('holidays = "shift"', 'holidays = "sometimes"'),
        "holidays 'sometimes' is not one of shift, never, not_applicable",
        "holidays =",
    ),
    row(
        "custody-not-bool",
        edit("custody = false", 'custody = "no"'),
        "custody must be true or false",
        "custody =",
    ),
    # Citation and trigger.
    row(
        "citation-not-table",
        edit(
            '[rule.citation]\nlaw = "Demo Law"\nversion = "2018"\narticle = "art. 1"\n', ""
        ).replace(BODY_END, BODY_END + 'citation = "CPL art. 1"\n'),
        "citation must be a table (law, version, article, paragraph)",
        'citation = "CPL',
    ),
    row(
        "trigger-not-table",
        edit('[rule.trigger]\nevent = "demo"\nen = "demo"\nzh = "演示"\n', "").replace(
            BODY_END, BODY_END + 'trigger = "arrest"\n'
        ),
        "trigger must be a table with event, en, zh",
        "trigger =",
    ),
    row(
        "trigger-without-zh",
        edit('en = "demo"\nzh = "演示"\n', 'en = "demo"\n'),
        "rule CN-DEMO-3D trigger is missing 'zh'",
        "[rule.trigger]",
    ),
    # Duration, warning and ceiling.
    row(
        "no-duration",
        edit(DURATION, ""),
        "is missing 'duration' (or one duration parameter)",
        "[[rule]]",
    ),
    row(
        "duration-and-duration-param",
        RICH_RULE
        + PARAM.replace('name = "appraisal_days"', 'name = "days"').replace(
            'effect = "adds"', 'effect = "duration"'
        ),
        "give either a duration or a duration parameter, not both",
        "[rule.duration]",
    ),
    row(
        "zero-duration",
        edit("value = 3\n", "value = 0\n"),
        "rule CN-DEMO-3D duration: value must be a positive integer, not 0",
        "[rule.duration]",
    ),
    row(
        # Dotted keys are valid TOML the locator does not read: the line is the rule's.
        "dotted-duration",
        edit(DURATION, "", BODY_END, BODY_END + 'duration.value = 3\nduration.unit = "weeks"\n'),
        "rule CN-DEMO-3D duration: unit 'weeks' is not one of hours, days, months",
        "[[rule]]",
    ),
    row(
        "ceiling-not-table",
        edit(CEILING, "", BODY_END, BODY_END + "ceiling = 30\n"),
        "rule CN-DEMO-3D ceiling must be a table with value and unit",
        "ceiling = 30",
    ),
    row(
        "ceiling-in-other-units",
        edit(CEILING, CEILING.replace('"days"', '"months"')),
        "ceiling is in months but the period is counted in days",
        "[rule.ceiling]",
    ),
    row(
        "ceiling-below-duration",
        edit(CEILING, CEILING.replace("30", "2")),
        "ceiling is below the duration",
        "[rule.ceiling]",
    ),
    # Counting against unit and holidays (CPL art. 105; SPC Interpretation art. 202).
    row(
        "exact-in-months",
        edit(
            'counting = "calendar"',
            'counting = "exact"',
            'holidays = "shift"',
            'holidays = "not_applicable"',
            DURATION,
            DURATION.replace('"days"', '"months"'),
        ),
        "exact counting needs hours or days, not months",
        "counting =",
    ),
    row(
        "calendar-in-hours",
        edit(DURATION, DURATION.replace('"days"', '"hours"')),
        "calendar counting needs days or months, not hours",
        "counting =",
    ),
    row(
        "relevant-time-in-days",
        edit(
            'counting = "calendar"',
            'counting = "relevant_time"',
            'holidays = "shift"',
            'holidays = "not_applicable"',
        ),
        "the relevant time is counted in hours",
        "counting =",
    ),
    row(
        "calendar-not-applicable",
        edit('holidays = "shift"', 'holidays = "not_applicable"'),
        "a calendar period must say shift or never",
        "holidays =",
    ),
    row(
        "exact-shift",
        edit('counting = "calendar"', 'counting = "exact"'),
        "holidays only apply to calendar periods",
        "holidays =",
    ),
    # Extensions.
    row(
        "extension-id",
        edit('id = "special"', 'id = "special one"'),
        "extension id 'special one' is not a plain name",
        "[[rule.extension]]",
    ),
    row(
        "extension-twice",
        edit('id = "long"', 'id = "special"'),
        "extension special twice",
        "[[rule.extension]]",
    ),
    row(
        "requires-unknown",
        edit('requires = ["special"]', 'requires = ["specail"]'),
        "extension long requires unknown extension 'specail'",
        "requires =",
    ),
    row(
        "requires-itself",
        edit('requires = ["special"]', 'requires = ["long"]'),
        "extension long requires unknown extension 'long'",
        "requires =",
    ),
    row(
        "requires-not-list",
        edit('requires = ["special"]', 'requires = "special"'),
        "extension long: requires must list extension ids",
        "[[rule.extension]]",
        2,
    ),
    row(
        "adds-and-to",
        edit(
            "adds = { min = 1, max = 4 }",
            'adds = { min = 1, max = 4 }\nto = { value = 9, unit = "days" }',
        ),
        "give exactly one of adds (how much) or to (new ceiling)",
        "[[rule.extension]]",
    ),
    row(
        "to-in-other-units",
        edit('to = { value = 30, unit = "days" }', 'to = { value = 1, unit = "months" }'),
        "extension long: extends a period counted in days, not months",
        "[[rule.extension]]",
        2,
    ),
    row(
        "to-past-ceiling",
        edit('to = { value = 30, unit = "days" }', 'to = { value = 31, unit = "days" }'),
        "extension long: goes past the rule's ceiling of 30 days",
        "[[rule.extension]]",
        2,
    ),
    row(
        "adds-not-table",
        edit("adds = { min = 1, max = 4 }", "adds = 3"),
        "extension special: adds must be a table",
        "adds = 3",
    ),
    row(
        "adds-in-other-units",
        edit("adds = { min = 1, max = 4 }", 'adds = { value = 2, unit = "months" }'),
        "extension special: adds months to a period counted in days",
        "adds =",
    ),
    row(
        "fixed-adds-with-bounds",
        edit("adds = { min = 1, max = 4 }", 'adds = { value = 2, unit = "days", max = 4 }'),
        "extension special: a fixed amount takes no min or max",
        "adds =",
    ),
    row(
        "variable-adds-backwards",
        edit("adds = { min = 1, max = 4 }", "adds = { min = 4, max = 1 }"),
        "extension special: a variable extension needs 1 <= min <= max",
        "adds =",
    ),
    row(
        "variable-adds-in-other-units",
        edit("adds = { min = 1, max = 4 }", 'adds = { min = 1, max = 4, unit = "hours" }'),
        "extension special: adds hours to a period in days",
        "adds =",
    ),
    row(
        "max-times-zero",
        edit('title_en = "Special"', 'title_en = "Special"\nmax_times = 0'),
        "extension special: max_times must be a positive integer",
        "[[rule.extension]]",
    ),
    row(
        "extension-without-citation",
        edit('citation = "art. 1(3)"\n', ""),
        "extension long is missing 'citation'",
        "[[rule.extension]]",
        2,
    ),
    # Parameters.
    row(
        "param-not-tables",
        edit(PARAM, "", BODY_END, BODY_END + 'param = ["appraisal_days"]\n'),
        "param must be [[rule.param]] tables",
        "param =",
    ),
    row(
        "param-name",
        in_param('name = "appraisal_days"', 'name = "AppraisalDays"'),
        "param name 'AppraisalDays' must be snake_case",
        "[[rule.param]]",
    ),
    row(
        "param-type",
        in_param('type = "int"', 'type = "float"'),
        "type 'float' is not one of int, bool, instant, choice, hhmm",
        "[[rule.param]]",
    ),
    row(
        "param-effect",
        in_param('effect = "adds"', 'effect = "multiplies"'),
        "effect 'multiplies' is not one of duration, adds, deducts, cap, floor, input",
        "[[rule.param]]",
    ),
    row(
        "param-unit",
        in_param('unit = "days"', 'unit = "weeks"'),
        "param appraisal_days: unit 'weeks' is not one of hours, days, months",
        "[[rule.param]]",
    ),
    row(
        "param-type-for-effect",
        in_param('type = "int"', 'type = "instant"'),
        "a adds parameter cannot be of type instant",
        "[[rule.param]]",
    ),
    row(
        "int-adds-without-unit",
        in_param('unit = "days"\n', ""),
        "param appraisal_days: an int adds parameter needs a unit",
        "[[rule.param]]",
    ),
    row(
        "flag-without-amount",
        in_param('type = "int"', 'type = "bool"'),
        "param appraisal_days: needs an amount",
        "[[rule.param]]",
    ),
    row(
        "param-bounds",
        in_param("min = 0", 'min = "0"'),
        "param appraisal_days: min and max must be integers",
        "[[rule.param]]",
    ),
    row(
        "choice-without-choices",
        in_param('type = "int"', 'type = "choice"').replace('effect = "adds"', 'effect = "input"'),
        "param appraisal_days: a choice parameter lists its choices",
        "[[rule.param]]",
    ),
    row(
        "required-not-bool",
        in_param("min = 0", 'min = 0\nrequired = "yes"'),
        "param appraisal_days: required must be true or false",
        "[[rule.param]]",
    ),
    row(
        "param-without-notes",
        in_param('notes = "Days of appraisal, not counted."\n', ""),
        "param appraisal_days is missing 'notes'",
        "[[rule.param]]",
    ),
    # The file.
    row(
        "unknown-top-level-table",
        '[meta]\nauthor = "me"\n\n' + RICH_RULE,
        "unknown top-level key 'meta' (expected: alias, rule)",
        "[meta]",
    ),
    row("rule-not-array", "rule = 3\n", "rules and aliases are arrays of tables", "rule = 3"),
    # Aliases.
    row("alias-not-table", 'alias = ["CN-DEMO"]\n', "[[alias]] must be a table", "alias ="),
    row(
        "alias-without-rules",
        RICH_RULE + '[[alias]]\nid = "CN-DEMO"\nrules = []\n',
        "alias CN-DEMO: rules must list rule ids",
        "rules = []",
    ),
    row(
        "alias-is-a-rule-id",
        RICH_RULE + '[[alias]]\nid = "CN-DEMO-3D"\nrules = ["CN-DEMO-3D"]\n',
        "alias CN-DEMO-3D is already an id",
        "[[alias]]",
    ),
    row(
        "alias-twice",
        RICH_RULE
        + '[[alias]]\nid = "CN-DEMO"\nrules = ["CN-DEMO-3D"]\n'
        + '[[alias]]\nid = "CN-DEMO"\nrules = ["CN-DEMO-3D"]\n',
        "alias CN-DEMO is already an id",
        "[[alias]]",
        2,
    ),
    row(
        "alias-of-nothing",
        RICH_RULE + '[[alias]]\nid = "CN-DEMO"\nrules = ["CN-DEMO-3D", "CN-NOPE"]\n',
        "alias CN-DEMO: no rule CN-NOPE",
        "[[alias]]",
    ),
]


def nth_line(text: str, needle: str, nth: int) -> int:
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(hits) >= nth, f"{needle!r} is not in the text {nth} times"
    return hits[nth - 1]


@pytest.mark.parametrize(("rules", "message", "at", "nth"), ROWS)
def test_a_bad_rule_file_is_refused_at_its_line(
    tmp_path: Path, rules: str, message: str, at: str, nth: int
) -> None:
    directory = write_pack(tmp_path, rules)
    with pytest.raises(PackError, match=re.escape(message)) as caught:
        read_pack(directory)
    assert caught.value.path == directory / "rules.toml"
    assert caught.value.line == nth_line(rules, at, nth)


# --- pack.toml ----------------------------------------------------------------------------


def test_a_folder_without_pack_toml_is_not_a_pack(tmp_path: Path) -> None:
    with pytest.raises(
        PackError, match=re.escape("a pack needs a pack.toml with a [pack] table")
    ) as caught:
        read_pack(tmp_path)
    assert (caught.value.path, caught.value.line) == (tmp_path / "pack.toml", None)


@pytest.mark.parametrize(
    ("pack", "message", "at"),
    [
        pytest.param(
            '[[alias]]\nid = "CN-DEMO"\nrules = ["CN-DEMO-3D"]\n',
            "pack.toml needs a [pack] table",
            None,
            id="no-pack-table",
        ),
        pytest.param(
            PACK_TOML.replace('id = "demo"', 'id = "other"'),
            "pack id 'other' differs from its folder 'demo'",
            'id = "other"',
            id="id-not-folder",
        ),
        pytest.param(
            PACK_TOML.replace('title_zh = "演示"\n', ""),
            "[pack] is missing 'title_zh'",
            "[pack]",
            id="no-title-zh",
        ),
    ],
)
def test_a_bad_pack_toml_is_refused_at_its_line(
    tmp_path: Path, pack: str, message: str, at: str | None
) -> None:
    directory = write_pack(tmp_path, RICH_RULE, pack)
    with pytest.raises(PackError, match=re.escape(message)) as caught:
        read_pack(directory)
    assert caught.value.path == directory / "pack.toml"
    assert caught.value.line == (line_of(pack, at) if at else 1)


# --- Parameters the rule's counting cannot apply ------------------------------------------
# compute() adds a parameter to a calendar period in days or months, to a working-day period
# in working days, and to elapsed time in hours, days or H:MM. A parameter outside that used
# to load and then crash compute() with a ValueError or KeyError, or be ignored in silence.

WORKING = edit(
    'counting = "calendar"',
    'counting = "working_days"',
    'holidays = "shift"',
    'holidays = "not_applicable"',
)
EXACT = edit(
    'counting = "calendar"',
    'counting = "exact"',
    'holidays = "shift"',
    'holidays = "not_applicable"',
    DURATION,
    DURATION.replace('"days"', '"hours"'),
    CEILING,
    CEILING.replace('"days"', '"hours"'),
    'to = { value = 30, unit = "days" }',
    'to = { value = 30, unit = "hours" }',
)
FLAG = 'type = "bool"\neffect = "adds"\namount = { value = 6, unit = "hours" }\n'


def swap_param(rules: str, new: str) -> str:
    assert rules.count(PARAM) == 1
    return rules.replace(PARAM, "[[rule.param]]\n" + new + 'notes = "A fact."\n')


COUNTING_ROWS = [
    row(
        "calendar-adds-hours",
        swap_param(RICH_RULE, 'name = "x"\ntype = "int"\neffect = "adds"\nunit = "hours"\n'),
        "param x: a calendar period is lengthened in days or months, not hours",
        "[[rule.param]]",
    ),
    row(
        "calendar-flag-adds-hours",
        swap_param(RICH_RULE, 'name = "x"\n' + FLAG),
        "param x: a calendar period is lengthened in days or months, not hours",
        "[[rule.param]]",
    ),
    row(
        "calendar-adds-a-span",
        swap_param(RICH_RULE, 'name = "x"\ntype = "hhmm"\neffect = "adds"\n'),
        "param x: an H:MM span is elapsed time; a calendar period cannot take it",
        "[[rule.param]]",
    ),
    row(
        "calendar-deducts-a-span",
        swap_param(RICH_RULE, 'name = "x"\ntype = "hhmm"\neffect = "deducts"\n'),
        "param x: an H:MM span is elapsed time; a calendar period cannot take it",
        "[[rule.param]]",
    ),
    row(
        "working-days-flag",
        swap_param(WORKING, 'name = "x"\n' + FLAG.replace('"hours"', '"days"')),
        "param x: a working-day period is lengthened only by a number of working days",
        "[[rule.param]]",
    ),
    row(
        "working-days-adds-months",
        swap_param(WORKING, 'name = "x"\ntype = "int"\neffect = "adds"\nunit = "months"\n'),
        "param x: a working_days period is lengthened in days, not months",
        "[[rule.param]]",
    ),
    row(
        "elapsed-adds-months",
        swap_param(EXACT, 'name = "x"\ntype = "int"\neffect = "adds"\nunit = "months"\n'),
        "param x: a exact period is lengthened in hours or days, not months",
        "[[rule.param]]",
    ),
    row(
        "optional-duration-without-default",
        swap_param(
            edit(DURATION, "", CEILING, ""),
            'name = "days"\ntype = "int"\neffect = "duration"\nunit = "days"\n',
        ).replace(RICH_RULE[RICH_RULE.index("[[rule.extension]]") : RICH_RULE.index(PARAM)], ""),
        "param days: a duration parameter is required or has a default",
        "[[rule.param]]",
    ),
]


@pytest.mark.parametrize(("rules", "message", "at", "nth"), COUNTING_ROWS)
def test_a_parameter_its_counting_cannot_apply_is_refused_when_the_pack_loads(
    tmp_path: Path, rules: str, message: str, at: str, nth: int
) -> None:
    directory = write_pack(tmp_path, rules)
    with pytest.raises(PackError, match=re.escape(message)) as caught:
        read_pack(directory)
    assert caught.value.line == nth_line(rules, at, nth)


@pytest.mark.parametrize(
    ("rules", "param", "counting"),
    [
        (RICH_RULE, 'name = "x"\ntype = "int"\neffect = "adds"\nunit = "months"\n', "calendar"),
        (RICH_RULE, 'name = "x"\n' + FLAG.replace('"hours"', '"days"'), "calendar"),
        (WORKING, 'name = "x"\ntype = "int"\neffect = "adds"\nunit = "days"\n', "working_days"),
        (EXACT, 'name = "x"\ntype = "int"\neffect = "adds"\nunit = "days"\n', "exact"),
        (EXACT, 'name = "x"\n' + FLAG, "exact"),
        (EXACT, 'name = "x"\ntype = "hhmm"\neffect = "deducts"\n', "exact"),
    ],
)
def test_a_parameter_its_counting_can_apply_loads(
    tmp_path: Path, rules: str, param: str, counting: str
) -> None:
    rule = read_pack(write_pack(tmp_path, swap_param(rules, param))).rules[0]
    assert rule.counting == counting
    assert rule.param("x") is not None


# --- Finding the line in TOML written in any of its legal spellings -----------------------
# TOML allows spaces inside the brackets of a header and around the dots of a key, and
# quoted key parts. The line of an error must be found in each spelling, and must never be
# the line of another rule or extension.

TWO_RULES = (
    RICH_RULE
    + "\n"
    + RICH_RULE.replace("CN-DEMO-3D", "CN-DEMO-4D").replace(
        'approver = "agency_head"\nrequires', 'approver = "the_boss"\nrequires'
    )
)
BOSS = "extension long: approver 'the_boss' is not a role"


@pytest.mark.parametrize(
    "spelling",
    [
        pytest.param({}, id="plain"),
        pytest.param({"[[rule]]": "[[ rule ]]"}, id="spaces-in-rule-header"),
        pytest.param({"[[rule]]": "[[rule]]  # the next rule"}, id="comment-after-header"),
        pytest.param({"[[rule.extension]]": "[[rule . extension]]"}, id="spaces-around-dot"),
        pytest.param({"[[rule.extension]]": '[[rule."extension"]]'}, id="quoted-part"),
        pytest.param({"[[rule.extension]]": "[[ 'rule'.extension ]]"}, id="literal-quoted-part"),
        pytest.param({"[[rule]]": '[["rule"]]', "approver =": '"approver" ='}, id="quoted-keys"),
    ],
)
def test_an_error_in_the_second_rule_names_its_own_line_however_headers_are_spelled(
    tmp_path: Path, spelling: dict[str, str]
) -> None:
    rules = TWO_RULES
    for old, new in spelling.items():
        rules = rules.replace(old, new)
    with pytest.raises(PackError, match=re.escape(f"rule CN-DEMO-4D {BOSS}")) as caught:
        read_pack(write_pack(tmp_path, rules))
    assert caught.value.line == nth_line(rules, "the_boss", 1)


def test_an_extension_header_the_scan_cannot_read_names_its_rule_not_another_extension(
    tmp_path: Path,
) -> None:
    # A quoted key may spell a letter as an escape; TOML reads it, the line scan cannot. The
    # error then names the rule's line, not the first extension's approver.
    rules = RICH_RULE.replace(
        '[[rule.extension]]\nid = "long"', '[[rule."ext\\u0065nsion"]]\nid = "long"'
    ).replace('approver = "agency_head"\nrequires', 'approver = "the_boss"\nrequires')
    with pytest.raises(PackError, match=re.escape(f"rule CN-DEMO-3D {BOSS}")) as caught:
        read_pack(write_pack(tmp_path, rules))
    assert caught.value.line == nth_line(rules, "[[rule]]", 1)
