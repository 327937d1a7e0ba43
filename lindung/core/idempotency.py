"""Idempotency, once for web forms and the API: a key that a client sends with a money-moving
request is stored (``IdempotencyRecord``, one table) so that a retry, a double click or a browser
resubmission records the money once. Keys expire after ``LINDUNG_IDEMPOTENCY_TTL_HOURS`` (24 by
default): an expired key counts as new, and ``lindung idempotency purge`` (or ``purge_expired()``)
deletes expired records; each new key also clears its user's expired ones.

- Web form: put ``form_key()`` in a hidden ``idempotency_key`` field; in the transaction that
  records the money call ``first_submission(request)``; False means "already recorded".
- API: wrap the handler with ``@idempotent`` (``Idempotency-Key`` header); it replays the stored
  response of the first request.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import uuid
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.renderers import JSONRenderer
from ninja.responses import Status

from lindung.core.errors import ServiceError
from lindung.core.models import IdempotencyRecord

__all__ = ["claim", "expired_before", "first_submission", "form_key", "idempotent", "purge_expired"]

MAX_KEY_LENGTH = 200


def ttl() -> dt.timedelta:
    return dt.timedelta(hours=settings.LINDUNG_IDEMPOTENCY_TTL_HOURS)


def expired_before(now: dt.datetime | None = None) -> dt.datetime:
    """Records created before this moment have expired."""
    return (now or timezone.now()) - ttl()


def purge_expired(now: dt.datetime | None = None) -> int:
    """Delete every expired record; returns how many."""
    deleted, _rows = IdempotencyRecord.objects.filter(created_at__lt=expired_before(now)).delete()
    return deleted


def claim(user, key: str, *, method: str, path: str, request_hash: str, status_code: int | None = None) -> tuple[IdempotencyRecord, bool]:
    """Store ``key`` for ``user``: ``(record, True)`` the first time (or once an earlier use has
    expired), ``(existing record, False)`` while it is live. Call it inside the transaction of the
    work it guards, so a failure rolls the key back with it."""
    IdempotencyRecord.objects.filter(user=user, created_at__lt=expired_before()).delete()
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                user=user, key=key, method=method, path=path, request_hash=request_hash, status_code=status_code
            )
    except IntegrityError:
        return IdempotencyRecord.objects.get(user=user, key=key), False
    return record, True


# --- Web forms ------------------------------------------------------------------------------


def form_key() -> str:
    """A one-time key for a money-moving form (its hidden ``idempotency_key`` field)."""
    return uuid.uuid4().hex


def first_submission(request: HttpRequest) -> bool:
    """True the first time a form's ``idempotency_key`` is posted by this user; False on a
    resubmission while the key is live. Forms without a key always pass. Call it in the transaction
    that records the money: a refusal or a failure rolls the key back with it, so the same form may
    be corrected and sent again."""
    key = (request.POST.get("idempotency_key") or "").strip()[:MAX_KEY_LENGTH]
    if not key:
        return True
    _record, created = claim(
        request.user, f"web:{key}", method="POST", path=request.path, request_hash=hashlib.sha256(key.encode()).hexdigest(), status_code=302
    )
    return created


# --- API ------------------------------------------------------------------------------------


def _request_content(request: HttpRequest) -> bytes:
    """What makes two requests the same for ``idempotent``: the raw body, or for a multipart upload
    (whose raw body can no longer be read once its files are parsed, and whose boundary differs on
    every retry) the form fields and each file's field name, file name and SHA-256."""
    if request.content_type != "multipart/form-data":
        return request.body or b""
    parts = [f"{k}={v}" for k, values in sorted(request.POST.lists()) for v in values]
    for field, uploads in sorted(request.FILES.lists()):
        for upload in uploads:
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            parts.append(f"{field}:{upload.name}:{digest.hexdigest()}")
    return "\n".join(parts).encode()


# Renders a stored response as the API does (ninja's default JSON renderer).
_RENDERER = JSONRenderer()


def idempotent(func: Callable) -> Callable:
    """Honour ``Idempotency-Key`` on a POST that creates money movements.

    The first request with a key runs and its response (status and body) is stored; a retry with
    the same key and the same body gets the stored response again without running twice; the same
    key with a different body is refused (422 ``idempotency_key_reused``); a retry while the first
    is still running gets 409 ``idempotency_in_progress``. After the key's time to live it counts as
    new. The handler must return ``Status(status, body)``.
    """

    @functools.wraps(func)
    def wrapper(request: HttpRequest, *args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if not key:
            return func(request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            raise ServiceError("invalid", _("Idempotency-Key is longer than 200 characters."), {"Idempotency-Key": "too long"})
        if "\x00" in key:  # PostgreSQL cannot store it (500); SQLite stored it
            raise ServiceError("invalid", _("Text may not contain NUL characters."), {"Idempotency-Key": "contains a NUL character"})
        digest = hashlib.sha256(request.method.encode() + b" " + request.path.encode() + b"\n" + _request_content(request)).hexdigest()
        record, created = claim(request.user, key, method=request.method, path=request.path, request_hash=digest)
        if not created:
            if record.request_hash != digest:
                raise ServiceError(
                    "idempotency_key_reused", _("This Idempotency-Key was used for a different request."), {"Idempotency-Key": "reused"}, status=422
                )
            if record.status_code is None:
                raise ServiceError("idempotency_in_progress", _("A request with this Idempotency-Key is still running."), status=409)
            return Status(record.status_code, record.response_body)
        try:
            result = func(request, *args, **kwargs)
        except Exception:
            record.delete()
            raise
        if not isinstance(result, Status):
            record.delete()
            raise TypeError(f"{func.__name__} must return Status(status, body) to be idempotent")
        payload = json.loads(_RENDERER.render(request, result.value, response_status=result.status_code))
        IdempotencyRecord.objects.filter(pk=record.pk).update(status_code=result.status_code, response_body=payload)
        return result

    wrapper.lindung_idempotent = True  # the OpenAPI schema documents the header (lindung.core.api)
    return wrapper
