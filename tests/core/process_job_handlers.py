"""A job handler for the worker-process tests (imported by the worker subprocess they start):
``test.hold`` reports progress inside a transaction, then holds it until the file
``params["release"]`` exists or 60 s have passed."""

import time
from pathlib import Path

from django.db import transaction

from lindung.core.jobs import job_handler


@job_handler("test.hold")
def _hold(ctx):
    with transaction.atomic():
        ctx.progress(7, 10, "holding", force=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not Path(ctx.params["release"]).exists():
            time.sleep(0.1)
            ctx.progress(7, 10, "holding")
    return {"held": True}
