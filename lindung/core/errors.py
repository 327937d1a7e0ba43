"""Errors raised by services; web views and the API turn them into one shape.

The API error shape is ``{"error": {"code": str, "message": str, "fields": {name: reason}}}``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _


class ServiceError(Exception):
    """A business rule refused the request. ``code`` is stable and machine-readable."""

    status = 400

    def __init__(self, code: str, message: str, fields: dict[str, str] | None = None, *, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = dict(fields or {})
        if status is not None:
            self.status = status

    def as_dict(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "fields": self.fields}}


class NotFound(ServiceError):
    status = 404

    def __init__(self, message: str | None = None, fields: dict[str, str] | None = None):
        super().__init__("not_found", _("Not found.") if message is None else message, fields)


class Conflict(ServiceError):
    status = 409


class RowError:
    """One problem in one row of an input file (row numbers count the header as row 1)."""

    __slots__ = ("code", "field", "message", "row")

    def __init__(self, row: int, code: str, message: str, field: str | None = None):
        self.row = row
        self.field = field
        self.code = code
        self.message = message

    def __str__(self) -> str:
        if self.field == "header":  # the row of column headings, not a column named "header"
            where = _("row %(row)s (the column headings)") % {"row": self.row}
        elif self.field in (None, "", "file"):  # the file as a whole, not a column named "file"
            where = _("row %(row)s") % {"row": self.row}
        else:
            where = _("row %(row)s") % {"row": self.row} + _(", field %(field)s") % {"field": self.field}
        return f"{where}: {self.message} [{self.code}]"

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "code": self.code, "message": self.message}


class FileRejected(ServiceError):
    """An input file was rejected as a whole; nothing of it was written."""

    def __init__(self, errors: list[RowError], *, what: str | None = None, limit: int = 20):
        """``what`` names the file in the active language (``_("wage file")``); by default "file"."""
        self.errors = errors
        shown = "; ".join(str(e) for e in errors[:limit])
        more = _(" (and %(count)s more)") % {"count": len(errors) - limit} if len(errors) > limit else ""
        super().__init__(
            "file_rejected",
            _("The %(what)s was rejected, nothing was written: %(count)s problem(s): %(shown)s%(more)s")
            % {"what": _("file") if what is None else what, "count": len(errors), "shown": shown, "more": more},
            {f"row {e.row}": e.message for e in errors[:limit]},
        )
