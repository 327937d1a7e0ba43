"""Serving stored files: the only way a stored file leaves Lindung.

A user gets a file when (1) they may see its owner through the owner model's scope
(``visible_to``; a file without owner: through the file's own sponsor scope), (2) the file's kind
is not staff-only or the user is staff, and (3) they hold the kind's permission. A file outside
the user's scope answers 404 (its existence is not revealed); a missing permission answers 403.
A download of a kind with personal data writes an audit event ``file.download``.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lindung.core import audit
from lindung.core.errors import NotFound
from lindung.core.files.kinds import get_kind
from lindung.core.files.models import StoredFile
from lindung.core.scoping import scope_kind


def can_see(user, stored: StoredFile) -> bool:
    """Whether ``stored`` is within ``user``'s scope (not the permission)."""
    kind = get_kind(stored.kind)
    scope = scope_kind(user)
    if scope == "none" or (kind.staff_only and scope == "sponsor"):
        return False
    if stored.owner_type:
        try:
            model = apps.get_model(stored.owner_type)
        except (LookupError, ValueError):
            return False
        return model._default_manager.visible_to(user).filter(pk=stored.owner_id).exists()
    return StoredFile.objects.visible_to(user).filter(pk=stored.pk).exists()


def file_for(user, file_id) -> StoredFile:
    """The stored file ``file_id`` if ``user`` may download it: ``NotFound`` outside their scope,
    ``PermissionDenied`` without the kind's permission."""
    stored = StoredFile.objects.filter(pk=file_id).first()
    if stored is None or not can_see(user, stored):
        raise NotFound(_("No such file."))
    if not user.has_perm(get_kind(stored.kind).permission):
        raise PermissionDenied(_("You may not download this file."))
    return stored


def record_download(user, stored: StoredFile) -> None:
    """The audit event ``file.download`` of ``stored`` handed to ``user``, for a kind with personal
    data (the file view calls it; so does any other way out, e.g. the CLI writing a bank file)."""
    if get_kind(stored.kind).personal_data:
        audit.record(
            actor=user,
            action="file.download",
            obj=stored,
            object_repr=f"{stored.kind}: {stored.name}",
            changes={"kind": stored.kind, "owner": f"{stored.owner_type}:{stored.owner_id}" if stored.owner_type else "", "bytes": stored.size},
            summary=audit.Message(gettext_noop("%(kind)s %(name)s downloaded"), kind=audit.as_file_kind(stored.kind), name=stored.name),
            sponsor_id=stored.sponsor_ref,
        )


def record_document_download(user, obj, *, document: str, name: str, size: int, sponsor_id: int | None = None) -> None:
    """The audit event ``file.download`` of a document made for this download and never stored
    (an invoice or statement PDF, a card, the reconciliation workbook, a hand-over list): the
    object it shows, the document kind, the file name and its size."""
    audit.record(
        actor=user,
        action="file.download",
        obj=obj,
        object_repr=f"{document}: {name}",
        changes={"kind": document, "name": name, "bytes": size},
        summary=audit.Message(gettext_noop("%(kind)s %(name)s downloaded"), kind=audit.as_file_kind(document), name=name),
        sponsor_id=sponsor_id,
    )


def response_for(user, stored: StoredFile, *, filename: str | None = None, inline: bool = False) -> FileResponse:
    """The download of an already authorised ``stored`` file (audited for personal data)."""
    record_download(user, stored)
    response = FileResponse(
        stored.file.storage.open(stored.file.name, "rb"),
        as_attachment=not inline,
        filename=filename or stored.name,
        content_type=stored.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def serve(request, file_id, *, filename: str | None = None, inline: bool = False) -> FileResponse:
    """Check and serve ``file_id`` to ``request.user`` (web view and API)."""
    stored = file_for(request.user, file_id)
    return response_for(request.user, stored, filename=filename, inline=inline)
