"""manage.py api_token create|revoke USER: personal API tokens for desktop GIS clients."""
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from core.services import api_token_create, api_token_revoke


class Command(BaseCommand):
    help = ("Create an API token for USER (printed once, stored only as a digest) or revoke "
            "USER's tokens. QGIS sends it as the password of HTTP basic authentication.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create", "revoke"])
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for (create)")
        parser.add_argument("--days", type=int, help="valid for this many days (create; "
                                                     "default: until revoked)")
        parser.add_argument("--prefix", help="revoke only the token starting with this "
                                             "(default: every active token of USER)")

    def handle(self, *args, action: str, username: str, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"user “{username}” does not exist")
        if action == "create":
            days = options["days"]
            if days is not None and days < 1:
                raise CommandError(f"--days: {days} is not a positive number of days")
            expires = timezone.now() + timedelta(days=days) if days else None
            _token, key = api_token_create(user=user, name=options["name"], expires_at=expires)
            self.stdout.write(key)
            self.stderr.write("Copy the token now: it is not stored and cannot be shown again.")
            return
        count = api_token_revoke(user=user, prefix=options["prefix"])
        if count == 0:
            raise CommandError(f"user “{username}” has no active token"
                               + (f" starting with “{options['prefix']}”"
                                  if options["prefix"] else ""))
        self.stdout.write(f"revoked {count} token(s) of {username}")
