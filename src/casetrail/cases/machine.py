"""The case state machines: which move is allowed from which state, and what it needs.

Plain data and functions, no database: the actions consult it, the UI draws its buttons
from it, and hypothesis walks it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext, gettext_lazy

from casetrail.errors import Refused
from casetrail.web.language import pick

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Kind(StrEnum):
    CRIMINAL = "criminal"
    ADMINISTRATIVE = "administrative"


KIND_LABELS: dict[Kind, StrOrPromise] = {
    Kind.CRIMINAL: gettext_lazy("criminal"),
    Kind.ADMINISTRATIVE: gettext_lazy("administrative"),
}


class Status(StrEnum):
    ACCEPTED = "accepted"
    # criminal
    REGISTRATION_REVIEW = "registration_review"
    REGISTERED = "registered"
    NOT_REGISTERED = "not_registered"
    INVESTIGATING = "investigating"
    CONCLUDED = "concluded"
    TRANSFERRED_FOR_PROSECUTION = "transferred_for_prosecution"
    WITHDRAWN = "withdrawn"
    # administrative
    PENALTY_NOTICE = "penalty_notice"
    STATEMENT_DEFENCE = "statement_defence"
    DECIDED = "decided"
    EXECUTED = "executed"
    ARCHIVED = "archived"


STATUS_LABELS: dict[Status, tuple[str, str]] = {
    Status.ACCEPTED: ("accepted", "已受理"),
    Status.REGISTRATION_REVIEW: ("registration review", "立案审查"),
    Status.REGISTERED: ("registered", "已立案"),
    Status.NOT_REGISTERED: ("not registered", "不予立案"),
    Status.INVESTIGATING: ("investigating", "侦查/调查中"),
    Status.CONCLUDED: ("concluded", "侦查终结"),
    Status.TRANSFERRED_FOR_PROSECUTION: ("transferred for prosecution", "移送审查起诉"),
    Status.WITHDRAWN: ("withdrawn", "撤销案件"),
    Status.PENALTY_NOTICE: ("notice of intended penalty", "已告知拟处罚"),
    Status.STATEMENT_DEFENCE: ("statement and defence", "陈述申辩/听证"),
    Status.DECIDED: ("decided", "已作出决定"),
    Status.EXECUTED: ("executed", "已执行"),
    Status.ARCHIVED: ("archived", "已归档"),
}


@dataclass(frozen=True)
class Facts:
    """What a move may depend on beyond the state itself (the action reads them)."""

    hearing_required: bool = False
    hearing_held: bool = False
    suspects: int = 0  # suspects among the case's parties
    unidentified: tuple[str, ...] = ()  # the names of suspects with no identity document
    # What other modules still hold open on the case, each said whole (a detention awaiting the
    # arrest decision, a person still in the case-handling area, a missed deadline with no
    # account): cases.panels.register_pending.
    pending: tuple[str, ...] = ()


@dataclass(frozen=True)
class Precondition:
    """What a move needs beyond its state, as data: the refusal lists every one that does not
    hold, with its basis, and names the field that would put the first one right."""

    name: str
    basis: StrOrPromise
    missing: StrOrPromise  # what the refusal says when it does not hold
    field: str
    holds: Callable[[Facts, str], bool]  # (the case's facts, the reason given)
    # The facts that make it fail, listed after ``missing`` (what is still pending).
    items: Callable[[Facts], tuple[str, ...]] = lambda _facts: ()


PRECONDITIONS: dict[str, Precondition] = {
    p.name: p
    for p in (
        Precondition(
            "hearing_held",
            gettext_lazy("Administrative Punishment Law Art. 63"),
            gettext_lazy(
                "the intended penalty requires a hearing: record the hearing before deciding"
            ),
            "hearing_held_on",
            lambda facts, _reason: not facts.hearing_required or facts.hearing_held,
        ),
        Precondition(
            "a_suspect",
            gettext_lazy("CPL Art. 162"),
            gettext_lazy(
                "a case goes to the procuratorate with its suspect, and none is a party of this "
                "case: add the suspect first (a case with no one to charge is withdrawn instead)"
            ),
            "move",
            lambda facts, _reason: facts.suspects > 0,
        ),
        Precondition(
            "nothing_pending",
            gettext_lazy("CPL Art. 91, 162"),
            gettext_lazy(
                "an investigation is concluded with nothing of it left running: end or decide "
                "what is still open"
            ),
            "move",
            lambda facts, _reason: not facts.pending,
            lambda facts: facts.pending,
        ),
        Precondition(
            "identity_accounted",
            gettext_lazy("CPL Art. 160"),
            gettext_lazy(
                "a suspect whose identity could not be established goes under the name they "
                "give: say in the reason how the identity was investigated"
            ),
            "reason",
            lambda facts, reason: not facts.unidentified or bool(reason.strip()),
        ),
    )
}


@dataclass(frozen=True)
class Move:
    name: str
    source: Status
    target: Status
    label_en: str
    label_zh: str
    needs_reason: bool = False
    # Roles beyond the case's own handlers that may make the move.
    approver_roles: frozenset[str] = frozenset({"unit_leader", "agency_head"})
    # The names of its PRECONDITIONS.
    needs: tuple[str, ...] = ()

    @property
    def asks_reason(self) -> bool:
        """Whether the page offers a reason: always needed, or needed by a precondition."""
        return self.needs_reason or any(PRECONDITIONS[n].field == "reason" for n in self.needs)


def _m(
    name: str,
    source: Status,
    target: Status,
    en: str,
    zh: str,
    *,
    reason: bool = False,
    needs: tuple[str, ...] = (),
) -> Move:
    return Move(name, source, target, en, zh, needs_reason=reason, needs=needs)


S = Status
MOVES: dict[Kind, tuple[Move, ...]] = {
    Kind.CRIMINAL: (
        _m(
            "start_review",
            S.ACCEPTED,
            S.REGISTRATION_REVIEW,
            "Start registration review",
            "开始立案审查",
        ),
        _m("register", S.REGISTRATION_REVIEW, S.REGISTERED, "Register", "立案"),
        _m(
            "refuse_registration",
            S.REGISTRATION_REVIEW,
            S.NOT_REGISTERED,
            "Do not register",
            "不予立案",
            reason=True,
        ),
        _m("investigate", S.REGISTERED, S.INVESTIGATING, "Start investigation", "开始侦查"),
        _m(
            "conclude",
            S.INVESTIGATING,
            S.CONCLUDED,
            "Conclude investigation",
            "侦查终结",
            needs=("identity_accounted", "nothing_pending"),
        ),
        _m(
            "transfer_for_prosecution",
            S.CONCLUDED,
            S.TRANSFERRED_FOR_PROSECUTION,
            "Transfer for prosecution",
            "移送审查起诉",
            needs=("a_suspect", "identity_accounted"),
        ),
        _m("withdraw", S.CONCLUDED, S.WITHDRAWN, "Withdraw the case", "撤销案件", reason=True),
        _m("archive", S.TRANSFERRED_FOR_PROSECUTION, S.ARCHIVED, "Archive", "归档"),
        _m("archive", S.WITHDRAWN, S.ARCHIVED, "Archive", "归档"),
        _m("archive", S.NOT_REGISTERED, S.ARCHIVED, "Archive", "归档"),
    ),
    Kind.ADMINISTRATIVE: (
        _m("investigate", S.ACCEPTED, S.INVESTIGATING, "Start investigation", "开始调查"),
        _m(
            "notify_penalty",
            S.INVESTIGATING,
            S.PENALTY_NOTICE,
            "Notify intended penalty",
            "告知拟处罚",
        ),
        _m(
            "hear_statement",
            S.PENALTY_NOTICE,
            S.STATEMENT_DEFENCE,
            "Record statement and defence",
            "听取陈述申辩",
        ),
        _m(
            "decide",
            S.STATEMENT_DEFENCE,
            S.DECIDED,
            "Decide",
            "作出处罚决定",
            needs=("hearing_held",),
        ),
        _m("execute", S.DECIDED, S.EXECUTED, "Record execution", "执行完毕"),
        _m("archive", S.EXECUTED, S.ARCHIVED, "Archive", "归档"),
    ),
}

INITIAL: dict[Kind, Status] = {Kind.CRIMINAL: S.ACCEPTED, Kind.ADMINISTRATIVE: S.ACCEPTED}
TERMINAL = frozenset({S.ARCHIVED})


class MoveRefused(Refused):
    """The machine does not allow this move; the message says why."""

    def __init__(self, message: str, *, field: str | None = "move") -> None:
        super().__init__(message, field=field)


def statuses(kind: Kind) -> list[Status]:
    seen: list[Status] = [INITIAL[kind]]
    for move in MOVES[kind]:
        for status in (move.source, move.target):
            if status not in seen:
                seen.append(status)
    return seen


def moves_from(kind: Kind, status: Status) -> list[Move]:
    return [m for m in MOVES[kind] if m.source == status]


def _in_language(en: str, zh: str) -> str:
    return pick(en, zh)


def status_label(status: Status) -> str:
    """The state's name in the language of the request."""
    return _in_language(*STATUS_LABELS[status])


