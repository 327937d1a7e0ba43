"""API: ``GET /api/v1/files/{id}``, the stored file (scope and permission checked, audited)."""

from __future__ import annotations

import uuid

from ninja import Router

from lindung.core.api import ErrorOut
from lindung.core.files.serving import serve

router = Router(tags=["files"])


@router.get("/files/{file_id}", response={200: None, 403: ErrorOut, 404: ErrorOut})
def file_download(request, file_id: uuid.UUID):
    """The content of a stored file (roster upload or error file, cards, claim document, letter),
    if the caller sees the object it belongs to and holds the permission of its kind. Another
    sponsor's file answers 404. Downloads of files with personal data are audited."""
    return serve(request, file_id)
