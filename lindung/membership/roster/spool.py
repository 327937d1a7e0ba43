"""Spool files: rows written to a temporary CSV file and read back in order, so an import's rows
stay off the heap; and reading them back in chunks."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator

# Rows per chunk in the classify and write passes (one query per table per chunk).


CHUNK = 10_000


class Spool:
    """A temporary CSV file written then read back in order (keeps rows off the heap)."""

    def __init__(self, directory: str):
        self.fh = tempfile.TemporaryFile("w+", newline="", encoding="utf-8", dir=directory)
        self.writer = csv.writer(self.fh)
        self.count = 0

    def write(self, row) -> None:
        self.writer.writerow(row)
        self.count += 1

    def rows(self) -> Iterator[list[str]]:
        self.fh.flush()
        self.fh.seek(0)
        return csv.reader(self.fh)

    def close(self) -> None:
        self.fh.close()


def chunks(rows: Iterator[list[str]], size: int) -> Iterator[list[list[str]]]:
    chunk: list[list[str]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
