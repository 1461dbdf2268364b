"""What the apps share about a file sent through a form or the API: its SHA-256 and size, read
in chunks (a forensic image does not fit in memory), the upload rewound for storing."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.uploadedfile import UploadedFile


def hash_upload(upload: UploadedFile[Any]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    return digest.hexdigest(), size
