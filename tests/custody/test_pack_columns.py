"""What a deadline row or an extension request copies from a rule pack fits its column: the
packs' text is stored as it is, never cut (and never refused at the moment of an action)."""

from __future__ import annotations

from casetrail.custody.models import Deadline, ExtensionRequest
from casetrail.procedure import load_pack, pack_ids


def _limit(model: type, field: str) -> int:
    return model._meta.get_field(field).max_length


def test_every_packs_titles_citations_and_deciding_bodies_fit_the_columns():
    too_long = []
    for pack_id in pack_ids():
        for rule in load_pack(pack_id).rules:
            for value, model, field in (
                (rule.id, Deadline, "rule_id"),
                (rule.title_en, Deadline, "title_en"),
                (rule.title_zh, Deadline, "title_zh"),
                (str(rule.citation), Deadline, "citation"),
            ):
                if len(value) > _limit(model, field):
                    too_long.append((pack_id, rule.id, field, len(value)))
            for ext in rule.extensions:
                for value, field in (
                    (ext.citation, "citation"),
                    (ext.decided_by, "decided_by_body"),
                ):
                    if len(value) > _limit(ExtensionRequest, field):
                        too_long.append((pack_id, f"{rule.id}/{ext.id}", field, len(value)))
    assert too_long == []
