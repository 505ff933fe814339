"""Settings for the test suite: the product's settings with a private var/ directory,
plain static files and cheaper receipt hashing. Values come through the environment so that
settings.py reads them the same way it does in production."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

if not os.environ.get("HOTLINE_VAR_DIR"):
    # A var/ directory of this run (test keys and secrets in it), removed when the process that
    # made it ends. Processes a test starts inherit HOTLINE_VAR_DIR and share it; they leave
    # it alone.
    _made = tempfile.mkdtemp(prefix="hotline-test-var-")
    os.environ["HOTLINE_VAR_DIR"] = _made
    atexit.register(shutil.rmtree, _made, ignore_errors=True)
os.environ["STATIC_MANIFEST"] = "0"
os.environ.setdefault("RECEIPT_ARGON2_MEMORY_KIB", "8192")
os.environ.setdefault("RECEIPT_ARGON2_TIME_COST", "2")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")  # Playwright's sync API in tests
# Reported test addresses (*.example.test) are never fetched by background captures: tests
# that capture call the service against their own loopback server.
os.environ.setdefault("CAPTURE_NEW_CASES", "0")
# Names are never looked up in the real DNS: unless a test starts its own loopback DNS server,
# lookups go to a loopback port where nothing listens and fail at once (a notice looks at its
# address just before it goes out: takedown/services.py).
os.environ.setdefault("DNS_RESOLVERS", "127.0.0.1:9")
os.environ.setdefault("TRACE_NEW_CASES", "0")
# No staff digest from the ticks that tests run (hotline/ops/alerts.py): its own tests set roles.
os.environ.setdefault("STAFF_ALERT_ROLES", "")

from hotline.settings import *  # noqa: F403

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 (whitenoise expects it to exist)
