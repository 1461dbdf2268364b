"""The measure page's extension form: each deadline by its rule's title, due time in the unit's
zone and ceiling; each extension the rule allows by its title, with what it does and who
approves it by the role's name; N typed apart. The form composes "ID=N" and the action
decides, so a refusal is the action's own, beside the field."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from casetrail.custody.forms import ExtensionForm
from casetrail.custody.models import Deadline, ExtensionRequest
from casetrail.procedure import resolve
from tests.custody.conftest import SHANGHAI, deadline, iso, ledger_size, run_measure
from tests.custody.test_pages import login

EVE = datetime(2026, 9, 30, 14, 0, tzinfo=SHANGHAI)
DETAINED = datetime(2026, 9, 30, 20, 0, tzinfo=SHANGHAI)
ASKED = datetime(2026, 10, 2, 9, 0, tzinfo=SHANGHAI)


def _detention(s):
    case = s.world.case()
    person = s.suspect(case)
    return run_measure(s, case, person, "criminal_detention", DETAINED)


def _form(html: str) -> str:
    """The extension form's section of the measure page."""
    found = re.search(r'<section class="card" id="form-extensions">(.*?)</section>', html, re.S)
    assert found, "no extension form on the page"
    return found.group(1)


def _select(form: str, name: str) -> str:
    found = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', form, re.S)
    assert found, f"no select {name}"
    return found.group(1)


def _post(s, detail, body):
    return login(s.world.handler1).post(f"/custody/measures/{detail['id']}/extensions/", body)


def test_a_cn_detention_offers_its_extensions_by_title_with_the_approver_named(scene):
    s = scene(EVE)
    detail = _detention(s)
    s.at(ASKED)
    page = login(s.world.handler1).get(f"/custody/measures/{detail['id']}/")
    assert page.status_code == 200
    form = _form(page.content.decode())
    deadlines = _select(form, "deadline_id")
    # The rule's title, the due time in Shanghai named by its zone, and the ceiling.
    assert (
        "Request to the procuratorate to approve an arrest, due 2026-10-03 23:59 (Asia/Shanghai), "
        "at most 30 days with every extension"
    ) in deadlines
    assert "(Asia/Shanghai)" in deadlines
    assert "UTC" not in form
    assert "CN-CPL91" not in deadlines
    extensions = _select(form, "extension")
    # One group per deadline, each extension by its title, what it does and who approves it.
    assert extensions.count("<optgroup") == 2
    assert (
        '<option value="special">Special circumstances: one to four more days: adds N days '
        "(N from 1 to 4), approved by agency head, once</option>"
    ) in extensions
    assert "Major suspect acting from place to place, repeatedly or in a gang" in extensions
    assert "to 30 days in all" in extensions
    assert "to 37 days in all" in extensions
    assert "agency_head" not in extensions
    # N is its own number field, labelled with its unit and range.
    assert 'type="number" name="n"' in form
    assert "N, the number of days to add (1 to 4)" in form


def test_a_chinese_officer_reads_the_titles_and_the_role_in_chinese(scene):
    s = scene(EVE)
    detail = _detention(s)
    s.at(ASKED)
    page = login(s.world.handler1, "zh-hans").get(f"/custody/measures/{detail['id']}/")
    form = _form(page.content.decode())
    deadlines, extensions = _select(form, "deadline_id"), _select(form, "extension")
    assert "提请批准逮捕期限" in deadlines
    assert "2026-10-03 23:59" in deadlines
    assert "Asia/Shanghai" in deadlines
    assert "特殊情况下，提请审查批准的时间延长一日至四日" in extensions
    assert "流窜作案、多次作案、结伙作案的重大嫌疑分子" in extensions
    assert "机关负责人" in extensions
    assert "agency_head" not in extensions


