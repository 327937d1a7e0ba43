from django.core.management.base import CommandError

from lindung.accounts import services
from lindung.accounts.models import ApiToken, User
from lindung.core.management.base import LindungCommand


class Command(LindungCommand):
    help = "API tokens: 'token create USERNAME' prints a new token once; 'token list USERNAME'; 'token revoke PREFIX'."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("username")
        create.add_argument("--name", default="")
        lst = sub.add_parser("list")
        lst.add_argument("username")
        rev = sub.add_parser("revoke")
        rev.add_argument("prefix")

    def handle(self, *args, **options):
        actor = self.actor(options)
        action = options["action"]
        if action in ("create", "list"):
            user = User.objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"No user {options['username']!r}.")
        if action == "create":
            _token, key = services.token_create(actor=actor, user=user, name=options["name"])
            self.stdout.write(key)
        elif action == "list":
            for t in ApiToken.objects.filter(user=user):
                state = "revoked" if t.revoked_at else "active"
                self.stdout.write(f"{t.prefix}…  {state}  created {t.created_at:%Y-%m-%d}  last used {t.last_used_at or '-'}  {t.name}")
        else:
            tokens = list(ApiToken.objects.filter(prefix=options["prefix"]))
            if len(tokens) != 1:
                raise CommandError(f"{len(tokens)} tokens have the prefix {options['prefix']!r}; give the 12-character prefix shown by 'token list'.")
            services.token_revoke(actor=actor, token=tokens[0])
            self.stdout.write("revoked")
