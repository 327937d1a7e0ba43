import os
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand

# The access log names the path without its query string: searches carry NIKs and names
# (``/participants/?q=…``), which must not reach the logs. The request id ties a line to the app's.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms %({x-request-id}o)s'


class Command(BaseCommand):
    help = "Production server: collects static files, then runs gunicorn on lindung.wsgi."

    def add_arguments(self, parser):
        # Loopback unless told otherwise (--bind 0.0.0.0:8000 or LINDUNG_BIND): a production server sits
        # behind a TLS-terminating proxy on the same host.
        parser.add_argument(
            "--bind",
            default=os.environ.get("LINDUNG_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}"),
            help="address:port to listen on (default 127.0.0.1:$PORT, or LINDUNG_BIND)",
        )
        parser.add_argument("--workers", type=int, default=int(os.environ.get("LINDUNG_WORKERS", str(min(8, (os.cpu_count() or 1) * 2 + 1)))))
        parser.add_argument("--timeout", type=int, default=int(os.environ.get("LINDUNG_TIMEOUT", "120")))
        parser.add_argument("--no-collectstatic", action="store_true")
        parser.add_argument("--dry-run", action="store_true", help="Print the gunicorn command instead of running it")

    def handle(self, *args, **options):
        if not options["no_collectstatic"] and not options["dry_run"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "lindung.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--timeout",
            str(options["timeout"]),
            "--access-logfile",
            "-",
            "--access-logformat",
            ACCESS_LOG_FORMAT,
            "--forwarded-allow-ips",
            os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        ]
        if options["dry_run"]:
            self.stdout.write(" ".join(argv))
            return
        self.stdout.write(f"Lindung serving on http://{options['bind']} with {options['workers']} workers")
        sys.stdout.flush()
        os.execv(sys.executable, argv)
