"""The procedure engine over HTTP: list and show rules, compute a deadline with its
explanation, counting with the official holiday notices loaded into this installation."""

from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Router, Schema
from pydantic import JsonValue

from casetrail.errors import NotFound, Refused
from casetrail.org.calendars import calendar_named
from casetrail.procedure import (
    ExtensionError,
    NotInForce,
    Pack,
    ParamError,
    ProcedureError,
    Rule,
    TriggerError,
    UnknownRule,
    compute,
    find_pack,
    load_pack,
    pack_ids,
)

router = Router(tags=["rules"])

# The installed packs, stated in the document; another is refused naming `pack` (400).
PACK_IDS: list[JsonValue] = list(pack_ids())
PACKS: dict[str, JsonValue] = {"enum": [*PACK_IDS, None]}

# One path segment (a "/" or a "." segment would route elsewhere); ids are far shorter.
RuleId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^/.][^/]*$")]


class RuleError(Refused):
    """A refused computation; ``field`` names the input to correct."""


class RuleSummaryOut(Schema):
    id: str
    pack: str
    title_zh: str
    title_en: str
    citation: str
    period: str
    custody: bool
    effective_from: str
    effective_to: str | None


class ExtensionOut(Schema):
    id: str
    title_en: str
    title_zh: str = Field(description="empty where the pack names it in English only")
    description: str
    approver: str
    max_times: int
    citation: str


class RuleOut(RuleSummaryOut):
    trigger: str
    counting: str
    holidays: str
    warn_before: str
    extensions: list[ExtensionOut]
    notes: str


class DeadlineIn(Schema):
    trigger: str = Field(max_length=40, description="ISO 8601; without an offset, pack time")
    extensions: list[str] = Field(
        default_factory=list, max_length=10, description="EXT or EXT=N, in order"
    )
    params: dict[str, str] = Field(default_factory=dict)
    pack: str | None = Field(None, max_length=16, json_schema_extra=PACKS)


def _summary(rule: Rule, pack: Pack) -> dict[str, Any]:
    period = rule.period_text()
    return {
        "id": rule.id,
        "pack": pack.id,
        "title_zh": rule.title_zh,
        "title_en": rule.title_en,
        "citation": str(rule.citation),
        "period": period,
        "custody": rule.custody,
        "effective_from": rule.effective_from.isoformat(),
        "effective_to": rule.effective_to.isoformat() if rule.effective_to else None,
    }


def _pack_of(rule_id: str, pack_id: str | None) -> Pack:
    if pack_id and pack_id not in pack_ids():
        raise RuleError(
            gettext("unknown pack %(pack)s; known: %(known)s")
            % {"pack": pack_id, "known": ", ".join(pack_ids())},
            field="pack",
        )
    try:
        return load_pack(pack_id) if pack_id else find_pack(rule_id)
    except ProcedureError as exc:
        raise NotFound(exc.said(gettext)) from exc


@router.get("/rules", response=list[RuleSummaryOut])
def list_rules(
    request: HttpRequest,
    pack: Annotated[str, Field(json_schema_extra={"enum": ["", *PACK_IDS]})] = "",
) -> list[dict[str, Any]]:
    if pack and pack not in pack_ids():
        raise RuleError(
            gettext("unknown pack %(pack)s; known: %(known)s")
            % {"pack": pack, "known": ", ".join(pack_ids())},
            field="pack",
        )
    out = []
    for pid in [pack] if pack else pack_ids():
        loaded = load_pack(pid)
        out += [_summary(rule, loaded) for rule in loaded.rules]
    return out


@router.get("/rules/{rule_id}", response=list[RuleOut])
def show_rule(request: HttpRequest, rule_id: RuleId) -> list[dict[str, Any]]:
    """Every version of the rule, or of every member of a version-free alias (oldest first)."""
    pack = _pack_of(rule_id, None)
    try:
        versions = pack.rules_named(rule_id)
    except ProcedureError as exc:
        raise NotFound(gettext("no rule %(rule)s") % {"rule": rule_id}) from exc
    return [
        _summary(rule, pack)
        | {
            "trigger": f"{rule.trigger.en} / {rule.trigger.zh}",
            "counting": rule.counting,
            "holidays": rule.holidays,
            "warn_before": str(rule.warn_before),
            "notes": rule.notes,
            "extensions": [
                {
                    "id": e.id,
                    "title_en": e.title_en,
                    "title_zh": e.title_zh,
                    "description": e.describe(),
                    "approver": e.approver,
                    "max_times": e.max_times,
                    "citation": e.citation,
                }
                for e in rule.extensions
            ],
        }
        for rule in versions
    ]


_FIELD_OF: tuple[tuple[type[ProcedureError], str], ...] = (
    (TriggerError, "trigger"),
    (NotInForce, "trigger"),
    (ExtensionError, "extensions"),
    (ParamError, "params"),
    (UnknownRule, "rule_id"),
)


@router.post("/rules/{rule_id}/deadline", response=dict[str, Any])
def compute_deadline(request: HttpRequest, rule_id: RuleId, payload: DeadlineIn) -> dict[str, Any]:
    """Compute the deadline with its citation and the steps a reviewer can read."""
    pack = _pack_of(rule_id, payload.pack)
    try:
        deadline = compute(
            rule_id,
            payload.trigger,
            pack=pack,
            extensions=payload.extensions,
            params=dict(payload.params),
            calendar=calendar_named(pack.calendar),
        )
    except UnknownRule as exc:
        raise NotFound(exc.said(gettext)) from exc
    except ProcedureError as exc:
        field = next((name for kind, name in _FIELD_OF if isinstance(exc, kind)), "rule_id")
        raise RuleError(exc.said(gettext), field=field) from exc
    result: dict[str, Any] = deadline.to_dict()
    return result
