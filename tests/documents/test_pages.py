"""The documents pages as an officer uses them: a drafting mistake comes back on the form
naming the line, in the officer's language; a PDF opens once there is one, and says where
its number is; an action that does not exist is a 404; a reader is shown no form."""

from __future__ import annotations

from urllib.parse import unquote

from django.test import Client

from casetrail.documents.models import Document
from casetrail.ledger.models import LedgerEntry
from tests.conftest import PASSWORD, login
from tests.documents.conftest import SAMPLE, Docs, by_title, propose_detention

REGISTER = by_title("cn", "立案决定书")


def test_a_params_line_without_a_name_is_refused_naming_the_line(docs: Docs):
    client = login(docs.world.handler1, "zh-hans")
    before = LedgerEntry.objects.count()
    response = client.post(
        f"/documents/cases/{docs.case.number}/",
        {
            "type_id": REGISTER.id,
            "person_id": docs.suspect.pk,
            "params": "legal_ground: 第一条\n没有名称",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "第2行" in page
    assert LedgerEntry.objects.count() == before
    assert not Document.objects.exists()


def test_an_unknown_type_is_refused_on_the_form(docs: Docs):
    client = login(docs.world.handler1, "en")
    response = client.post(f"/documents/cases/{docs.case.number}/", {"type_id": "no_such_type"})
    assert response.status_code == 400
    assert "has no document type" in response.content.decode()


def test_the_pdf_opens_once_submitted_under_its_number(docs: Docs):
    draft = docs.draft("立案决定书")
    client = login(docs.world.handler1)
    assert client.get(f"/documents/{draft.pk}/pdf/").status_code == 404
    pending = docs.submitted("立案决定书")
    response = client.get(f"/documents/{pending.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert pending.number in unquote(response["Content-Disposition"])


def test_an_unknown_action_is_a_404_and_a_refused_submission_says_why(docs: Docs):
    client = login(docs.world.handler1, "en")
    draft = docs.draft("立案决定书", params={"legal_ground": ""})
    assert client.post(f"/documents/{draft.pk}/shred/").status_code == 404
    refused = client.post(f"/documents/{draft.pk}/submit/")
    assert refused.status_code == 400
    assert "is required before submission" in refused.content.decode()


def test_a_reader_sees_the_document_and_no_form(docs: Docs):
    doc = docs.issued("立案决定书")
    page = login(docs.world.supervisor, "en").get(f"/documents/{doc.pk}/").content.decode()
    assert doc.number in page
    for action in ("service", "correction", "revoke", "cancel", "decision"):
        assert f"/documents/{doc.pk}/{action}/" not in page


def test_the_awaiting_count_shows_only_after_the_second_factor(docs: Docs):
    waiting = docs.submitted("立案决定书")  # waits for the agency head
    assert waiting.approval is not None
    password_only = Client()
    assert password_only.login(username=docs.head.username, password=PASSWORD)
    page = password_only.get("/", follow=True).content.decode()
    assert "second-factor" in password_only.get("/").url
    assert '<span class="count">0</span>' in page
    verified = login(docs.head).get("/approvals/").content.decode()
    assert '<span class="count due">1</span>' in verified
    assert waiting.number in verified


def test_the_document_page_links_its_case(docs: Docs):
    doc = docs.draft("立案决定书")
    page = login(docs.world.handler1, "en").get(f"/documents/{doc.pk}/").content.decode()
    assert f'href="/cases/{docs.case.number}/"' in page  # the case page itself
    assert f'href="/documents/cases/{docs.case.number}/"' in page  # and its documents


def test_the_measure_page_lists_the_documents_issued_under_it(docs: Docs):
    measure = propose_detention(docs)
    warrants = list(Document.objects.filter(measure=measure))
    assert warrants
    page = login(docs.world.supervisor, "en").get(f"/custody/measures/{measure.pk}/")
    html = page.content.decode()
    for doc in warrants:
        assert f'href="/documents/{doc.pk}/"' in html
    # and the document leads back to its measure
    doc_page = login(docs.world.supervisor, "en").get(f"/documents/{warrants[0].pk}/")
    assert f'href="/custody/measures/{measure.pk}/"' in doc_page.content.decode()


def test_a_type_is_drafted_with_its_particulars_as_labelled_fields(docs: Docs):
    """The documents page lists the types by name; one chosen, its particulars are fields
    labelled in the reader's language (a required one marked), not lines of ``name: value``."""
    client = login(docs.world.handler1, "zh-hans")
    listing = client.get(f"/documents/cases/{docs.case.number}/").content.decode()
    assert f'href="?type={REGISTER.id}"' in listing
    page = client.get(f"/documents/cases/{docs.case.number}/?type={REGISTER.id}")
    html = page.content.decode()
    required = [p for p in REGISTER.params if p.required]
    assert required
    for param in REGISTER.params:
        assert f'name="params.{param.name}"' in html
        assert param.label_zh in html
    assert 'name="params"' not in html  # no lines to type
    assert 'type="hidden" name="type_id"' in html
    assert ">文书种类<" not in html  # the chosen type is not a field to fill
    assert "measure" not in REGISTER.draws
    assert 'name="measure_id"' not in html  # nor a measure the type does not draw
    before = LedgerEntry.objects.count()
    values = {f"params.{p.name}": SAMPLE[p.kind] for p in required}
    response = client.post(
        f"/documents/cases/{docs.case.number}/",
        {"type_id": REGISTER.id, "person_id": docs.suspect.pk, **values},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    doc = Document.objects.get()
    assert doc.params == {p.name: SAMPLE[p.kind] for p in required}
    assert LedgerEntry.objects.count() == before + 1


def test_a_particular_of_the_wrong_kind_is_refused_beside_its_field(docs: Docs):
    """MPS Provisions on Administrative Cases art. 175: a penalty decision states the fine; a
    fine that is not an amount is refused beside the fine's own field, nothing written."""
    client = login(docs.world.handler1, "en")
    penalty = by_title("cn", "行政处罚决定书")
    before = LedgerEntry.objects.count()
    response = client.post(
        f"/documents/cases/{docs.case.number}/",
        {"type_id": penalty.id, "person_id": docs.suspect.pk, "params.fine": "five hundred"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    errors = html.split('id="id_params.fine-errors"', 1)[1].split("</ul>", 1)[0]
    assert "Fine" in errors  # the refusal names the fine, beside its field
    assert LedgerEntry.objects.count() == before
    assert not Document.objects.exists()


def test_a_type_nobody_approves_is_offered_as_issued_not_submitted_for_approval(docs: Docs):
    """The 扣押清单 (MPS Provisions on Criminal Cases art. 228) has no approval chain: its
    draft's button issues it; the 立案决定书's is submitted for approval."""
    client = login(docs.world.handler1, "en")
    for title, button, absent in (
        ("扣押清单", "Issue the document", "Submit for approval"),
        ("立案决定书", "Submit for approval", "Issue the document"),
    ):
        draft = docs.draft(title)
        page = client.get(f"/documents/{draft.pk}/").content.decode()
        assert button in page, title
        assert absent not in page, title
