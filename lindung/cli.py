"""The ``lindung`` command: the single entry point for operators.

It is Django's management utility under Lindung's name, so ``lindung migrate``,
``lindung runserver``, ``lindung regions import FILE``, ``lindung calc benefit`` and every
command of every context work the same way. ``lindung help`` lists them.
"""

from __future__ import annotations

import os
import sys

# Commands that neither serve requests nor sign anything that outlives the process: they run
# without a configured SECRET_KEY (the settings give them a random one for the process).
NO_SECRET_COMMANDS = frozenset({"calc", "rules", "i18n", "help", "version", "--help", "-h", "--version"})


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lindung.settings")
    args = list(sys.argv if argv is None else argv)
    args[0] = "lindung"
    if len(args) < 2 or args[1] in NO_SECRET_COMMANDS:
        os.environ["LINDUNG_EPHEMERAL_SECRET"] = "1"
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
