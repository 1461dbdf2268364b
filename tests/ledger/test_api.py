"""The ledger API: public head and keys; proofs behind login and the subject's access rules;
the incident receipt in the API's create_incident response."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection

from casetrail import clock
from casetrail.cases import actions
from casetrail.ledger import heads, merkle, proofs, tree
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.models import LedgerEntry, SignedHead, leaf_fields_of
from casetrail.ledger.proofs import ProofError
from casetrail.ledger.signing import TreeHead, public_key_from_pem
from casetrail.ledger.verify import (
    check_receipt,
    entry_leaf_data,
    verify_consistency,
    verify_inclusion,
)
from tests.api.conftest import ApiClient


def first_entry(subject_type, subject_id, action=None):
    entries = LedgerEntry.objects.filter(subject_type=subject_type, subject_id=str(subject_id))
    if action:
        entries = entries.filter(action=action)
    return entries.order_by("seq").first()


@pytest.fixture
def ledger_world(world, signing_key):
    case = world.case()
    party = actions.add_party(
        case, actions.PartyInput(role="victim", name="王小明"), actor=world.handler1
    )
    incident = world.incident()
    heads.sign_head()
    return {
        "case": first_entry("case", case.pk),
        "incident": first_entry("incident", incident.pk),
        "person": first_entry("person", party.person_id),
        "unit": first_entry("unit", world.station.pk),
        "key": LedgerEntry.objects.get(action=LedgerKind.LEDGER_KEY_REGISTERED),
    }


def test_the_latest_head_and_the_keys_need_no_login(world, signing_key):
    client = ApiClient(None)
    assert client.get("/ledger/head").status_code == 404
    assert client.get("/ledger/head").json()["detail"] == "no tree head has been signed yet"
    world.case()
    head = heads.sign_head()
    response = client.get("/ledger/head")
    assert response.status_code == 200
    assert TreeHead.from_dict(response.json()) == head
    (key,) = client.get("/ledger/keys").json()
    assert key["key_id"] == signing_key.key_id
    assert key["latest"] is True
    assert bytes.fromhex(key["public_key"]) == signing_key.public_key
    assert public_key_from_pem(key["pem"]) == signing_key.public_key


PROOF_MATRIX = [
    # subject, officer, status
    ("case", None, 401),
    ("case", "nobody", 404),
    ("case", "outsider", 404),
    ("case", "handler1", 200),
    ("case", "supervisor", 200),
    ("incident", "outsider", 404),
    ("incident", "intake", 200),
    ("person", "outsider", 404),
    ("person", "handler1", 200),
    # Housekeeping entries are not refused with 403 either: an entry the officer may not
    # have answers as an absent one does, so no officer can classify entries by their answer.
    ("unit", "handler1", 404),
    ("unit", "outsider", 404),
    ("unit", "supervisor", 200),
    ("key", "handler1", 404),
    ("key", "supervisor", 200),
]


@pytest.mark.parametrize(("subject", "who", "status"), PROOF_MATRIX)
def test_an_entry_proof_is_for_whoever_may_see_its_subject(
    world, ledger_world, subject, who, status
):
    entry = ledger_world[subject]
    client = ApiClient(getattr(world, who) if who else None)
    response = client.get(f"/ledger/entries/{entry.seq}/proof")
    assert response.status_code == status, response.content
    if status != 200:
        assert response.json()["detail"]
        return
    data = response.json()
    head = heads.latest_head()
    assert data["size"] == head.size
    proof = [bytes.fromhex(h) for h in data["proof"]]
    assert verify_inclusion(entry.seq - 1, head.size, bytes(entry.leaf_hash), proof, head.root)
    assert check_receipt(data["receipt"], heads.public_keys()) == []


def test_reading_a_case_entry_by_its_proof_leaves_a_trace(world, ledger_world):
    entry = ledger_world["case"]
    ApiClient(world.handler1).get(f"/ledger/entries/{entry.seq}/proof")
    viewed = LedgerEntry.objects.filter(action=LedgerKind.VIEWED).get()
    assert viewed.subject == entry.subject
    assert viewed.actor_id == world.handler1.pk


def test_a_proof_for_a_missing_entry_or_size_is_refused_by_name(world, ledger_world):
    client = ApiClient(world.supervisor)
    assert client.get("/ledger/entries/99999/proof").status_code == 404
    seq = ledger_world["unit"].seq
    response = client.get(f"/ledger/entries/{seq}/proof", size=10**6)
    assert response.status_code == 400
    assert response.json()["field"] == "size"


def test_a_proof_from_a_damaged_ledger_says_so_not_a_traceback(world, key_file):
    case = world.case()
    from casetrail.cases.actions import MoveInput, transition_case

    transition_case(case, MoveInput(move="start_review"), actor=world.handler1)
    first, second = LedgerEntry.objects.filter(subject_type="case", subject_id=str(case.pk))
    heads.generate_key()
    heads.sign_head()
    with connection.cursor() as cursor:  # behind the ledger's back
        cursor.execute(
            "UPDATE ledger_ledgerentry SET prev_seq = 999999 WHERE seq = %s", [second.seq]
        )
    client = ApiClient(world.supervisor)
    response = client.get(f"/ledger/entries/{second.seq}/proof")
    assert response.status_code == 500
    assert response.json()["detail"] == (
        f"the ledger is damaged: entry {second.seq} names seq 999999 as its previous, "
        "which is not in the log; the operator should run ledger verify"
    )
    # A tree that lost a row says so too, naming what is missing.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_ledgerentry WHERE seq = %s", [first.seq])
    response = client.get(f"/ledger/entries/{first.seq + 1}/proof")
    assert response.status_code == 500
    assert response.json()["detail"].startswith("the ledger is damaged: the tree needs ")


def test_a_consistency_proof_needs_a_login_and_matches_the_reference(world, ledger_world):
    n = tree.tree_size()
    assert ApiClient(None).get("/ledger/consistency", first=3, second=n).status_code == 401
    response = ApiClient(world.nobody).get("/ledger/consistency", first=3, second=n)
    assert response.status_code == 200
    data = response.json()
    proof = [bytes.fromhex(h) for h in data["proof"]]
    assert verify_consistency(
        3, n, proof, bytes.fromhex(data["first_root"]), bytes.fromhex(data["second_root"])
    )
    assert data["second_head"] is None or data["second_head"]["size"] == n
    # From the empty tree proves nothing: the document says first >= 1, and the API holds to it.
    bad = ApiClient(world.nobody).get("/ledger/consistency", first=0, second=n)
    assert bad.status_code == 422
    assert bad.json()["field"] == "first"
    too_far = ApiClient(world.nobody).get("/ledger/consistency", first=n + 1, second=n)
    assert too_far.status_code == 400
    assert too_far.json()["field"] == "first"


def _incident_body(world):
    return {
        "unit_id": world.station.pk,
        "channel": "call",
        "received_at": (clock.now() - timedelta(minutes=3)).isoformat(),
        "reporter_name": "张三",
        "location": "东湖路8号",
        "summary": "家中被盗",
        "category": "CR-THEFT",
    }


def test_the_api_receipt_carries_a_signed_head_and_the_proof_of_the_intake_entry(
    world, signing_key
):
    client = ApiClient(world.intake)
    response = client.post("/incidents", _incident_body(world))
    assert response.status_code == 201
    incident_id = response.json()["incident"]["id"]
    ledger = client.get(f"/incidents/{incident_id}/receipt").json()
    assert ledger["public_key"] == signing_key.public_key.hex()
    receipt = ledger["receipt"]
    assert check_receipt(receipt, {signing_key.key_id: signing_key.public_key}) == []
    intake = first_entry("incident", incident_id, LedgerKind.INCIDENT_RECORDED)
    assert receipt["entry"]["seq"] == intake.seq
    assert receipt["leaf_index"] == intake.seq - 1
    assert receipt["head"]["size"] >= intake.seq
    signed = LedgerEntry.objects.filter(seq__lte=receipt["head"]["size"]).order_by("seq")
    leaves = [entry_leaf_data(f) for f in leaf_fields_of(list(signed))]
    assert receipt["head"]["root"] == merkle.root_hash(leaves).hex()
    assert client.get(f"/incidents/{incident_id}/receipt").json() == ledger  # the same file


def test_an_intake_through_the_api_signs_no_head(world, signing_key):
    """Issue 16: every intake signed a head of its own (1,705 after a short load test)."""
    client = ApiClient(world.intake)
    before = SignedHead.objects.count()
    answers = [client.post("/incidents", _incident_body(world)).json() for _ in range(5)]
    assert SignedHead.objects.count() == before
    assert [a["ledger"] for a in answers] == [None] * 5
    assert all(a["ledger_pending"] for a in answers)
    # The background job signs one head; every receipt asked for after it uses that head.
    head = heads.sign_head()
    later = client.post("/incidents", _incident_body(world)).json()
    assert later["ledger"] is None  # after the head: pending again
    ids = [a["incident"]["id"] for a in answers]
    receipts = [client.get(f"/incidents/{i}/receipt").json() for i in ids]
    assert SignedHead.objects.count() == before + 1  # all five under that one head
    assert {r["receipt"]["head"]["size"] for r in receipts} == {head.size}


def test_without_a_key_the_api_receipt_says_so(world, key_file):
    client = ApiClient(world.intake)
    response = client.post("/incidents", _incident_body(world))
    assert response.status_code == 201
    assert response.json()["ledger"] is None
    assert response.json()["ledger_pending"] is False
    incident_id = response.json()["incident"]["id"]
    response = client.get(f"/incidents/{incident_id}/receipt")
    assert response.status_code == 404
    assert "no ledger signing key is configured" in response.json()["detail"]


def test_the_openapi_document_lists_the_ledger_routes(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/ledger/head",
        "/api/v1/ledger/keys",
        "/api/v1/ledger/entries/{seq}/proof",
        "/api/v1/ledger/consistency",
    ):
        assert path in paths


def test_an_app_can_say_who_may_see_its_subjects_entries(world, ledger_world, monkeypatch):
    from django.db import transaction

    from casetrail.errors import NotFound
    from casetrail.ledger import access
    from casetrail.ledger.record import record

    class Measure:
        LEDGER_SUBJECT = "measure"
        pk = 5

    with transaction.atomic():
        entry = record(LedgerKind.VIEWED, subject=Measure(), actor=None, unit_id=None)

    def access_measure(officer, ident):
        if officer.pk != world.handler1.pk:
            raise NotFound(f"measure {ident} not found")
        return world.station  # any model: what the owning app's access function returns

    monkeypatch.setitem(
        access._subjects, "measure", access.SubjectType("measure", access_measure, traced=True)
    )
    assert ApiClient(world.handler1).get(f"/ledger/entries/{entry.seq}/proof").status_code == 200
    assert ApiClient(world.supervisor).get(f"/ledger/entries/{entry.seq}/proof").status_code == 404


def test_a_consistency_proof_from_the_empty_tree_is_refused_naming_first(world, ledger_world):
    """The document bounds `first` to 1 or more (a 422 at the API, the CLI's --from alike); a
    caller of the function itself gets the reason, naming the field."""
    with pytest.raises(ProofError) as refused:
        proofs.consistency(0, tree.tree_size())
    assert refused.value.field == "first"
    assert "empty tree proves nothing" in str(refused.value)
