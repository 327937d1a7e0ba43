"""Storing and reading files through Django's storage API (never path strings in models).

A file written inside a transaction is tied to it: if the transaction (or the savepoint the file
was written in) is rolled back, the file is deleted from the storage; if it commits, the file
stays. Django has ``on_commit`` but no ``on_rollback``, so ``store`` registers an ``on_commit``
callback that marks the file kept and watches it with ``weakref.finalize``: a rollback discards
Django's pending callbacks (the whole list, or those registered since the savepoint), the callback
object is freed at once and the finalizer deletes the file it was not told to keep. A file whose
row could not be written is deleted on the spot. What a killed process leaves behind (written, never
committed, never rolled back) is removed by ``lindung files sweep`` (``sweep.py``).
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, models, router, transaction

from lindung.core.files.checks import CONTENT_TYPES, Detected, check_upload, sniff
from lindung.core.files.kinds import get_kind
from lindung.core.files.models import StoredFile

logger = logging.getLogger(__name__)


class _KeepOnCommit:
    """The ``on_commit`` callback of a file written in a transaction: marks the file kept."""

    __slots__ = ("__weakref__", "state")

    def __init__(self, state: dict) -> None:
        self.state = state

    def __call__(self) -> None:
        self.state["kept"] = True


def _delete_unless_kept(state: dict) -> None:
    if state["kept"]:
        return
    try:
        state["storage"].delete(state["name"])
    except Exception:  # the sweep removes it later
        logger.warning("Could not delete the file %s of a rolled back transaction", state["name"], exc_info=True)


def delete_on_rollback(storage, name: str, *, using: str | None = None) -> None:
    """Tie the storage file ``name`` to the current transaction of ``using``: deleted if the
    transaction (or the savepoint it was written in) is rolled back. Outside a transaction it does
    nothing (the caller commits at once)."""
    using = using or DEFAULT_DB_ALIAS
    if not transaction.get_connection(using).in_atomic_block:
        return
    state = {"kept": False, "storage": storage, "name": name}
    callback = _KeepOnCommit(state)
    # atexit: a process that ends with the transaction still open never commits it either.
    weakref.finalize(callback, _delete_unless_kept, state)
    transaction.on_commit(callback, using=using)


def _owner_fields(owner: models.Model | None) -> dict:
    if owner is None:
        return {}
    return {"owner_type": owner._meta.label_lower, "owner_id": str(owner.pk)}


def store(
    content,
    *,
    kind: str,
    name: str,
    owner: models.Model | None = None,
    sponsor_id: int | None = None,
    actor=None,
    content_type: str | None = None,
) -> StoredFile:
    """Keep ``content`` (bytes, or a binary file object read in chunks) as a ``StoredFile`` of
    ``kind``. The name is only shown (download name); the storage name is ``<kind>/<yyyy>/<mm>/<id>``."""
    get_kind(kind)  # an unknown kind is a programming error
    fh = ContentFile(content) if isinstance(content, (bytes, bytearray)) else content
    digest = hashlib.sha256()
    size = 0
    fh.seek(0)
    for block in iter(lambda: fh.read(1 << 20), b""):
        digest.update(block)
        size += len(block)
    fh.seek(0)
    if content_type is None:
        found = sniff(fh)
        content_type = CONTENT_TYPES.get(found or "", "application/octet-stream")
    stored = StoredFile(
        kind=kind,
        name=Path(name).name[:255] or "file",
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        sponsor_ref=sponsor_id,
        created_by=actor if getattr(actor, "pk", None) else None,
        **_owner_fields(owner),
    )
    stored.file.save(stored.name, fh if isinstance(fh, File) else File(fh), save=False)
    storage, written = stored.file.storage, stored.file.name
    try:
        stored.save(force_insert=True)
    except BaseException:
        storage.delete(written)  # no row will ever name it
        raise
    delete_on_rollback(storage, written, using=router.db_for_write(StoredFile))
    return stored


def store_upload(upload, *, kind: str, owner=None, sponsor_id=None, actor=None, field: str = "file") -> tuple[StoredFile, Detected]:
    """Check an upload (``check_upload``) and keep it, streamed to the storage in chunks."""
    detected = check_upload(upload, kind, field)
    name = Path(getattr(upload, "name", None) or f"upload{detected.extension}").name
    if Path(name).suffix.lower() != detected.extension and not (detected.type == "jpeg" and Path(name).suffix.lower() == ".jpeg"):
        name = Path(name).stem + detected.extension  # the stored name tells what the file is
    fh = getattr(upload, "file", upload)
    stored = store(fh, kind=kind, name=name, owner=owner, sponsor_id=sponsor_id, actor=actor, content_type=detected.content_type)
    return stored, detected


def attach(stored: StoredFile, owner: models.Model, *, sponsor_id: int | None = None) -> None:
    """Give a stored file its owner (when the owner is created after the file)."""
    fields = _owner_fields(owner)
    if sponsor_id is not None:
        fields["sponsor_ref"] = sponsor_id
    StoredFile.objects.filter(pk=stored.pk).update(**fields)
    for k, v in fields.items():
        setattr(stored, k, v)


@contextmanager
def local_path(stored: StoredFile) -> Iterator[Path]:
    """A path on this machine holding the file's content, with the extension of its name (the
    readers tell CSV from XLSX by it): the storage's own path for a file system storage, else a
    temporary copy removed afterwards."""
    storage = stored.file.storage
    suffix = Path(stored.name).suffix.lower() or Path(stored.file.name).suffix.lower()
    try:
        path = Path(storage.path(stored.file.name))
    except NotImplementedError:
        path = None
    if path is not None and path.suffix.lower() == suffix:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="lindung-file-") as tmp:
        target = Path(tmp) / ("content" + suffix)
        with storage.open(stored.file.name, "rb") as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        yield target


def open_stored(stored: StoredFile, mode: str = "rb"):
    return stored.file.storage.open(stored.file.name, mode)


def open_text(stored: StoredFile, *, encoding: str = "utf-8-sig", newline: str | None = ""):
    """The stored file as text (``with open_text(f) as fh: csv.reader(fh)``)."""
    import io

    raw = open_stored(stored)
    return io.TextIOWrapper(getattr(raw, "file", raw), encoding=encoding, newline=newline)


def delete_stored(stored: StoredFile) -> None:
    """Delete the row, and the file once the deletion is committed (a rollback keeps both)."""
    name = stored.file.name
    storage = stored.file.storage
    stored.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name), using=router.db_for_write(StoredFile))
