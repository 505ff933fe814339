from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import IntegrityError

from hotline.accounts.models import User
from hotline.accounts.services import user_invite


class Command(BaseCommand):
    help = ("Create a staff account (an administrator unless --role says otherwise) and print "
            "a one-time set-up link. There are no default credentials.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--role", choices=User.Role.values, default=User.Role.ADMIN)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            validate_email(options["email"])
        except Exception:
            raise CommandError(f"{options['email']!r} is not an e-mail address") from None
        try:
            user, link = user_invite(email=options["email"], role=options["role"])
        except IntegrityError:
            raise CommandError(f"{options['email']} already has an account") from None
        self.stdout.write(f"Created {user.get_role_display()} {user.email}.")
        self.stdout.write("Open this one-time link to choose a password and enrol a second "
                          f"factor:\n{link}")