def test_a_pace_detention_offers_the_superintendent_s_extension_in_london_time(scene):
    arrest = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)  # 09:00 BST
    arrival = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)  # 10:00 BST, the relevant time
    s = scene(datetime(2026, 7, 1, 9, 5, tzinfo=UTC))
    case = s.gb_case()
    person = s.suspect(case, "John Smith")
    detail = run_measure(
        s,
        case,
        person,
        "pace_detention",
        arrest,
        proposer=s.gb_handler1,
        approver=s.gb_custody,
        params={"params": {"route": "arrival"}},
        start={"arrived_at": iso(arrival)},
    )
    page = login(s.gb_handler1).get(f"/custody/measures/{detail['id']}/")
    assert page.status_code == 200
    form = _form(page.content.decode())
    deadlines = _select(form, "deadline_id")
    # s.41(1): 24 hours from the relevant time, 10:00 BST the next day (09:00 UTC).
    assert "due 2026-07-02 10:00 (Europe/London)" in deadlines
    assert "at most 36 hours with every extension" in deadlines
    assert "UTC" not in form
    extensions = _select(form, "extension")
    assert "<optgroup" not in extensions  # one deadline: its extensions alone
    assert (
        '<option value="s42">Superintendent&#x27;s authorisation of continued detention: adds N '
        "hours (N from 1 to 12), approved by a superintendent, at most 2 times</option>"
    ) in extensions
    assert "N, the number of hours to add (1 to 12)" in form
    assert 'min="1"' in form
    assert 'max="12"' in form


def _asked(s, posted: dict[str, str]):
    """The measure's page posted with the extension form's values for its arrest request's
    deadline: the response, the measure, the deadline and the ledger's size before the post."""
    detail = _detention(s)
    target = deadline(detail, "CN-CPL91-ARREST-REQUEST")
    s.at(ASKED)
    size = ledger_size()
    return _post(s, detail, {"deadline_id": target["id"], **posted}), detail, target, size


@pytest.mark.parametrize(
    ("posted", "requested"),
    [
        # CPL art. 91(2): the special extension takes its one to four days as N.
        ({"extension": "special", "n": "4", "reason": "同案犯在逃"}, "special=4"),
        # The roving extension takes no N: one typed is left out.
        ({"extension": "roving", "n": "3", "reason": "流窜作案"}, "roving"),
        # A value written "ID=N" (a script) goes to the action as it is.
        ({"extension": "special=2", "reason": "特殊情况"}, "special=2"),
    ],
)
def test_the_extension_chosen_and_its_n_are_requested(scene, posted, requested):
    response, detail, target, _ = _asked(scene(EVE), posted)
    assert response.status_code == 302, response.content.decode()
    asked = ExtensionRequest.objects.get(measure_id=detail["id"])
    assert asked.extension == requested
    assert asked.extension_id == requested.split("=")[0]
    assert asked.deadline_id == target["id"]


def _field_errors(html: str, field: str) -> str:
    found = re.search(
        rf'<ul class="errors" id="id_extensions_{field}-errors">(.*?)</ul>', html, re.S
    )
    assert found, f"no error beside {field}"
    return found.group(1)


def test_an_n_out_of_range_is_refused_beside_the_field_with_the_action_s_message(scene):
    posted = {"extension": "special", "n": "5", "reason": "延长五天"}
    response, detail, _, size = _asked(scene(EVE), posted)
    assert response.status_code == 400
    message = _field_errors(response.content.decode(), "extension")
    assert "CPL art. 91(1)" in message
    assert ledger_size() == size
    assert not ExtensionRequest.objects.filter(measure_id=detail["id"]).exists()


def test_an_unknown_extension_is_refused_beside_the_field(scene):
    response, detail, _, _ = _asked(scene(EVE), {"extension": "nonesuch", "reason": "未知"})
    assert response.status_code == 400
    assert "nonesuch" in _field_errors(response.content.decode(), "extension")
    assert not ExtensionRequest.objects.filter(measure_id=detail["id"]).exists()


def test_n_is_labelled_with_each_range_where_the_extensions_differ():
    """A page offering extensions whose N differs names each range by its extension."""
    arrest = resolve("CN-CPL91-ARREST-REQUEST", date(2026, 9, 30), pack="cn")
    pace = resolve("EW-PACE41-24H", date(2026, 9, 30), pack="gb_eng")
    form = ExtensionForm(
        offered=[
            (Deadline(pk=1), arrest, arrest.extensions),
            (Deadline(pk=2), pace, pace.extensions),
        ]
    )
    assert form.fields["n"].label == (
        "N, the number to add: Special circumstances: one to four more days: 1 to 4 days; "
        "Superintendent's authorisation of continued detention: 1 to 12 hours"
    )
    assert form.fields["n"].widget.attrs == {"min": 1, "max": 12}
    assert ExtensionForm(offered=[(Deadline(pk=1), pace, ())]).fields.get("n") is None
