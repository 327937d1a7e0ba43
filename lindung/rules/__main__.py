"""``python -m lindung.rules <kind> < case.json`` or ``python -m lindung.rules docs [--check]``."""

from __future__ import annotations

import sys

from . import cli, docs

if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["docs"]:
        sys.exit(docs.main(args[1:]))
    sys.exit(cli.main(args))
