"""Logging filters.

The development server (``lindung runserver``) logs every request line, query string included, and
searches carry NIKs and names (``/persons/?q=1472…``). :class:`WithoutQueryString` leaves the query
string out, as ``lindung serve``'s access log does.
"""

from __future__ import annotations

import logging
import re

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
