from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Idempotency keys of web forms and the API: 'idempotency purge' deletes the keys older than "
        "LINDUNG_IDEMPOTENCY_TTL_HOURS (they count as new anyway); run it daily, e.g. from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["purge"])

    def handle(self, *args, **options):
        from lindung.core.idempotency import purge_expired

        self.stdout.write(f"{purge_expired()} expired idempotency key(s) deleted.")