def move_label(move: Move) -> str:
    """The move's name in the language of the request."""
    return _in_language(move.label_en, move.label_zh)


def _missing(precondition: Precondition, facts: Facts) -> str:
    said = gettext("%(missing)s (%(basis)s)") % {
        "missing": precondition.missing,
        "basis": precondition.basis,
    }
    items = precondition.items(facts)
    if not items:
        return said
    return gettext("%(said)s: %(items)s") % {"said": said, "items": pick("; ", "；").join(items)}


def check_move(
    kind: Kind, status: Status, name: str, *, reason: str = "", facts: Facts = Facts()
) -> Move:
    """The move ``name`` from ``status``, or MoveRefused saying why not."""
    if status in TERMINAL:
        raise MoveRefused(
            gettext("the case is %(status)s; an archived case does not move")
            % {"status": status_label(status)}
        )
    candidates = [m for m in MOVES[kind] if m.name == name]
    if not candidates:
        # The names the input accepts, as it accepts them.
        known = sorted({m.name for m in MOVES[kind]})
        raise MoveRefused(
            gettext("%(kind)s cases have no move '%(move)s'; known moves: %(known)s")
            % {"kind": KIND_LABELS[kind], "move": name, "known": ", ".join(known)}
        )
    move = next((m for m in candidates if m.source == status), None)
    if move is None:
        allowed = ", ".join(move_label(m) for m in moves_from(kind, status))
        raise MoveRefused(
            gettext(
                "'%(move)s' is only possible from %(sources)s; this case is %(status)s "
                "(possible now: %(allowed)s)"
            )
            % {
                "move": move_label(candidates[0]),
                "sources": ", ".join(status_label(m.source) for m in candidates),
                "status": status_label(status),
                "allowed": allowed or gettext("none"),
            }
        )
    if move.needs_reason and not reason.strip():
        raise MoveRefused(
            gettext("'%(move)s' needs a reason") % {"move": move_label(move)}, field="reason"
        )
    missing = [PRECONDITIONS[n] for n in move.needs if not PRECONDITIONS[n].holds(facts, reason)]
    if missing:
        raise MoveRefused(
            "; ".join(_missing(p, facts) for p in missing),
            field=missing[0].field,
        )
    return move
