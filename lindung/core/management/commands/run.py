"""``lindung run [ADDR:PORT]``: the development server and the background worker in one command.

Both run as child processes with ``LINDUNG_TASKS_BACKEND=database``: a web request that starts a
job (a big roster import, a billing run, a card print) answers at once, the worker runs the job
and its page shows the progress live. Ctrl+C stops both; when one of them ends the other is
stopped too. ``--inline`` runs the development server alone with jobs inside the request (the
embedded default of ``lindung runserver``). ``make run`` uses this command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


def child_commands(addrport: str, *, reload: bool = True) -> list[list[str]]:
    """The two processes ``lindung run`` starts: the worker, then the development server."""
    lindung = [sys.executable, "-m", "lindung.cli"]
    worker = [*lindung, "worker", "--interval", "0.5", "--no-startup-delay", "--reload" if reload else "--no-reload"]
    server = [*lindung, "runserver", addrport, *([] if reload else ["--noreload"])]
    return [worker, server]


class Command(BaseCommand):
    help = "Development: run the web server and the background worker together (jobs show their progress live)."
    requires_system_checks = []  # the children check

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--noreload", action="store_true", help="Do not restart the processes when the code changes.")
        parser.add_argument("--inline", action="store_true", help="No worker: jobs run inside the web request.")

    def handle(self, *args, addrport: str, noreload: bool, inline: bool, **options):
        worker, server = child_commands(addrport, reload=not noreload)
        env = dict(os.environ)
        if inline:
            env["LINDUNG_TASKS_BACKEND"] = "immediate"
            os.execve(server[0], server, env)
        env["LINDUNG_TASKS_BACKEND"] = "database"
        self.stdout.write(f"Lindung: web server on http://{addrport}/ and a background worker (Ctrl+C stops both).")
        self.stdout.flush()
        procs = [subprocess.Popen(worker, env=env), subprocess.Popen(server, env=env)]
        stopping = False

        def stop(signum=None, frame=None):
            nonlocal stopping
            stopping = True

        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, stop)
        try:
            while not stopping and all(p.poll() is None for p in procs):
                time.sleep(0.2)
        finally:
            for p in procs:
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 10
            for p in procs:
                try:
                    p.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        codes = [p.returncode for p in procs]
        if not stopping and any(codes):
            sys.exit(next(c for c in codes if c))
