"""``lindung worker``: the database backend's worker (django-tasks-db's ``db_worker``, same options)
that also marks failed, every few seconds, the running jobs whose worker died (see
``lindung.core.jobs.reap_abandoned_jobs``)."""

from __future__ import annotations

import logging
import os
import threading

from django.db import close_old_connections, connection
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from lindung.core.jobs import lease_seconds, reap_abandoned_jobs

log = logging.getLogger("lindung.core.jobs")


def _reaper(stop: threading.Event, every: float) -> None:
    while True:
        try:
            reap_abandoned_jobs()
        except Exception:  # a locked or lost database: try again next time
            log.warning("reaping abandoned jobs failed; trying again in %.0f s", every, exc_info=True)
        finally:
            close_old_connections()
            connection.close()
        if stop.wait(every):
            return


class Command(DbWorkerCommand):
    help = "Run the background worker (database backend); also marks failed the jobs of workers that died."

    def handle(self, *args, **options):
        if options.get("batch"):
            reap_abandoned_jobs()
            return super().handle(*args, **options)
        if not options.get("reload") or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            # Not in the reloader's parent process: it runs no tasks.
            stop = threading.Event()
            every = max(2.0, min(30.0, lease_seconds() / 4))
            threading.Thread(target=_reaper, args=(stop, every), name="job-reaper", daemon=True).start()
        return super().handle(*args, **options)
