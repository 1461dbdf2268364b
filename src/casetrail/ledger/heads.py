"""Signing keys and signed tree heads.

The private key is a PEM file outside the database, at ``settings.CASETRAIL_LEDGER_KEY_FILE``
(environment: ``CASETRAIL_LEDGER_KEY_FILE``; default ``<data dir>/keys/ledger.pem``). Its public
half is registered in `LedgerKey` the first time it is used, with a ``ledger.key_registered``
entry, so the log itself records every key that ever signed it; a rotated-out key stays
registered and old heads keep verifying.

A head is signed on demand (`sign_head`, ``casetrail ledger head``), for a receipt that needs one
(`head_including`: an intake's API answer does not, docs/ledger.md), and by the background job
`sign_head_if_due` every ``CASETRAIL_LEDGER_HEAD_EVERY_ENTRIES`` new entries (default 1,000) or,
when the log has grown at all, every ``CASETRAIL_LEDGER_HEAD_EVERY_SECONDS`` (default 300), never
sooner than ``CASETRAIL_LEDGER_HEAD_MIN_SECONDS`` (default 10) after the last head. The signer
also moves the checkpoint file forward (`advance_checkpoint`). An idle log is not re-signed:
its last head still states its size. Heads are not ledger entries (a head about a log that grows
with each head would never be current); each one is self-authenticating, by its signature.
"""

from __future__ import annotations

import fcntl
import logging
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from casetrail import clock
from casetrail.ledger import merkle, note, signing, tree
from casetrail.ledger.kinds import LedgerKind
from casetrail.ledger.models import LedgerKey, SignedHead
from casetrail.ledger.record import record
from casetrail.ledger.signing import SigningKey, TreeHead

log = logging.getLogger("casetrail.ledger")

DEFAULT_EVERY_ENTRIES = 1000
DEFAULT_EVERY_SECONDS = 300
DEFAULT_MIN_SECONDS = 10
CHECK_EVERY_SECONDS = 10.0  # how often the background job looks whether a head is due


class NoSigningKey(RuntimeError):
    """The key file is missing or unusable; the message says where and what to do."""


class KeyExists(RuntimeError):
    """`generate_key` refuses to overwrite a key file."""


def key_file() -> Path:
    configured = getattr(settings, "CASETRAIL_LEDGER_KEY_FILE", None)
    if configured:
        return Path(configured)
    return Path(settings.DATA_DIR) / "keys" / "ledger.pem"


def every_entries() -> int:
    return int(getattr(settings, "CASETRAIL_LEDGER_HEAD_EVERY_ENTRIES", DEFAULT_EVERY_ENTRIES))


def every_seconds() -> float:
    return float(getattr(settings, "CASETRAIL_LEDGER_HEAD_EVERY_SECONDS", DEFAULT_EVERY_SECONDS))


def has_key() -> bool:
    return key_file().is_file()


def load_key() -> SigningKey:
    """The signing key from the key file, or NoSigningKey saying how to make one."""
    path = key_file()
    if not path.exists():
        raise NoSigningKey(
            f"no ledger signing key at {path}: create one with `casetrail ledger keygen` "
            "(the path is CASETRAIL_LEDGER_KEY_FILE); until then no tree head is signed"
        )
    try:
        return signing.load_key_file(path)
    except signing.KeyFileError as exc:
        raise NoSigningKey(f"the ledger signing key is unusable: {exc}") from exc


def generate_key(path: Path | None = None) -> SigningKey:
    """Write a new key file (mode 0600, in a 0700 folder) and register its public key.

    Refuses (KeyExists) to overwrite a file: heads signed with a lost key stay verifiable only
    through its registered public key, and nobody could sign with it again.
    """
    target = path or key_file()
    if target.exists():
        raise KeyExists(
            f"{target} exists; refusing to overwrite a signing key (to rotate, move it away "
            "first: its public key stays registered, so its heads keep verifying)"
        )
    if not target.parent.exists():
        target.parent.mkdir(parents=True, mode=0o700)
    try:
        key = signing.generate_key_file(target)
    except FileExistsError as exc:
        raise KeyExists(str(exc)) from exc
    except OSError as exc:
        raise NoSigningKey(f"cannot write {target}: {exc.strerror}") from exc
    register_key(key)
    return key


