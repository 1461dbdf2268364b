"""The state a ledger entry vouches for, and the reconcile of the tables against it.

Each entry about a registered subject carries, in its payload, the digest of the subject's row
as it stood after the action (in the action's transaction, so the digest and the write commit
together): ``"state"``, the hex SHA-256 of the canonical JSON of the audited fields, and
``"state_fields"``, a 32-bit tag per field (the first 4 bytes of the SHA-256 of the canonical
``[name, value]``) so that a row that no longer matches can be reported field by field.

The ledger knows no app: an app says which table holds a subject's state with
`register_state` (re-exported by `casetrail.ledger.access`), from its AppConfig.ready().
Every concrete field of the model is audited except the ones it names as derived.

`reconcile` holds every current row of every registered kind against the last entry of its
subject that records an action (a look, ``viewed``, vouches for nothing: it carries no digest,
so a change behind the ledger is not laundered by the next officer who opens the page).
docs/ledger.md says what this covers and what it does not.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db import connection, models
from django.db.models import Max
from django.db.models.sql.compiler import SQLCompiler

from casetrail.ledger.canonical import JsonValue, canonical_json, normalise
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.models import LedgerEntry

STATE = "state"
STATE_FIELDS = "state_fields"
TAG_BYTES = 4
# Kinds that record no state: a look changes nothing, and the state it saw is not vouched for.
STATELESS_KINDS = frozenset({str(LedgerKind.VIEWED)})


@dataclass(frozen=True)
class StateSpec:
    subject_type: str
    model: type[models.Model]
    # (name shown in reports, attribute read from the row); a foreign key reads its id.
    fields: tuple[tuple[str, str], ...]
    deleted_by: frozenset[str]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.fields)


_states: dict[str, StateSpec] = {}


def register_state(
    subject_type: str,
    model: type[models.Model],
    *,
    derived: Collection[str] = (),
    deleted_by: Collection[str] = (),
) -> None:
    """Say that ``model`` holds the state of ``subject_type``: every concrete field but the
    primary key and those named in ``derived`` (search text, bookkeeping pointers) is audited.
    ``deleted_by``: kinds whose entry legitimately leaves no row behind."""
    known = {f.name for f in model._meta.concrete_fields}
    unknown = set(derived) - known
    if unknown:
        raise ValueError(f"{model.__name__} has no field {', '.join(sorted(unknown))}")
    fields = tuple(
        (f.name, f.attname)
        for f in model._meta.concrete_fields
        if not f.primary_key and f.name not in derived
    )
    _states[subject_type] = StateSpec(
        subject_type, model, fields, frozenset(str(k) for k in deleted_by)
    )


def registered() -> list[StateSpec]:
    return [_states[name] for name in sorted(_states)]


def spec_for(subject_type: str) -> StateSpec | None:
    return _states.get(subject_type)


# --- digests ------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A stored value in a form canonical JSON takes: a float (in a JSON field) as its repr."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def digest(values: Mapping[str, Any]) -> str:
    """The state digest: hex SHA-256 of the canonical JSON of ``{field: value}``."""
    return hashlib.sha256(canonical_json(_plain(dict(values)))).hexdigest()


def _encode(value: JsonValue) -> bytes:
    """canonical_json of a value already normalised (one conversion for all the tags)."""
    return json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def tag(name: str, value: Any) -> str:
    """A field's tag: enough to say which field changed, too short to say much of its value."""
    return hashlib.sha256(canonical_json(_plain([name, value]))).digest()[:TAG_BYTES].hex()


def state_payload(values: Mapping[str, Any]) -> dict[str, Any]:
    """What an entry's payload carries about its subject's state (`digest` and `tag` of each
    field, with the values normalised once)."""
    plain = normalise(_plain(dict(values)))
    assert isinstance(plain, dict)  # noqa: S101 - normalise keeps a mapping a mapping
    tags = {
        name: hashlib.sha256(_encode([name, value])).digest()[:TAG_BYTES].hex()
        for name, value in plain.items()
    }
    return {STATE: hashlib.sha256(_encode(plain)).hexdigest(), STATE_FIELDS: tags}


