import datetime as dt
import time

from django.conf import settings
from django.core.management.base import CommandError

from lindung.core.management.base import LindungCommand
from lindung.demo.base import DEMO_USERS
from lindung.demo.loading import load_demo


class Command(LindungCommand):
    help = (
        "Load demo data. 'lindung demo': the small demo (Dumai regions, branch, sponsors, one user per role). "
        "'lindung demo dumai [--workers N] [--seed N] [--full [--full-size N]] [--check]': the Dumai scenario from October 2023 to today, "
        "built through the services; --check compares it with the published figures. Idempotent. Refused outside DEBUG unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("scenario", nargs="?", choices=["dumai"], help="dumai: the Dumai scenario carried on to today")
        parser.add_argument("--workers", type=int, default=5_000, help="workers in the first roster (twice as many from October 2024)")
        parser.add_argument("--seed", type=int, default=None, help="seed of the generated rosters (default 2023)")
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help="carry the programme on to this date (default today)")
        parser.add_argument("--check", action="store_true", help="compare every published figure with what the system computed (builds first)")
        parser.add_argument(
            "--full",
            action="store_true",
            help="the city-wide layer too: PU employers and their wage earners, construction projects, self-paying BPU workers",
        )
        parser.add_argument(
            "--full-size", type=int, default=None, help="with --full: the city's participants, all segments (default 70,000, as in 2023)"
        )
        parser.add_argument("--force", action="store_true", help="Load even when DEBUG is off (never on a production database)")
        parser.add_argument("--quiet-logins", action="store_true")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError("Demo data is only loaded with DEBUG=1 (or --force): it creates users with a known password.")
        if options["scenario"] == "dumai":
            return self.dumai(options)
        result = load_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready (branch {result['branch']}, sponsors {', '.join(result['sponsors'])})."))
        self.logins(options)

    def logins(self, options):
        if not options["quiet_logins"]:
            self.stdout.write(f"Demo logins (password for all: {settings.LINDUNG_DEMO_PASSWORD}):")
            for d in DEMO_USERS:
                self.stdout.write(f"  {d.username:14} {d.role}{' (' + d.sponsor + ')' if d.sponsor else ''}")

    def dumai(self, options):
        from lindung.demo.dumai import build, check, full
        from lindung.demo.dumai.story import ROSTER_SEED

        full_size = (options["full_size"] or full.CITY_SIZE) if options["full"] else None
        if options["full_size"] is not None and not options["full"]:
            raise CommandError("--full-size goes with --full.")
        workers = build.scenario_workers() if build.is_built() else options["workers"]
        if full_size is not None and full_size < 3 * workers:
            raise CommandError("--full-size: at least three times --workers (the city counts its sponsored workers too).")
        if options["workers"] < 20:
            raise CommandError("--workers: at least 20 (the story's 14 cases are among the first roster's workers).")
        log = (lambda msg: self.stdout.write(f"  {msg}")) if options["verbosity"] >= 1 else None
        if not build.is_built():
            self.stdout.write(f"Building the Dumai scenario ({options['workers']:,} workers from October 2023, carried on to today)…")
        try:
            result = build.build(
                workers=options["workers"], seed=options["seed"] or ROSTER_SEED, today=options["today"], log=log, full_size=full_size
            )
        except build.NotEmpty as exc:
            if options["check"]:
                raise CommandError(exc.message) from None
            # An older database with the small demo: keep it working as it was.
            self.stderr.write(exc.message)
            load_demo()
            self.stdout.write(self.style.SUCCESS("Small demo data ready."))
            return self.logins(options)
        self.stdout.write(
            self.style.SUCCESS(
                f"Dumai scenario ready: {result.workers:,} workers from October 2023, {result.months} months to today ({result.seconds:.1f} s)."
            )
        )
        if options["check"]:
            started = time.monotonic()
            report = check.run(today=options["today"], full_size=full_size)
            self.stdout.write(report.table())
            self.stdout.write(f"Checked in {time.monotonic() - started:.1f} s.")
            if not report.ok:
                raise CommandError(f"{report.failures} figure(s) differ from the published story.")
            self.stdout.write(self.style.SUCCESS("Every published figure matches."))
        self.logins(options)
