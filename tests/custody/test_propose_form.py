"""The page that proposes a measure offers what the case's rule pack provides, and no more."""

from __future__ import annotations

import pytest

from casetrail.custody.forms import ProposeForm
from casetrail.custody.measures import SPECS


@pytest.mark.parametrize(
    ("pack", "offered", "absent"),
    [
        ("cn", {"criminal_detention", "admin_detention"}, {"pace_detention"}),
        ("gb_eng", {"pace_detention"}, {"criminal_detention", "admin_summons"}),
    ],
)
def test_the_proposal_form_offers_the_measures_and_parameters_of_the_case_s_pack(
    pack, offered, absent
):
    """A Chinese handler is not offered PACE's route to the station, an English one not the
    administrative detention days: each sees the measures their pack's statute provides."""
    form = ProposeForm(pack=pack)
    kinds = {value for value, _ in form.fields["kind"].choices}
    assert offered <= kinds
    assert not absent & kinds
    own = {p for s in SPECS.values() if s.pack == pack for p in s.params}
    other = {p for s in SPECS.values() if s.pack != pack for p in s.params} - own
    assert other, "each pack has a parameter the other lacks"
    assert not other & set(form.fields)
    assert own & set(form.fields) == own - {"arrived_at"}  # the arrival is given at the start
