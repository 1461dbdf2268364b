"""What the apps share about a stored file: the SHA-256 and size of an upload, read in chunks
(a forensic image does not fit in memory), the upload rewound for storing; and a copy to hand
out, hashed while it is read, so the bytes handed out are the bytes checked."""

from __future__ import annotations

import hashlib
import io
import tempfile
from typing import IO, Any

from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile

# A copy this small stays in memory; a larger one goes through a temporary file (the server
# closes it once the response is sent).
COPY_IN_MEMORY = 8 * 1024 * 1024


def hash_upload(upload: UploadedFile[Any]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    return digest.hexdigest(), size


def hashed_copy(stored: FieldFile, size: int) -> tuple[IO[bytes], str]:
    """A copy of a stored file, rewound, and the SHA-256 of exactly those bytes."""
    copy: IO[bytes] = io.BytesIO() if size <= COPY_IN_MEMORY else tempfile.TemporaryFile()  # noqa: SIM115
    digest = hashlib.sha256()
    with stored.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            copy.write(chunk)
    copy.seek(0)
    return copy, digest.hexdigest()