@transaction.atomic
def register_key(key: SigningKey) -> LedgerKey:
    """The key's `LedgerKey` row, created (with its ledger entry) the first time."""
    tree.append_lock()
    existing = LedgerKey.objects.filter(key_id=key.key_id).first()
    if existing is not None:
        return existing
    row = LedgerKey.objects.create(
        key_id=key.key_id, public_key=key.public_key, registered_at=clock.now()
    )
    record(
        LedgerKind.LEDGER_KEY_REGISTERED,
        subject=row,
        actor=None,
        data={"key_id": key.key_id, "public_key": key.public_key.hex()},
    )
    return row


def key_rows() -> QuerySet[LedgerKey]:
    """Every key that ever signed a head, in the order they were registered."""
    return LedgerKey.objects.order_by("registered_at", "key_id")


def public_keys() -> dict[str, bytes]:
    """Every registered public key, current and rotated out: ``{key id: raw key}``."""
    return {kid: bytes(raw) for kid, raw in LedgerKey.objects.values_list("key_id", "public_key")}


@transaction.atomic
def sign_head(key: SigningKey | None = None) -> TreeHead:
    """Sign and store a head for the log as it is now (registering the key first if new)."""
    key = key or load_key()
    tree.append_lock()
    register_key(key)
    size = tree.tree_size()
    head = signing.sign_head(key, size=size, root=tree.root(size), timestamp=clock.now())
    SignedHead.objects.create(
        size=head.size,
        root=head.root,
        signed_at=head.timestamp,
        key_id=head.key_id,
        signature=head.signature,
    )
    if checkpoint_file() is not None:
        # Only once the head is committed: a head rolled back with its transaction (an export
        # that failed) must not leave the file naming entries the log never kept.
        transaction.on_commit(lambda: advance_checkpoint(key, head))
    return head


# --- the checkpoint file ---------------------------------------------------------------------


class CheckpointRefused(RuntimeError):
    """The checkpoint file cannot be moved to a head: it would go backwards or leave a history
    that the new head does not extend."""


def checkpoint_file() -> Path | None:
    """Where the signed checkpoint lives (``CASETRAIL_LEDGER_CHECKPOINT_FILE``), or None."""
    configured = getattr(settings, "CASETRAIL_LEDGER_CHECKPOINT_FILE", None)
    return Path(configured) if configured else None


def origin() -> str:
    """The log's name in its checkpoints (``CASETRAIL_LEDGER_ORIGIN``)."""
    return str(getattr(settings, "CASETRAIL_LEDGER_ORIGIN", "") or "casetrail/ledger")


def read_checkpoint(path: Path, public_keys: dict[str, bytes]) -> note.Checkpoint:
    """The checkpoint in ``path``, its signature checked; OSError or NoteError if not."""
    return note.parse(path.read_text(encoding="utf-8"), public_keys, origin=origin())


