"""What keeps takedown from reaching anyone, in words for the hub dashboard.

Each function looks at one cause and returns a :class:`~hotline.lib.readiness.Problem` that
says what to do, or None; stats collects them (stats/readiness.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hotline.hosting.models import Trace
from hotline.lib.readiness import Problem

from .checks import notices_only_written_to_files
from .models import PartnerHotline, Recipient, Takedown
from .routing import countries_without_route

OPEN = (Takedown.State.TRACING, Takedown.State.ACTIVE, Takedown.State.NO_CONTACT)


def no_police_contact() -> Problem | None:
    """Without a police or international contact, only the hub's own country (with the host's
    abuse contact) and partner hotlines' countries can be routed."""
    if Recipient.objects.exists():
        return None
    partners = ", ".join(PartnerHotline.objects.filter(active=True)
                         .values_list("country", flat=True)) or _("none")
    return Problem(_(
        "No police or international contact is set, so material hosted outside %(hub)s and "
        "the partner hotlines' countries (%(partners)s) has no route. Add one in the admin "
        "(Takedown, police or international contacts).") % {
            "hub": settings.HUB_COUNTRY, "partners": partners})


def _open_hosts() -> list[tuple[str, str]]:
    """(country, an abuse e-mail or "") for the traced hosts of open takedowns: one with a
    contact and one without, per country, which is all that routing looks at."""
    rows = (Trace.objects.filter(case__takedown__state__in=OPEN).exclude(country="")
            .values("country").annotate(contact=Max("abuse_email"),
                                        without=Count("pk", filter=Q(abuse_email=""))))
    hosts = []
    for row in rows:
        if row["contact"]:
            hosts.append((row["country"], row["contact"]))
        if row["without"]:
            hosts.append((row["country"], ""))
    return hosts


def unrouted_countries() -> Problem | None:
    """Countries where hosts of open takedowns are traced and routing finds nobody to tell."""
    countries = countries_without_route(_open_hosts())
    if not countries:
        return None
    return Problem(ngettext(
        "Hosts traced to %(countries)s have no route: no partner hotline works there, no "
        "police or international contact is set, or (in the hub's country) the host has no "
        "abuse contact. Add a partner hotline for this country or a police or international "
        "contact in the admin.",
        "Hosts traced to %(countries)s have no route: no partner hotline works there, no "
        "police or international contact is set, or (in the hub's country) the host has no "
        "abuse contact. Add partner hotlines for these countries or a police or international "
        "contact in the admin.", len(countries)) % {"countries": ", ".join(countries)})


def waiting_for_a_contact() -> Problem | None:
    """Takedowns that found nobody to tell wait for staff."""
    waiting = Takedown.objects.filter(state=Takedown.State.NO_CONTACT).count()
    if not waiting:
        return None
    return Problem(
        ngettext("%(n)d takedown waits in “No contact found”: open it and send it "
                 "elsewhere (Override the routing).",
                 "%(n)d takedowns wait in “No contact found”: open each one and send "
                 "it elsewhere (Override the routing).", waiting) % {"n": waiting},
        link=reverse("takedown:list") + f"?state={Takedown.State.NO_CONTACT}",
        link_text=_("Takedowns waiting for a contact"))


def mail_not_sent() -> Problem | None:
    """Without an e-mail server, notices are written to files and reach nobody."""
    if not notices_only_written_to_files():
        return None
    return Problem(_(
        "Notices are written as files to %(path)s and never sent: set EMAIL_HOST (and "
        "EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD_FILE, EMAIL_USE_TLS as the mail "
        "server needs) so that hosts, partner hotlines and police receive them.") % {
            "path": settings.EMAIL_FILE_PATH})
