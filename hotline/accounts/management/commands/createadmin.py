from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import IntegrityError

from hotline.accounts.models import User
from hotline.accounts.services import user_invite
from hotline.portals.models import Portal


class Command(BaseCommand):
    help = ("Create a staff account (an administrator unless --role says otherwise) and print "
            "a one-time set-up link. There are no default credentials.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--role", choices=User.Role.values, default=User.Role.ADMIN)
        parser.add_argument("--portal", action="append", default=[], metavar="CODE",
                            help="For a partner: a portal whose figures they may see "
                                 "(repeat for several). Required for partners.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            validate_email(options["email"])
        except Exception:
            raise CommandError(f"{options['email']!r} is not an e-mail address") from None
        codes = list(dict.fromkeys(options["portal"]))
        portals = list(Portal.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {p.code for p in portals})
        if unknown:
            raise CommandError(f"no portal {', '.join(unknown)} (see `hotline portals`)")
        if options["role"] == User.Role.PARTNER and not portals:
            raise CommandError("a partner sees the figures of their portals only: give at "
                               "least one --portal CODE")
        if portals and options["role"] != User.Role.PARTNER:
            raise CommandError("only partners are tied to portals (--role partner)")
        try:
            user, link = user_invite(email=options["email"], role=options["role"],
                                     portals=portals)
        except IntegrityError:
            raise CommandError(f"{options['email']} already has an account") from None
        where = f" for {', '.join(sorted(p.code for p in portals))}" if portals else ""
        self.stdout.write(f"Created {user.get_role_display()} {user.email}{where}.")
        self.stdout.write("Open this one-time link to choose a password and enrol a second "
                          f"factor:\n{link}")