def current_states(spec: StateSpec, ids: Iterable[int]) -> dict[str, dict[str, Any]]:
    """The audited fields of the rows ``ids``, by str(pk), read from the database."""
    attnames = [attname for _, attname in spec.fields]
    rows = spec.model._default_manager.filter(pk__in=list(ids)).values_list("pk", *attnames)
    return {str(row[0]): dict(zip(spec.names, row[1:], strict=True)) for row in rows}


@dataclass(frozen=True)
class _RowReader:
    """One row's audited fields by primary key, in the SQL and with the value converters the
    ORM would use, compiled once: record() reads a row at every append, and building the
    query each time cost more than running it."""

    sql: str
    compiler: SQLCompiler
    converters: dict[int, Any]

    def read(self, pk: int) -> list[Any] | None:
        with self.compiler.connection.cursor() as cursor:
            cursor.execute(self.sql, [pk])
            rows = cursor.fetchall()
        if not rows:
            return None
        return next(iter(self.compiler.apply_converters(rows, self.converters)))


# By registration and by connection (Django's connections are per thread).
_readers: dict[tuple[StateSpec, int], _RowReader] = {}


def _reader(spec: StateSpec) -> _RowReader:
    key = (spec, id(connection))
    found = _readers.get(key)
    if found is None:
        attnames = [attname for _, attname in spec.fields]
        query = spec.model._default_manager.filter(pk=0).order_by().values_list(*attnames).query
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        assert list(params) == [0]  # noqa: S101 - the key is the one parameter
        converters = compiler.get_converters([col for col, _, _ in compiler.select])
        found = _readers[key] = _RowReader(sql, compiler, converters)
    return found


def payload_for(subject_type: str, subject_id: str, kind: str) -> dict[str, Any]:
    """The state fields to add to the payload of an entry of ``kind`` about the subject: none
    for an unregistered subject, a look, or a row that is not there (a deletion)."""
    spec = _states.get(subject_type)
    if spec is None or kind in STATELESS_KINDS or not _is_key(subject_id):
        return {}
    row = _reader(spec).read(int(subject_id))
    if row is None:
        return {}
    return state_payload(dict(zip(spec.names, row, strict=True)))


