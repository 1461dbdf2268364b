"""A station with a case and a suspect, an agency head over its district, and the district's
document prefix: enough to draft, approve, issue and serve every kind of document."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from casetrail.cases import actions as case_actions
from casetrail.cases.models import Case, Person
from casetrail.documents import actions
from casetrail.documents.catalogue import DocumentType, catalogue
from casetrail.documents.inputs import DecisionInput, DraftInput, ServiceInput
from casetrail.documents.models import Document
from casetrail.org import actions as org
from casetrail.org.models import Officer
from casetrail.org.roles import Role, Scope
from tests.conftest import World, build_world, make_officer

PREFIX = "江公(东)"
# A value of each kind a document type's params take.
SAMPLE = {
    "text": "《中华人民共和国刑法》第二百六十四条",
    "whole": "10",
    "money": "500.00",
    "day": "2026-01-05",
}
# A 1x1 PNG, as the signature pad would send a (very small) drawing.
PNG = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4"
    "DwABBAEAwS2OUAAAAABJRU5ErkJggg=="
)


def by_title(pack: str, title: str) -> DocumentType:
    """A catalogue type by its Chinese or English title."""
    found = [t for t in catalogue(pack).values() if title in (t.title_zh, t.title_en)]
    assert len(found) == 1, (title, [t.title_zh for t in catalogue(pack).values()])
    return found[0]


@dataclass
class Docs:
    world: World
    head: Officer
    legal: Officer
    case: Case
    suspect: Person

    def draft(self, title: str, *, actor: Officer | None = None, **given: Any) -> Document:
        """A draft with every value its type requires (unless given)."""
        doc_type = by_title("cn", title)
        params = {p.name: SAMPLE[p.kind] for p in doc_type.params if p.required}
        params |= given.pop("params", {})
        return actions.draft_document(
            self.case,
            DraftInput(
                type_id=doc_type.id,
                person_id=given.pop("person_id", self.suspect.pk),
                params=params,
                **given,
            ),
            actor=actor or self.world.handler1,
        )

    def submitted(self, title: str, **given: Any) -> Document:
        return actions.submit_document(self.draft(title, **given), actor=self.world.handler1)

    def approver(self, role: str, *, besides: set[int] = frozenset()) -> Officer:  # type: ignore[assignment]
        """An officer who holds ``role`` over the station and is not one of ``besides``."""
        for candidate in (self.world.leader, self.head, self.legal):
            if candidate.pk in besides:
                continue
            from casetrail.org.access import has_role

            if has_role(candidate, self.world.station, {role}):
                return candidate
        raise AssertionError(f"no approver for {role}")

    def approve_all(self, doc: Document) -> Document:
        doc.refresh_from_db()
        used: set[int] = {doc.drafted_by_id}
        while doc.status == "pending":
            assert doc.approval is not None
            role = doc.approval.current_role
            officer = self.approver(role, besides=used)
            used.add(officer.pk)
            # A legal reviewer's approval is a written opinion (documents/legal_review.py).
            opinion = "经审核，事实清楚，证据充分，程序合法" if role == "legal_reviewer" else ""
            decision = DecisionInput(decision="approve", opinion=opinion)
            doc = actions.decide_document(doc, decision, actor=officer)
            doc.refresh_from_db()
        return doc

    def issued(self, title: str, **given: Any) -> Document:
        return self.approve_all(self.submitted(title, **given))

    def serve(self, doc: Document, **given: Any) -> Any:
        from casetrail import clock

        fields = {
            "method": "in_person",
            "served_at": clock.now(),
            "recipient": self.suspect.name,
            "relationship": "本人",
            "acknowledgment": "signed",
            "signature": PNG,
        } | given
        return actions.serve_document(doc, ServiceInput(**fields), actor=self.world.handler1)


def propose_detention(docs: Docs) -> Any:
    """A criminal detention of the case's suspect, proposed by a handler: its warrant is drafted
    and submitted with it (test_steps.py)."""
    from casetrail.custody.actions import propose_measure
    from casetrail.custody.inputs import MeasureInput

    return propose_measure(
        MeasureInput(
            case_id=docs.case.pk,
            person_id=docs.suspect.pk,
            kind="criminal_detention",
            reason="现行犯，有证据证明有犯罪事实",
        ),
        actor=docs.world.handler1,
    )


def build_docs() -> Docs:
    world = build_world()
    org.set_document_prefix(world.district, prefix=PREFIX, actor=None)
    head = make_officer("head", world.district, Role.AGENCY_HEAD, scope=Scope.SUBTREE)
    case = world.case()
    party = case_actions.add_party(
        case,
        case_actions.PartyInput(role="suspect", name="张三丰", birth_date=date(1990, 5, 1)),
        actor=world.handler1,
    )
    return Docs(world=world, head=head, legal=world.legal, case=case, suspect=party.person)


@pytest.fixture
def docs(db: None) -> Docs:
    return build_docs()
