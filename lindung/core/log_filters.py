"""Logging filters.

The development server (``lindung runserver``) logs every request line, query string included, and
searches carry NIKs and names (``/persons/?q=1472…``). :class:`WithoutQueryString` leaves the query
string out, as ``lindung serve``'s access log does. :class:`MaskPersonalData` masks the NIKs of
every record (message, exception, stack) on every handler.
"""

from __future__ import annotations

import logging
import re

from lindung.core.masking import mask_text

# "GET /persons/?q=1472015507900001 HTTP/1.1" -> "GET /persons/ HTTP/1.1"
_QUERY = re.compile(r"^(\S+ [^?\s]*)\?\S*")


def strip_query_string(request_line: str) -> str:
    return _QUERY.sub(r"\1", request_line)


class WithoutQueryString(logging.Filter):
    """Removes the query string from the request line of ``django.server`` records."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and args and isinstance(args[0], str):
            record.args = (strip_query_string(args[0]), *args[1:])
        if isinstance(record.msg, str) and "?" in record.msg and not args:
            record.msg = strip_query_string(record.msg)
        return True


class MaskPersonalData(logging.Filter):
    """A logging filter that masks NIKs in a record's message, its exception and its stack text.
    The settings put it on every handler, and ``install_log_masking`` on those configured later
    (the development server's, gunicorn's)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave the record to the handler
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


def install_log_masking() -> None:
    """Put ``MaskPersonalData`` on every handler of every logger that has one (idempotent)."""
    loggers = [logging.getLogger(), *(lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger))]
    for lg in loggers:
        for handler in lg.handlers:
            if not any(isinstance(f, MaskPersonalData) for f in handler.filters):
                handler.addFilter(MaskPersonalData())