def payloads_for(subjects: Iterable[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """`payload_for` for many subjects at once (the bulk loaders), a query per kind."""
    wanted: dict[str, list[int]] = {}
    for subject_type, subject_id in subjects:
        if subject_type in _states and _is_key(subject_id):
            wanted.setdefault(subject_type, []).append(int(subject_id))
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for subject_type, ids in wanted.items():
        for start in range(0, len(ids), CHUNK):
            states = current_states(_states[subject_type], ids[start : start + CHUNK])
            found.update({(subject_type, i): state_payload(v) for i, v in states.items()})
    return found


def _is_key(subject_id: str) -> bool:
    return subject_id.isascii() and subject_id.isdigit()


# --- the reconcile ------------------------------------------------------------------------------

CHUNK = 2000


@dataclass(frozen=True)
class Finding:
    """A row and the ledger that disagree."""

    subject_type: str
    subject_id: str
    problem: str  # "changed", "unrecorded", "deleted", "unreadable"
    fields: tuple[str, ...] = ()
    seq: int | None = None
    action: str = ""

    @property
    def message(self) -> str:
        who = f"{self.subject_type} {self.subject_id}"
        if self.problem == "changed":
            named = ", ".join(self.fields) if self.fields else "a field the tags cannot name"
            return (
                f"{who}: {named} changed behind the ledger "
                f"(differs from the state recorded by entry {self.seq}, {self.action})"
            )
        if self.problem == "unrecorded":
            return f"{who}: row has no ledger entry (inserted behind the ledger)"
        if self.problem == "deleted":
            return (
                f"{who}: row is gone but its last entry {self.seq} ({self.action}) is not a "
                "deletion (deleted behind the ledger)"
            )
        fields = ", ".join(self.fields)
        return f"{who}: entry {self.seq} records the state of {fields}, which the row lacks"

    def __str__(self) -> str:
        return self.message


@dataclass
class KindTally:
    rows: int = 0
    checked: int = 0
    undigested: int = 0


@dataclass
class StateReport:
    findings: list[Finding] = field(default_factory=list)
    kinds: dict[str, KindTally] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.kinds.values())

    @property
    def undigested(self) -> int:
        return sum(t.undigested for t in self.kinds.values())


Progress = Callable[[int, int], object]


def reconcile(
    kinds: Sequence[str] | None = None, *, progress: Progress | None = None
) -> StateReport:
    """Hold every current row of each registered kind against its subject's last entry."""
    specs = registered() if kinds is None else [_states[k] for k in kinds]
    total = sum(spec.model._default_manager.count() for spec in specs)
    report = StateReport()
    done = 0
    for spec in specs:
        tally = report.kinds[spec.subject_type] = KindTally()
        for rows in _reconcile_kind(spec, tally, report.findings):
            done += rows
            if progress is not None:
                progress(done, total)
    return report


def _last_entries(subject_type: str) -> dict[str, int]:
    """Each subject's last entry that records an action, by subject id."""
    rows = (
        LedgerEntry.objects.filter(subject_type=subject_type)
        .exclude(action__in=STATELESS_KINDS)
        .order_by()
        .values("subject_id")
        .annotate(last=Max("seq"))
        .values_list("subject_id", "last")
    )
    return dict(rows)


def _reconcile_kind(spec: StateSpec, tally: KindTally, findings: list[Finding]) -> Iterable[int]:
    last = _last_entries(spec.subject_type)
    attnames = [attname for _, attname in spec.fields]
    rows_of = spec.model._default_manager.order_by("pk")
    after: Any = None
    while True:
        page = rows_of.filter(pk__gt=after) if after is not None else rows_of
        chunk = list(page.values_list("pk", *attnames)[:CHUNK])
        if not chunk:
            break
        after = chunk[-1][0]
        seqs = [last[str(row[0])] for row in chunk if str(row[0]) in last]
        entries = {
            seq: (action, payload)
            for seq, action, payload in LedgerEntry.objects.filter(seq__in=seqs)
            .order_by()
            .values_list("seq", "action", "payload")
        }
        for row in chunk:
            subject_id = str(row[0])
            seq = last.pop(subject_id, None)
            tally.rows += 1
            if seq is None:
                findings.append(Finding(spec.subject_type, subject_id, "unrecorded"))
                continue
            values = dict(zip(spec.names, row[1:], strict=True))
            found = _check(spec, subject_id, values, seq, *entries[seq])
            if found == "undigested":
                tally.undigested += 1
            elif found == "match":
                tally.checked += 1
            else:
                findings.append(found)
        yield len(chunk)
    gone = sorted(last.items(), key=lambda item: item[1])
    for start in range(0, len(gone), CHUNK):
        part = dict(gone[start : start + CHUNK])
        actions = dict(
            LedgerEntry.objects.filter(seq__in=list(part.values()))
            .order_by()
            .values_list("seq", "action")
        )
        for subject_id, seq in part.items():
            if actions[seq] not in spec.deleted_by:
                findings.append(
                    Finding(spec.subject_type, subject_id, "deleted", seq=seq, action=actions[seq])
                )


def _check(
    spec: StateSpec, subject_id: str, values: dict[str, Any], seq: int, action: str, payload: str
) -> Finding | Literal["match", "undigested"]:
    """What the row and the entry's digest say: they match, the entry has none, or a finding."""
    data = json.loads(payload)
    recorded = data.get(STATE) if isinstance(data, dict) else None
    tags = data.get(STATE_FIELDS) if isinstance(data, dict) else None
    if not isinstance(recorded, str) or not isinstance(tags, dict):
        return "undigested"
    missing = tuple(sorted(set(tags) - values.keys()))
    if missing:
        return Finding(spec.subject_type, subject_id, "unreadable", missing, seq, action)
    # The digest covers the fields the entry names: a field audited since is not held
    # against entries written before it was.
    covered = {name: value for name, value in values.items() if name in tags}
    if digest(covered) == recorded:
        return "match"
    changed = tuple(name for name, value in covered.items() if tag(name, value) != tags[name])
    return Finding(spec.subject_type, subject_id, "changed", changed, seq, action)
