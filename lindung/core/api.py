"""The API platform: the NinjaAPI factory with one error shape, pagination, permission checks and
``Idempotency-Key`` handling. ``lindung/api.py`` builds the API with the authentication classes
(``lindung.accounts.api_auth``: tokens; sessions) and mounts each context's router."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PaginationBase
from ninja.parser import Parser

from lindung.core.errors import ServiceError
from lindung.core.idempotency import idempotent  # noqa: F401  (handlers import it from here)


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, str] = {}


class ErrorOut(Schema):
    error: ErrorBody


def _nul_fields(value: Any, path: str = "") -> list[str]:
    """The paths of the strings holding a NUL character (PostgreSQL cannot store one)."""
    if isinstance(value, str):
        return [path or "body"] if "\x00" in value else []
    if isinstance(value, dict):
        return [f for k, v in value.items() for f in _nul_fields(v, f"{path}.{k}" if path else str(k)) + _nul_fields(k, path or "body")]
    if isinstance(value, list):
        return [f for i, v in enumerate(value) for f in _nul_fields(v, f"{path}.{i}" if path else str(i))]
    return []


class NulRefusingParser(Parser):
    """Query strings with a NUL character are refused with the field named (they answered 500 on
    PostgreSQL, which cannot store one); JSON bodies are checked by :func:`refuse_nul_body`."""

    def _refuse(self, fields: list[str]) -> None:
        from django.utils.translation import gettext as _

        raise ServiceError("invalid", _("Text may not contain NUL characters."), dict.fromkeys(fields, "contains a NUL character"))

    def parse_querydict(self, data, list_fields, request: HttpRequest):
        result = super().parse_querydict(data, list_fields, request)
        fields = _nul_fields(result)
        if fields:
            self._refuse(fields)
        return result


def refuse_nul_body(request: HttpRequest):
    """The error response for a JSON body with a NUL character in a string, or None. (Called by
    the API middleware: ninja turns any error of its body parser into "cannot parse".)"""
    import json

    if request.content_type != "application/json" or b"\\u0000" not in request.body:
        return None
    try:
        fields = _nul_fields(json.loads(request.body))
    except ValueError:
        return None
    if not fields:
        return None
    from django.http import JsonResponse
    from django.utils.translation import gettext as _

    error = ServiceError("invalid", _("Text may not contain NUL characters."), dict.fromkeys(fields, "contains a NUL character"))
    return JsonResponse(error.as_dict(), status=400)


def create_api(*, auth) -> NinjaAPI:
    """The Lindung API at ``/api/v1`` with the one error shape; ``auth`` are the authentication
    callables every operation requires (the project passes token and session authentication)."""
    instance = NinjaAPI(
        title="Lindung API",
        version="1",
        description="Employment social security administration (JKK, JKM). All amounts are integer rupiah.",
        urls_namespace="api",
        auth=auth,
        parser=NulRefusingParser(),
    )
    install_error_handlers(instance)
    return instance


def _error(api_instance: NinjaAPI, request, status: int, code: str, message: str, fields: dict[str, str] | None = None):
    return api_instance.create_response(request, {"error": {"code": code, "message": message, "fields": fields or {}}}, status=status)


def _loc_to_field(loc: list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form", "payload")]
    return ".".join(parts) or "body"


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    429: "throttled",
}


def install_error_handlers(api_instance: NinjaAPI) -> None:
    """Give ``api_instance`` the one error shape ``{"error": {"code", "message", "fields"}}``."""

    def validation(request, exc: NinjaValidationError):
        fields = {_loc_to_field(list(err.get("loc", []))): err.get("msg", "invalid") for err in exc.errors}
        return _error(api_instance, request, 422, "validation_error", "The request is not valid.", fields)

    def service(request, exc: ServiceError):
        return _error(api_instance, request, exc.status, exc.code, exc.message, exc.fields)

    def django_validation(request, exc: DjangoValidationError):
        if hasattr(exc, "message_dict"):
            fields = {k: "; ".join(v) for k, v in exc.message_dict.items()}
        else:
            fields = {"__all__": "; ".join(exc.messages)}
        return _error(api_instance, request, 400, "invalid", "The request could not be applied.", fields)

    def unauthenticated(request, exc):
        return _error(api_instance, request, 401, "unauthenticated", "Authentication is required (Bearer token or session).")

    def forbidden(request, exc):
        return _error(api_instance, request, 403, "forbidden", str(exc) or "You do not have permission for this action.")

    def not_found(request, exc):
        return _error(api_instance, request, 404, "not_found", str(exc) or "Not found.")

    def does_not_exist(request, exc):
        return _error(api_instance, request, 404, "not_found", "Not found.")

    def http_error(request, exc: HttpError):
        return _error(api_instance, request, exc.status_code, _HTTP_CODES.get(exc.status_code, "error"), str(exc))

    for exc_class, handler in [
        (NinjaValidationError, validation),
        (ServiceError, service),
        (DjangoValidationError, django_validation),
        (AuthenticationError, unauthenticated),
        (PermissionDenied, forbidden),
        (Http404, not_found),
        (ObjectDoesNotExist, does_not_exist),
        (HttpError, http_error),
    ]:
        api_instance.add_exception_handler(exc_class, handler)


def require_perm(request: HttpRequest, *perms: str) -> None:
    """Raise 403 unless the user holds every permission (role permissions, see accounts.roles)."""
    user = request.user
    if not user.has_perms(perms):
        raise PermissionDenied("You do not have permission for this action.")


class Page(PaginationBase):
    """``?page=1&page_size=50`` → ``{"items": [...], "count", "page", "page_size", "pages"}``."""

    class Input(Schema):
        page: int = 1
        page_size: int = settings.LINDUNG_API_PAGE_SIZE

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        page_size: int
        pages: int

    items_attribute = "items"

    def paginate_queryset(self, queryset, pagination: Input, **params):
        page_size = max(1, min(pagination.page_size, settings.LINDUNG_API_MAX_PAGE_SIZE))
        count = queryset.count() if hasattr(queryset, "count") and not isinstance(queryset, list) else len(queryset)
        # A page beyond the last answers the last (empty when there is none), never an OFFSET the
        # database cannot hold (?page=10704391857532467200 answered 500).
        pages = (count + page_size - 1) // page_size
        page = min(max(1, pagination.page), max(1, pages))
        start = (page - 1) * page_size
        return {
            "items": list(queryset[start : start + page_size]),
            "count": count,
            "page": page,
            "page_size": page_size,
            "pages": pages,
        }