def advance_checkpoint(key: SigningKey, head: TreeHead) -> bool:
    """Move the checkpoint file forward to ``head``; True if it was written.

    Never backwards: a file that names a larger tree, or the same size with another root, stays
    as it is, and so does one whose tree the stored log no longer extends (a consistency proof
    from the file's size to the head's, from the stored nodes, checked against both roots).
    Refusals are logged as errors: they mean the log was cut back or rewritten. The file is
    replaced atomically, under a lock next to it, so two signers never interleave.
    """
    path = checkpoint_file()
    if path is None:
        return False
    try:
        with open(path.with_name(path.name + ".lock"), "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            return _advance(path, key, head)
    except CheckpointRefused as exc:
        log.error("ledger: checkpoint file %s not moved: %s", path, exc)
        return False
    except OSError as exc:
        log.error("ledger: cannot write the checkpoint file %s: %s", path, exc)
        return False


def _advance(path: Path, key: SigningKey, head: TreeHead) -> bool:
    if path.exists():
        try:
            old = read_checkpoint(path, public_keys())
        except note.NoteError as exc:
            raise CheckpointRefused(f"it is not a checkpoint this ledger signed ({exc})") from None
        if old.size > head.size:
            raise CheckpointRefused(
                f"it names {old.size} entries, more than the head of {head.size} being signed"
            )
        if old.size == head.size and old.root != head.root:
            raise CheckpointRefused(f"it names another root for the same {old.size} entries")
        if old.size == head.size:
            return False  # the same head again: nothing to move
        if old.size > 0:
            proof = tree.consistency_proof(old.size, head.size)
            if not merkle.verify_consistency(old.size, head.size, proof, old.root, head.root):
                raise CheckpointRefused(
                    f"the log of {head.size} entries does not extend the checkpoint's "
                    f"{old.size}: history was rewritten"
                )
    text = note.sign(key, origin=origin(), size=head.size, root=head.root)
    temporary = path.with_name(path.name + ".new")
    with open(temporary, "w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
    return True


def latest_head() -> TreeHead | None:
    """The head of the largest size, the most recent of those."""
    row = SignedHead.objects.order_by("-size", "-signed_at", "-id").first()
    return row.tree_head() if row else None


def head_of_size(size: int) -> TreeHead | None:
    """The latest head signed at exactly ``size`` entries, if any."""
    row = SignedHead.objects.filter(size=size).order_by("-signed_at", "-id").first()
    return row.tree_head() if row else None


def head_including(seq: int, *, sign: bool = True) -> TreeHead | None:
    """The first head that includes entry ``seq`` (so a receipt stays the same each time it
    is made), signing one now if none does and ``sign`` is set and a key is configured."""
    row = SignedHead.objects.filter(size__gte=seq).order_by("size", "signed_at", "id").first()
    if row is not None:
        return row.tree_head()
    if not sign or not has_key():
        return None
    return sign_head()


def min_seconds() -> float:
    return float(getattr(settings, "CASETRAIL_LEDGER_HEAD_MIN_SECONDS", DEFAULT_MIN_SECONDS))


def _due(size: int, last: SignedHead | None) -> bool:
    """A head is due when the log grew since the last one, never sooner than
    ``CASETRAIL_LEDGER_HEAD_MIN_SECONDS`` after it (however many workers look), and once N
    entries or T seconds have passed."""
    if size == 0:
        return False
    if last is None:
        return True
    waited = clock.now() - last.signed_at
    if size <= last.size or waited < timedelta(seconds=min_seconds()):
        return False
    return size - last.size >= every_entries() or waited >= timedelta(seconds=every_seconds())


_warned: set[str] = set()


def sign_head_if_due() -> TreeHead | None:
    """The background job: sign a head when N entries or T seconds have passed (see above)."""
    path = key_file()
    if not path.is_file():
        if str(path) not in _warned:  # once per process, not every tick
            _warned.add(str(path))
            log.warning("ledger: no signing key at %s; tree heads are not being signed", path)
        return None
    with transaction.atomic():
        tree.append_lock()  # re-checked under the lock: concurrent workers sign once
        last = SignedHead.objects.order_by("-size", "-signed_at", "-id").first()
        if not _due(tree.tree_size(), last):
            return None
        return sign_head()


@dataclass(frozen=True)
class KeyAndHead:
    key_file: Path
    key_created: bool
    head: TreeHead

    def describe(self) -> str:
        made = "created" if self.key_created else "found"
        return (
            f"ledger: signing key {made} at {self.key_file} (key id {self.head.key_id[:16]}…); "
            f"signed head of {self.head.size} entries"
        )


def ensure_key_and_head() -> KeyAndHead:
    """For the demo and fresh installs: a key file (made if missing) and a head of the log as
    it is now (signed unless the latest head already covers every entry)."""
    path = key_file()
    created = False
    if not path.exists():
        generate_key(path)
        created = True
    latest = latest_head()
    if latest is not None and latest.size == tree.tree_size() and not created:
        return KeyAndHead(path, created, latest)
    return KeyAndHead(path, created, sign_head())


def key_file_mode_problem() -> str | None:
    """Why the key file's permissions are too open, or None (for `casetrail ledger keygen`)."""
    path = key_file()
    if not path.exists():
        return None
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        return f"{path} is readable by others (mode {mode:o}); make it 0600"
    if os.name == "posix" and path.stat().st_uid != os.getuid():
        return f"{path} belongs to another user"
    return None
