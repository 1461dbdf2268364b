import hashlib
import stat
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from casetrail.ledger.signing import (
    HEAD_DOMAIN,
    HeadFormatError,
    KeyFileError,
    SigningKey,
    TreeHead,
    generate_key_file,
    head_message,
    head_problem,
    key_id,
    load_key_file,
    public_key_from_pem,
    public_key_pem,
    sign_head,
    verify_head,
)

ROOT = hashlib.sha256(b"some root").digest()
WHEN = datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture(scope="module")
def key():
    return SigningKey(Ed25519PrivateKey.generate())


@pytest.fixture(scope="module")
def keys(key):
    return {key.key_id: key.public_key}


def test_a_generated_key_file_is_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "ledger.key"
    key = generate_key_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert load_key_file(path).public_key == key.public_key


def test_an_existing_key_file_is_never_overwritten(tmp_path):
    path = tmp_path / "ledger.key"
    first = generate_key_file(path)
    before = path.read_bytes()
    with pytest.raises(FileExistsError, match="refusing to overwrite a signing key"):
        generate_key_file(path)
    assert path.read_bytes() == before
    assert load_key_file(path).key_id == first.key_id


def test_the_key_id_is_the_sha256_of_the_raw_public_key(key):
    assert len(key.public_key) == 32
    assert key.key_id == hashlib.sha256(key.public_key).hexdigest()
    assert key_id(key.public_key) == key.key_id


def test_a_key_id_is_only_for_a_raw_32_byte_key():
    with pytest.raises(ValueError, match="an Ed25519 public key has 32 bytes"):
        key_id(b"\x00" * 33)


def test_a_key_file_that_fails_to_write_is_not_left_half_written(tmp_path, monkeypatch):
    def full_disk(fd, mode):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.fchmod", full_disk)
    path = tmp_path / "ledger.key"
    with pytest.raises(OSError, match="No space left"):
        generate_key_file(path)
    assert not path.exists()


def test_the_private_key_never_shows_in_its_repr(key):
    assert repr(key) == f"SigningKey(key_id={key.key_id!r})"


def test_a_missing_key_file_is_reported_by_path(tmp_path):
    with pytest.raises(KeyFileError, match=r"cannot read signing key .*absent\.key"):
        load_key_file(tmp_path / "absent.key")


def test_a_key_file_of_another_algorithm_is_refused(tmp_path):
    path = tmp_path / "ec.key"
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.write_bytes(pem)
    with pytest.raises(KeyFileError, match="not an Ed25519 key"):
        load_key_file(path)


def test_a_file_that_is_not_a_key_is_refused(tmp_path):
    path = tmp_path / "junk.key"
    path.write_text("not a key")
    with pytest.raises(KeyFileError, match="not an unencrypted PEM private key"):
        load_key_file(path)


def test_public_keys_travel_as_pem(key):
    pem = public_key_pem(key.public_key)
    assert pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert public_key_from_pem(pem) == key.public_key


@pytest.mark.parametrize(
    ("pem", "message"),
    [
        ("junk", "not a PEM public key"),
        (
            ec.generate_private_key(ec.SECP256R1())
            .public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            ),
            "not an Ed25519 public key",
        ),
    ],
    ids=["junk", "ec"],
)
def test_a_public_pem_that_is_not_ed25519_is_refused(pem, message):
    with pytest.raises(KeyFileError, match=message):
        public_key_from_pem(pem)


def test_the_signed_message_is_the_domain_line_then_canonical_json():
    message = head_message(42, ROOT, WHEN, "ab" * 32)
    assert message == (
        b"casetrail-tree-head-v1\n"
        b'{"key_id":"' + b"ab" * 32 + b'","root":"' + ROOT.hex().encode() + b'",'
        b'"size":42,"time":"2026-03-01T08:30:15.123456Z"}'
    )
    assert message.startswith(HEAD_DOMAIN)


def test_a_signed_head_verifies(key, keys):
    head = sign_head(key, size=42, root=ROOT, timestamp=WHEN)
    assert head.key_id == key.key_id
    assert verify_head(head, keys)
    assert head_problem(head, keys) is None


def test_a_head_time_in_another_zone_is_signed_in_utc(key, keys):
    beijing = timezone(timedelta(hours=8))
    head = sign_head(key, size=1, root=ROOT, timestamp=WHEN.astimezone(beijing))
    assert head.timestamp.tzinfo is UTC
    assert head.to_dict()["time"] == "2026-03-01T08:30:15.123456Z"
    assert verify_head(head, keys)


