"""The API platform: the NinjaAPI factory with one error shape, pagination, permission checks and
``Idempotency-Key`` handling. ``lindung/api.py`` builds the API with the authentication classes
(``lindung.accounts.api_auth``: tokens; sessions) and mounts each context's router."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.http.multipartparser import MultiPartParserError
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


def errors(*codes: int) -> dict[int, type[ErrorOut]]:
    """The error answers a handler declares beyond the platform's own, in the one error shape:
    ``response={201: PaymentOut, **errors(404, 409)}``. The platform documents by itself what any
    operation may answer (:func:`document_common_errors`): 401 and 403, and 400, 404 and 422 when
    it takes input, 413 on an upload; a handler names the rest (409, …)."""
    return dict.fromkeys(codes, ErrorOut)


ERROR_REF = "#/components/schemas/ErrorOut"
# No string the API takes may hold a NUL character (PostgreSQL cannot store one): 400 "invalid".
NO_NUL = "^[^\\u0000]*$"
_COMMON_ERRORS = {
    400: "A business rule refused the request, or the request cannot be read (a NUL character, a malformed body).",
    401: "Authentication is required (Bearer token, X-API-Key or session).",
    403: "The user lacks the permission (or must change a temporary password first).",
    404: "An object the request names (in the path, a parameter or the body) does not exist or is not visible to the user.",
    413: "The upload is larger than its kind's limit.",
    422: "The request does not match this schema (the fields name what is wrong).",
}


def _refuse_nul_in_strings(node: Any) -> None:
    """Every free-text string and property name of the schema refuses NUL, as the API does."""
    if isinstance(node, list):
        for item in node:
            _refuse_nul_in_strings(item)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") == "string" and not {"format", "enum", "const", "pattern"} & node.keys():
        node["pattern"] = NO_NUL
    if node.get("type") == "object" and "propertyNames" not in node and (node.get("additionalProperties") not in (None, False)):
        node["propertyNames"] = {"pattern": NO_NUL}
    for key, value in node.items():
        if key not in ("example", "examples", "default"):
            _refuse_nul_in_strings(value)


IDEMPOTENCY_HEADER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": "A key of the client's choosing: a retry with the same key and body answers the first response again "
    "without recording twice (409 while the first still runs, 422 with a different body).",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
}


def document_idempotency(schema: dict, operation_ids: set[str]) -> None:
    """The ``Idempotency-Key`` header (and its 409/422) on the operations wrapped in ``@idempotent``."""
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and operation.get("operationId") in operation_ids:
                operation["responses"] = {str(code): value for code, value in operation["responses"].items()}
                operation.setdefault("parameters", []).append(dict(IDEMPOTENCY_HEADER))
                for code, description in (("409", "A request with this Idempotency-Key still runs."), ("422", _COMMON_ERRORS[422])):
                    operation["responses"].setdefault(
                        code, {"description": description, "content": {"application/json": {"schema": {"$ref": ERROR_REF}}}}
                    )


def document_common_errors(schema: dict) -> dict:
    """Add to the OpenAPI ``schema`` the error answers the platform gives for any operation, so the
    schema says what the API does (``tests/security/test_api_contract.py`` checks it with
    schemathesis): 401 and 403 for an authenticated operation; 400, 404 and 422 for one that takes
    input (a path or query parameter, a header, a body); 413 for an upload. An answer a handler documents otherwise
    (a 422 with its own body) also admits the error shape."""
    error_schema = {"$ref": ERROR_REF}
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    if "ErrorOut" not in components:
        components["ErrorOut"] = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(components["ErrorOut"].pop("$defs", {}))
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            params = operation.get("parameters", [])
            body = operation.get("requestBody", {}).get("content", {})
            codes = []
            if operation.get("security"):
                codes += [401, 403]
            if params or body:
                codes += [400, 404, 422]
            if "multipart/form-data" in body:
                codes.append(413)
            responses = {str(code): value for code, value in operation["responses"].items()}
            for code in sorted(codes):
                existing = responses.get(str(code))
                if existing is None:
                    responses[str(code)] = {"description": _COMMON_ERRORS[code], "content": {"application/json": {"schema": error_schema}}}
                    continue
                content = existing.setdefault("content", {}).setdefault("application/json", {})
                own = content.get("schema")
                if own is None:
                    content["schema"] = error_schema
                elif own != error_schema and error_schema not in own.get("anyOf", []):
                    content["schema"] = {"anyOf": [own, error_schema]}
            operation["responses"] = dict(sorted(responses.items()))
    _refuse_nul_in_strings(schema.get("paths", {}))
    _refuse_nul_in_strings(components)
    return schema


class LindungAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI schema documents the platform's error answers (:func:`document_common_errors`)."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        idempotent_ids = {
            self.get_openapi_operation_id(operation)
            for router in self._get_bound_routers()
            for path_view in router.path_operations.values()
            for operation in path_view.operations
            if getattr(operation.view_func, "lindung_idempotent", False)
        }
        document_idempotency(schema, idempotent_ids)
        return document_common_errors(schema)


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
        if request.method != "GET" and data is request.POST:
            # An empty form field is a field left out (an optional date sent as "" answered 422),
            # as a form's empty input means "none".
            result = {k: v for k, v in result.items() if v != "" and v != [""]}
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
    instance = LindungAPI(
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

    def unreadable_body(request, exc):
        # A multipart body without its boundary (or otherwise broken) answered 500.
        return _error(api_instance, request, 400, "bad_request", "The request body cannot be read as multipart/form-data.", {"body": "malformed"})

    def too_big(request, exc):
        return _error(api_instance, request, 413, "request_too_large", "The request is larger than the server accepts.", {"body": "too large"})

    def too_many(request, exc):
        return _error(api_instance, request, 400, "bad_request", "The request has too many fields or files.", {"body": "too many parts"})

    for exc_class, handler in [
        (NinjaValidationError, validation),
        (ServiceError, service),
        (DjangoValidationError, django_validation),
        (AuthenticationError, unauthenticated),
        (PermissionDenied, forbidden),
        (Http404, not_found),
        (ObjectDoesNotExist, does_not_exist),
        (HttpError, http_error),
        (MultiPartParserError, unreadable_body),
        (RequestDataTooBig, too_big),
        (TooManyFieldsSent, too_many),
        (TooManyFilesSent, too_many),
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
