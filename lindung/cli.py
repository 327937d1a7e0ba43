"""The ``lindung`` command: the single entry point for operators.

It is Django's management utility under Lindung's name, so ``lindung migrate``,
``lindung runserver``, ``lindung regions import FILE``, ``lindung calc benefit`` and every
command of every context work the same way. ``lindung help`` lists them.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "lindung"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