def test_a_naive_time_is_refused(key):
    with pytest.raises(ValueError, match="aware datetime"):
        sign_head(key, size=1, root=ROOT, timestamp=datetime(2026, 1, 1))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"size": 43}, "does not verify"),
        ({"root": hashlib.sha256(b"other").digest()}, "does not verify"),
        ({"timestamp": WHEN + timedelta(microseconds=1)}, "does not verify"),
        ({"signature": bytes(64)}, "does not verify"),
        ({"key_id": "0" * 64}, "not among the known keys"),
        ({"signature": b"short"}, "not 64 bytes"),
        ({"root": b"short"}, "root is not 32 bytes"),
        ({"size": -1}, "size is not a non-negative integer"),
        ({"timestamp": datetime(2026, 1, 1)}, "not an aware datetime"),  # noqa: DTZ001
        ({"key_id": None}, "key id is malformed"),
    ],
)
def test_any_change_to_a_signed_head_is_caught(key, keys, change, reason):
    head = replace(sign_head(key, size=42, root=ROOT, timestamp=WHEN), **change)
    assert not verify_head(head, keys)
    assert reason in head_problem(head, keys)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"size": -1, "root": ROOT}, "size must be a non-negative integer"),
        ({"size": 1, "root": ROOT.hex()}, "root must be 32 bytes"),
    ],
)
def test_a_head_that_cannot_be_is_not_signed(key, fields, message):
    with pytest.raises(ValueError, match=message):
        sign_head(key, timestamp=WHEN, **fields)


def test_old_heads_still_verify_after_a_key_rotation(tmp_path, key):
    old_head = sign_head(key, size=10, root=ROOT, timestamp=WHEN)
    new_key = generate_key_file(tmp_path / "2027.key")
    new_head = sign_head(new_key, size=11, root=ROOT, timestamp=WHEN + timedelta(days=365))
    rotated = {key.key_id: key.public_key, new_key.key_id: new_key.public_key}
    assert verify_head(old_head, rotated)
    assert verify_head(new_head, rotated)
    assert not verify_head(old_head, {new_key.key_id: new_key.public_key})


def test_a_key_listed_under_another_key_id_is_not_used(key):
    impostor = SigningKey(Ed25519PrivateKey.generate())
    head = replace(sign_head(impostor, size=1, root=ROOT, timestamp=WHEN), key_id=key.key_id)
    # Re-sign the message that names the victim's key id, with the impostor's key.
    head = replace(head, signature=impostor.private_key.sign(head.message()))
    assert not verify_head(head, {key.key_id: impostor.public_key})
    assert "has another key id" in head_problem(head, {key.key_id: impostor.public_key})


@pytest.mark.parametrize(
    "public_keys",
    [None, [], {"x": "y"}, "keys"],
    ids=["none", "list", "str-values", "str"],
)
def test_verify_head_never_raises_on_malformed_keys(key, public_keys):
    head = sign_head(key, size=1, root=ROOT, timestamp=WHEN)
    assert verify_head(head, public_keys) is False


def test_a_key_of_the_wrong_length_or_something_not_a_head_is_rejected(key):
    head = sign_head(key, size=1, root=ROOT, timestamp=WHEN)
    assert verify_head(head, {key.key_id: key.public_key[:31]}) is False
    assert verify_head("not a head", {key.key_id: key.public_key}) is False


def test_a_listed_key_that_is_no_curve_point_verifies_nothing(key):
    bogus = b"\xff" * 32
    head = replace(sign_head(key, size=1, root=ROOT, timestamp=WHEN), key_id=key_id(bogus))
    assert head_problem(head, {key_id(bogus): bogus}) == (
        f"the signature does not verify under key {key_id(bogus)}"
    )


def test_a_head_survives_its_json_form(key, keys):
    head = sign_head(key, size=42, root=ROOT, timestamp=WHEN)
    data = head.to_dict()
    assert data == {
        "key_id": key.key_id,
        "root": ROOT.hex(),
        "signature": head.signature.hex(),
        "size": 42,
        "time": "2026-03-01T08:30:15.123456Z",
    }
    again = TreeHead.from_dict(data)
    assert again == head
    assert verify_head(again, keys)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"size": "42"}, "size must be a non-negative integer"),
        ({"size": True}, "size must be a non-negative integer"),
        ({"root": "AB" * 32}, "root must be 64 lower-case hex digits"),
        ({"root": "ab" * 31}, "root must be 64 lower-case hex digits"),
        ({"signature": "zz" * 64}, "signature must be 128 lower-case hex digits"),
        ({"time": "2026-03-01T08:30:15Z"}, "time must look like"),
        ({"time": "2026-03-01T08:30:15.123456+00:00"}, "time must look like"),
        ({"time": "2026-3-01T08:30:15.123456Z"}, "time is not in canonical form"),
        ({"time": "2026-03-01T08:30:15.1234Z"}, "time is not in canonical form"),
        ({"time": 1772353815}, "time must be a string"),
        ({"key_id": "ab"}, "key_id must be 64 lower-case hex digits"),
        ({"extra": 1}, "unexpected ['extra']"),
    ],
)
def test_malformed_json_heads_are_refused_with_the_field_named(key, change, message):
    data = sign_head(key, size=42, root=ROOT, timestamp=WHEN).to_dict() | change
    with pytest.raises(HeadFormatError, match=message.replace("[", r"\[").replace("]", r"\]")):
        TreeHead.from_dict(data)


def test_a_json_head_must_be_an_object():
    with pytest.raises(HeadFormatError, match="a tree head is a JSON object"):
        TreeHead.from_dict(["size", 1])


def test_a_json_head_missing_a_field_is_refused(key):
    data = sign_head(key, size=42, root=ROOT, timestamp=WHEN).to_dict()
    del data["signature"]
    with pytest.raises(HeadFormatError, match=r"missing \['signature'\]"):
        TreeHead.from_dict(data)
