"""One typed object read from the environment: the only place settings read ``os.environ``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


class MissingSetting(RuntimeError):
    """A required value is absent; startup stops with its name."""


def _default_data_dir() -> Path:
    return Path.cwd() / "data"


def _path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value) if value else default


@dataclass(frozen=True)
class Env:
    data_dir: Path
    database_url: str | None
    secret_key: str | None
    allowed_hosts: tuple[str, ...]
    debug: bool
    ledger_key_file: Path
    ledger_checkpoint_file: Path | None
    ledger_origin: str
    email_url: str | None
    pg_prepare: bool
    public_url: str
    document_signing_key: Path
    document_signing_cert: Path
    document_signing_ca: Path
    server_timing: bool = False
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str | None = None

    @classmethod
    def read(cls) -> Env:
        data_dir = Path(os.environ.get("CASETRAIL_DATA_DIR") or _default_data_dir()).resolve()
        secret = os.environ.get("CASETRAIL_SECRET_KEY")
        secret_file = os.environ.get("CASETRAIL_SECRET_KEY_FILE")
        if not secret and secret_file:
            secret = Path(secret_file).read_text(encoding="utf-8").strip()
        hosts = os.environ.get("CASETRAIL_ALLOWED_HOSTS", "")
        key_file = os.environ.get("CASETRAIL_LEDGER_KEY_FILE")
        checkpoint_file = os.environ.get("CASETRAIL_LEDGER_CHECKPOINT_FILE")
        keys = data_dir / "keys"
        return cls(
            data_dir=data_dir,
            database_url=os.environ.get("DATABASE_URL") or None,
            secret_key=secret or None,
            allowed_hosts=tuple(h.strip() for h in hosts.split(",") if h.strip()),
            debug=os.environ.get("CASETRAIL_DEBUG", "") in {"1", "true", "yes"},
            ledger_key_file=Path(key_file) if key_file else data_dir / "keys" / "ledger.pem",
            ledger_checkpoint_file=Path(checkpoint_file) if checkpoint_file else None,
            ledger_origin=os.environ.get("CASETRAIL_LEDGER_ORIGIN") or "casetrail/ledger",
            email_url=os.environ.get("CASETRAIL_EMAIL_URL") or None,
            pg_prepare=os.environ.get("CASETRAIL_PG_PREPARE", "1") not in {"0", "false", "no"},
            public_url=os.environ.get("CASETRAIL_PUBLIC_URL") or "http://127.0.0.1:8000",
            server_timing=os.environ.get("CASETRAIL_SERVER_TIMING", "") in {"1", "true", "yes"},
            document_signing_key=_path(
                "CASETRAIL_DOCUMENT_SIGNING_KEY", keys / "document-signing-key.pem"
            ),
            document_signing_cert=_path(
                "CASETRAIL_DOCUMENT_SIGNING_CERT", keys / "document-signing-cert.pem"
            ),
            document_signing_ca=_path(
                "CASETRAIL_DOCUMENT_SIGNING_CA", keys / "document-signing-ca.pem"
            ),
            # Stored files (issued PDFs, photos and forensic images of seized items) in an
            # S3-compatible store instead of the data folder; the credentials come from the
            # standard AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY variables (boto3 reads them).
            s3_bucket=os.environ.get("CASETRAIL_S3_BUCKET") or None,
            s3_endpoint_url=os.environ.get("CASETRAIL_S3_ENDPOINT_URL") or None,
            s3_region=os.environ.get("CASETRAIL_S3_REGION") or None,
        )

    def require_secret(self) -> str:
        if not self.secret_key:
            raise MissingSetting(
                "CASETRAIL_SECRET_KEY (or CASETRAIL_SECRET_KEY_FILE) must be set in production"
            )
        return self.secret_key
