"""`casetrail ledger ...` and `casetrail export case ...`.

The casetrail command wires these in with `add_subparsers`. Handlers print to stdout, problems
to stderr, and return an exit code: 0 when all is well, 1 when the ledger (or a receipt or an
export) does not verify, 2 for a bad argument or a missing key, with a message naming it;
never a traceback.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from casetrail.cli.setup import setup
from casetrail.ledger.errors import TreeStorageError

USAGE_ERROR = 2
NOT_INTACT = 1


def _count(text: str) -> int:
    """An argparse type: a whole number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {value}")
    return value


def _positive(text: str) -> int:
    value = _count(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def add_subparsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `ledger keygen|head|verify|prove|consistency|check-receipt` and `export case`."""
    ledger = subparsers.add_parser(
        "ledger", help="the verifiable ledger: keys, signed heads, verification, proofs"
    )
    commands = ledger.add_subparsers(dest="ledger_command", required=True, metavar="COMMAND")

    p = commands.add_parser("keygen", help="create the tree-head signing key (never overwrites)")
    p.add_argument(
        "--out", type=Path, help="where to write it (default: CASETRAIL_LEDGER_KEY_FILE)"
    )
    p.set_defaults(func=run_keygen)

    p = commands.add_parser("head", help="sign a tree head for the ledger as it is now")
    p.add_argument("--json", action="store_true", help="print the signed head as JSON")
    p.set_defaults(func=_guarded(run_head))

    p = commands.add_parser(
        "verify", help="recompute every hash, chain, node and signed head; exit 1 if any fails"
    )
    p.add_argument(
        "--resume", action="store_true", help="start from the last verified head (incremental)"
    )
    p.add_argument(
        "--trust",
        action="append",
        default=[],
        metavar="KEY_ID",
        help="every head must be signed by one of these key ids (repeatable)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.add_argument(
        "--checkpoint",
        type=Path,
        metavar="FILE",
        help="hold the log to this copy of the signed checkpoint (default: the one the head "
        "signer keeps, CASETRAIL_LEDGER_CHECKPOINT_FILE)",
    )
    p.add_argument(
        "--state",
        action="store_true",
        help="also hold every case, incident, person, measure and stay against its last entry",
    )
    p.set_defaults(func=_with_state(run_verify))

    p = commands.add_parser("prove", help="the inclusion proof of an entry")
    p.add_argument("--seq", type=_positive, required=True, help="the entry's sequence number")
    p.add_argument(
        "--size",
        type=_positive,
        help="the tree size to prove against (default: the latest signed head's)",
    )
    p.add_argument("--json", action="store_true", help="print JSON (with a receipt if signed)")
    p.set_defaults(func=_guarded(run_prove))

    p = commands.add_parser("consistency", help="the consistency proof between two tree sizes")
    p.add_argument("--from", dest="first", type=_positive, required=True, metavar="M")
    p.add_argument(
        "--to",
        dest="second",
        type=_positive,
        metavar="N",
        help="default: the latest signed head's size",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_guarded(run_consistency))

    p = commands.add_parser("check-receipt", help="check a receipt file offline")
    p.add_argument("file", metavar="FILE", type=Path)
    p.add_argument(
        "--key",
        action="append",
        default=[],
        metavar="KEY",
        help="a trusted public key: a PEM file or 64 hex digits (default: the file's own)",
    )
    p.add_argument(
        "--live",
        action="store_true",
        help="also hold the receipt against this server's ledger as stored today",
    )
    p.set_defaults(func=_guarded(run_check_receipt))

    export = subparsers.add_parser("export", help="export a case file's ledger as a bundle")
    things = export.add_subparsers(dest="export_command", required=True, metavar="WHAT")
    p = things.add_parser("case", help="a case's entries and proofs, verifiable offline")
    p.add_argument("number", metavar="NUMBER", help="the case number")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.zip")
    p.add_argument("--officer", metavar="USERNAME", help="who exports (recorded in the log)")
    p.set_defaults(func=_guarded(run_export_case))


def _error(message: str, code: int = USAGE_ERROR) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def _guarded(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """A damaged tree (a node the rows should have, missing) is reported, not a traceback."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except TreeStorageError as exc:
            return _error(f"the stored tree is damaged: {exc}; run `casetrail ledger verify`", 1)

    return run


# --- keys and heads -----------------------------------------------------------------------------


def run_keygen(args: argparse.Namespace) -> int:
    setup()
    from casetrail.ledger import heads

    path = args.out or heads.key_file()
    try:
        key = heads.generate_key(path)
    except heads.KeyExists as exc:
        return _error(str(exc))
    except heads.NoSigningKey as exc:
        return _error(str(exc))
    print(f"wrote the ledger signing key to {path} (mode 0600; keep it out of backups of the DB)")
    print(f"key id {key.key_id}")
    print("publish this key id: receipts and exports are checked against it")
    if args.out and path.resolve() != heads.key_file().resolve():
        print(
            f"note: the server signs with {heads.key_file()}; point CASETRAIL_LEDGER_KEY_FILE here"
        )
    return 0


def run_head(args: argparse.Namespace) -> int:
    setup()
    from casetrail.ledger import heads

    try:
        head = heads.sign_head()
    except heads.NoSigningKey as exc:
        return _error(str(exc))
    problem = heads.key_file_mode_problem()
    if problem:
        print(f"warning: {problem}", file=sys.stderr)
    if args.json:
        print(json.dumps(head.to_dict(), indent=2))
    else:
        data = head.to_dict()
        print(f"signed head: {head.size} entries at {data['time']}")
        print(f"  root       {data['root']}")
        print(f"  key id     {head.key_id}")
        print(f"  signature  {data['signature']}")
    return 0


# --- verify -------------------------------------------------------------------------------------


class ProgressBar:
    """``verifying [#####.....]  52%  520,000/1,000,000 entries  41,000/s`` on a terminal;
    a line every tenth elsewhere (logs)."""

    def __init__(self, out: TextIO, label: str = "verifying") -> None:
        self.out, self.label = out, label
        self.tty = out.isatty()
        self.started = time.monotonic()
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        share = done / total if total else 1.0
        rate = done / max(time.monotonic() - self.started, 1e-9)
        if self.tty:
            bar = "#" * int(share * 30)
            self.out.write(
                f"\r{self.label} [{bar:.<30}] {share:4.0%}  {done:,}/{total:,} entries  "
                f"{rate:,.0f}/s"
            )
            self.out.flush()
        elif int(share * 10) > self.shown:
            self.shown = int(share * 10)
            print(f"{self.label}: {share:4.0%}  {done:,}/{total:,} entries", file=self.out)

    def close(self) -> None:
        if self.tty:
            self.out.write("\n")
            self.out.flush()


def run_verify(args: argparse.Namespace) -> int:
    setup()
    from casetrail.ledger import audit

    for kid in args.trust:
        if not re.fullmatch(r"[0-9a-f]{64}", kid):
            return _error(f"--trust: a key id is 64 lower-case hex digits: {kid!r}")
    if args.checkpoint is not None and not args.checkpoint.is_file():
        return _error(f"--checkpoint: no file {args.checkpoint}")
    bar = None if args.no_progress else ProgressBar(sys.stderr)
    try:
        report = audit.verify_ledger(
            resume=args.resume,
            trusted=args.trust,
            progress=bar,
            checkpoint_file=args.checkpoint,
        )
    finally:
        if bar is not None:
            bar.close()
    span = f"seqs {report.start + 1}..{report.size}" if report.start else "every entry"
    if report.ok:
        print(
            f"INTACT: {report.size:,} entries ({span}) and {report.heads_checked} signed heads hold"
        )
        if report.start:
            drawn = f"{report.sampled:,} entries before seq {report.start + 1}"
            print(f"  and {drawn}, drawn at random")
        if report.outside is not None:
            print(f"  and the signed checkpoint of {report.outside.size:,} entries")
        if report.checkpoint is not None:
            head = report.checkpoint.head
            print(f"checkpoint: head of {head.size:,} entries; `--resume` starts there")
        _print_notes(report.notes)
        return 0
    first = report.first
    assert first is not None  # noqa: S101 - a failed report has a problem
    where = f"first bad {first.where}" if first.seq is not None else "the ledger"
    print(f"NOT INTACT: {where} ({first.check}): {first.message}")
    others = sorted(
        (p for p in report.problems if p is not first), key=lambda p: (p.seq is None, p.seq or 0)
    )
    for problem in others[:20]:
        print(f"  also {problem}")
    hidden = report.problem_count - 1 - min(len(others), 20)
    if hidden > 0:
        print(f"  ... and {hidden:,} more")
    _print_notes(report.notes)
    return NOT_INTACT


def _print_notes(notes: list[str]) -> None:
    for note in notes:
        print(f"note: {note}")


def _with_state(
    verify: Callable[[argparse.Namespace], int],
) -> Callable[[argparse.Namespace], int]:
    """`verify --state`: the log first, then the tables against it; 1 if either fails."""

    @functools.wraps(verify)
    def run(args: argparse.Namespace) -> int:
        code = verify(args)
        if code == USAGE_ERROR or not getattr(args, "state", False):
            return code
        return max(code, run_state(args))

    return run


def run_state(args: argparse.Namespace) -> int:
    """Reconcile the state tables with the ledger: a row changed, inserted or deleted behind
    it is reported by kind, id and field."""
    setup()
    from casetrail.ledger import state

    bar = None if args.no_progress else ProgressBar(sys.stderr, "reconciling")
    started = time.monotonic()
    try:
        report = state.reconcile(progress=bar)
    finally:
        if bar is not None:
            bar.close()
    seconds = time.monotonic() - started
    for name, tally in report.kinds.items():
        line = f"state: {name}: {tally.rows:,} rows, {tally.checked:,} match their last entry"
        if tally.undigested:
            line += f", {tally.undigested:,} with no state digest (entries older than digests)"
        print(line)
    rate = report.rows / max(seconds, 1e-9)
    if report.ok:
        print(f"STATE MATCHES: {report.rows:,} rows in {seconds:.1f} s ({rate:,.0f} rows/s)")
        return 0
    print(f"STATE DIFFERS: {len(report.findings):,} rows disagree with the ledger")
    for finding in report.findings[:50]:
        print(f"  {finding}")
    if len(report.findings) > 50:
        print(f"  ... and {len(report.findings) - 50:,} more")
    return NOT_INTACT


# --- proofs -------------------------------------------------------------------------------------


def run_prove(args: argparse.Namespace) -> int:
    setup()
    from casetrail.ledger import proofs

    try:
        result = proofs.inclusion(args.seq, args.size)
    except proofs.ProofError as exc:
        return _error(f"--{exc.field or 'seq'}: {exc}")
    data = result.to_dict()
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    print(f"seq {result.seq} (leaf {data['leaf_index']}) in the tree of {result.size} entries")
    print(f"  leaf hash  {data['leaf_hash']}")
    print(f"  root       {data['root']}")
    _print_head(result.head, result.size)
    _print_hashes(data["proof"])
    return 0


def run_consistency(args: argparse.Namespace) -> int:
    setup()
    from casetrail.ledger import proofs

    try:
        result = proofs.consistency(args.first, args.second)
    except proofs.ProofError as exc:
        flag = {"first": "--from", "second": "--to"}.get(exc.field or "", "--from")
        return _error(f"{flag}: {exc}")
    data = result.to_dict()
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    print(f"the tree of {result.first} entries is a prefix of the tree of {result.second}")
    print(f"  root of {result.first:<8} {data['first_root']}")
    print(f"  root of {result.second:<8} {data['second_root']}")
    _print_hashes(data["proof"])
    return 0


def _print_head(head: Any, size: int) -> None:
    if head is None:
        print(f"  head       none signed at {size} entries: this proof rests on today's rows")
    else:
        print(f"  head       signed {head.to_dict()['time']} by key {head.key_id}")


def _print_hashes(hashes: list[str]) -> None:
    print(f"  proof      {len(hashes)} hashes, leaf to root:")
    for number, value in enumerate(hashes):
        print(f"    {number:>2}  {value}")


# --- receipts -----------------------------------------------------------------------------------


def _key_arg(text: str) -> bytes:
    from casetrail.ledger.signing import KeyFileError, public_key_from_pem

    if re.fullmatch(r"[0-9a-fA-F]{64}", text):
        return bytes.fromhex(text)
    path = Path(text)
    try:
        return public_key_from_pem(path.read_bytes())
    except OSError as exc:
        raise ValueError(
            f"{text} is neither 64 hex digits nor a readable file: {exc.strerror}"
        ) from exc
    except KeyFileError as exc:
        raise ValueError(f"{text}: {exc}") from exc


def run_check_receipt(args: argparse.Namespace) -> int:
    from casetrail.ledger.signing import key_id
    from casetrail.ledger.verify import check_receipt, split_receipt_file

    try:
        document = json.loads(args.file.read_text(encoding="utf-8"))
    except OSError as exc:
        return _error(f"FILE: cannot read {args.file}: {exc.strerror}")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return _error(f"FILE: {args.file} is not JSON: {exc}")
    try:
        receipt, carried = split_receipt_file(document)
    except ValueError as exc:
        return _error(f"FILE: {exc}")
    keys: dict[str, bytes] = {}
    for text in args.key:
        try:
            raw = _key_arg(text)
            keys[key_id(raw)] = raw
        except ValueError as exc:
            return _error(f"--key: {exc}")
    trusted = bool(keys)
    if not keys:
        keys = carried
    if not keys:
        return _error("--key: the receipt carries no public key; pass the agency's with --key")
    problems = check_receipt(receipt, keys)
    if args.live and not problems:
        setup()
        from casetrail.ledger.receipts import check_against_ledger

        problems = check_against_ledger(receipt, keys)
    if problems:
        print(f"INVALID: {args.file}")
        for problem in problems:
            print(f"  {problem}")
        return NOT_INTACT
    assert isinstance(receipt, dict)  # noqa: S101 - check_receipt accepted it
    entry, head = receipt["entry"], receipt["head"]
    print(
        f"VALID: seq {entry['seq']} ({entry['action']}, {entry['subject']}, {entry['at']}) is in "
        f"the tree of {head['size']} entries signed {head['time']} by key {head['key_id']}"
    )
    if args.live:
        print("  and the ledger as stored today still holds it and extends that head")
    if not trusted:
        print(
            "  note: the key came with the receipt: compare its key id with the one the agency "
            "publishes, or pass --key"
        )
    return 0


# --- export -------------------------------------------------------------------------------------


def run_export_case(args: argparse.Namespace) -> int:
    setup()
    from casetrail.cases import export
    from casetrail.ledger import heads
    from casetrail.org.models import Officer

    officer = None
    if args.officer:
        officer = Officer.objects.filter(username=args.officer).first()
        if officer is None:
            return _error(f"--officer: no officer {args.officer}")
    try:
        done = export.export_case(args.number, args.out, actor=officer)
    except export.ExportError as exc:
        return _error(f"{exc.field or 'NUMBER'}: {exc}")
    except heads.NoSigningKey as exc:
        return _error(str(exc))
    except export.LedgerBroken as exc:
        return _error(str(exc), NOT_INTACT)
    print(
        f"exported case {done.case} to {done.path}: {done.entries} entries, "
        f"{done.anchors} anchors, against the head of {done.head.size} entries"
    )
    print(f"  the export itself is entry seq {done.viewed_seq}, inside that head")
    print(f"  verify it anywhere: python -m casetrail.ledger.verify {done.path}")
    return 0
