"""Settings for hotline, read from the environment.

Every value comes from an environment variable with a safe default for a development machine.
Secrets may also come from a file named by ``NAME_FILE`` (the way container secrets are
mounted). When no secret is configured, a development secret is generated once under
``var/`` (never committed) unless ``HOTLINE_GENERATE_SECRETS=0``, which production sets so that
a missing secret is a loud error instead of a silently new one.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from hotline.lib.languages import discover as discover_languages

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("HOTLINE_VAR_DIR", BASE_DIR / "var")).resolve()

# Every process of the product reads these settings before it makes a file, so from here on
# nothing it makes (var/, the SQLite database with its -wal and -shm files, keys, secrets) is
# readable by other users of the machine: a readable database gives away live sessions.
os.umask(0o077)


def make_private(path: Path, mode: int) -> None:
    """Tighten a file or directory that an earlier version (or a shell's umask) left readable
    by others. Only the owner may change the mode; someone else's file stays as it is, and
    `hotline check --deploy` says so (hotline/ops/checks.py)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    if info.st_uid == os.getuid() and info.st_mode & 0o777 != mode:
        path.chmod(mode)


make_private(VAR_DIR, 0o700)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envfloat(name: str, default: float, *, low: float = 0.0, high: float = 1.0) -> float:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}") from None
    if not low <= number <= high:
        raise ImproperlyConfigured(f"{name} must be between {low} and {high}, not {value!r}")
    return number


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def envintlist(name: str, default: list[int]) -> list[int]:
    values = envlist(name, [str(d) for d in default])
    try:
        return [int(v) for v in values]
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be whole numbers separated by commas, not "
                                   f"{os.environ.get(name)!r}") from None


def envproxy(name: str) -> str:
    """A proxy address the fetcher can use, or ""."""
    from hotline.lib.tunnels import parse_proxy  # httpcore only, nothing of Django's

    value = os.environ.get(name, "").strip()
    if value:
        try:
            parse_proxy(value)
        except ValueError as e:
            # The value is not repeated: it may hold a password.
            raise ImproperlyConfigured(f"{name} cannot be used: {e}") from None
    return value


GENERATE_SECRETS = envbool("HOTLINE_GENERATE_SECRETS", True)


def envsecret(name: str, *, nbytes: int = 48) -> str:
    """Read a secret from NAME, then from the file named by NAME_FILE, else make a dev one."""
    value = os.environ.get(name)
    if value:
        return value
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as e:
            raise ImproperlyConfigured(f"{name}_FILE={path} cannot be read: {e}") from None
    if not GENERATE_SECRETS:
        raise ImproperlyConfigured(f"{name} or {name}_FILE must be set")
    # Development: one secret per machine, created once. O_EXCL makes concurrent first starts
    # (web and worker) agree on a single value.
    secret_file = VAR_DIR / "secrets" / name.lower()
    secret_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return secret_file.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_urlsafe(nbytes))
    return secret_file.read_text().strip()


DEBUG = envbool("DEBUG", False)
SECRET_KEY = envsecret("SECRET_KEY")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
SITE_NAME = os.environ.get("SITE_NAME", "Hotline")

# HTTPS: set in production behind a TLS-terminating proxy. It switches on HSTS, secure cookies
# and the redirect to https. The onion service's proxy sends X-Forwarded-Proto: https as well,
# since an onion address is end-to-end encrypted (see README, "Running at scale").
HTTPS = envbool("HTTPS", False)
if envbool("BEHIND_PROXY", HTTPS):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", HTTPS)
SECURE_CONTENT_TYPE_NOSNIFF = True
# Staff pages only (the public side sets no-referrer itself). Not "no-referrer": under it
# browsers send "Origin: null" with their own form posts, which Django's CSRF check refuses,
# so no staff form (sign-in included) could be submitted from a real browser.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
# A refused request gets the product's own page, in the language of the address.
CSRF_FAILURE_VIEW = "hotline.errors.csrf_failure"

# The staff side is the only place with cookies: short, HttpOnly, SameSite=Strict.
SESSION_COOKIE_NAME = "hotline_staff"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
SESSION_COOKIE_PATH = "/staff/"
SESSION_COOKIE_AGE = envint("STAFF_SESSION_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True  # sliding expiry: sessions end after inactivity
CSRF_COOKIE_NAME = "hotline_staff_csrf"
CSRF_COOKIE_PATH = "/staff/"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"
# Messages wait in the server-side session, never in a cookie of their own: Django's default
# keeps them in a "messages" cookie sent to every path (the public side included) until shown.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Apps in layers, lowest first (docs/architecture.md): an app imports only apps above it in this
# list, or lib. The project package (urls, middleware, error pages, admin site, layouts) sits
# on top of them all.
INSTALLED_APPS = [
    "hotline.apps.StaffAdminConfig",  # django.contrib.admin with the staff admin site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "hotline.portals",
    "hotline.audit",
    "hotline.accounts",
    "hotline.members",
    "hotline.intake",
    "hotline.cases",
    "hotline.capture",
    "hotline.lists",
    "hotline.hosting",
    "hotline.takedown",
    "hotline.public",
    "hotline.workbench",
    "hotline.stats",
    "hotline.api",
    "hotline.ops",
]
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/staff/login/"

MIDDLEWARE = [
    # First, so that nothing later can see or log who the public visitor is.
    "hotline.middleware.PublicSideMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # After sign-in is known: the staff side in each staff member's own language.
    "hotline.language.StaffLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "hotline.urls"
WSGI_APPLICATION = "hotline.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "hotline" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hotline.context_processors.public",
                "hotline.context_processors.staff",
            ],
        },
    },
]

DATABASES: dict[str, dict[str, Any]] = {
    "default": dict(dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'hotline.sqlite3'}",
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    ))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes; IMMEDIATE transactions take the
    # write lock up front so that concurrent writers wait instead of failing mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": None}
    # The database and the files SQLite keeps beside it (which take the database's mode).
    for suffix in ("", "-wal", "-shm", "-journal"):
        make_private(Path(f"{DATABASES['default']['NAME']}{suffix}"), 0o600)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL, "KEY_PREFIX": "hotline"}}
else:
    # One web process (make run) shares one in-memory cache. Several web processes need Redis,
    # or each process keeps its own rate limits.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        # Captures have their own queue and worker, so a slow site never delays intake.
        "QUEUES": ["default", "capture"],
    }
}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The languages offered: one hotline/locale/<code>/language.yaml each, with its catalog beside
# it (hotline/lib/languages.py). Adding a language is adding files: docs/translations.md.
LANGUAGE_CODE = "en"
offered_languages = discover_languages()
LANGUAGES = [(language.code, language.english_name) for language in offered_languages]
LANGUAGES_BIDI = [language.code for language in offered_languages if language.bidi]
LOCALE_PATHS = [BASE_DIR / "hotline" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# The two base layouts' style sheets (templates/layouts/); apps keep their own under static/.
STATICFILES_DIRS = [BASE_DIR / "hotline" / "static"]
# Hashed, pre-compressed names in production (collectstatic); plain files for tests.
STATIC_MANIFEST = envbool("STATIC_MANIFEST", True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
                    if STATIC_MANIFEST else
                    "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# Staff side.
# Without SITE_URL (development), set-up links point at the port `hotline serve` listens on.
SITE_URL = os.environ.get("SITE_URL") or f"http://127.0.0.1:{envint('PORT', 8000)}"
SIGNIN_MAX_FAILURES = envint("SIGNIN_MAX_FAILURES", 5)  # per account and connection (throttle.py)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Hotline")
# Authenticator app seeds are sealed with this key (hotline/lib/totpseeds.py), so that a copy of
# the database alone cannot clone anyone's second factor. Keep it apart from database dumps.
TOTP_SEED_KEY = envsecret("TOTP_SEED_KEY")
if len(TOTP_SEED_KEY) < 32:
    raise ImproperlyConfigured("TOTP_SEED_KEY must be at least 32 random characters")
# django_otp's own admin pages would show seeds; hotline replaces them (accounts/admin.py).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# django_otp's own throttle refuses even a correct code for a while after a wrong one, and
# counts that refusal as a failure; hotline's throttle (accounts/throttle.py) does the job.
OTP_TOTP_THROTTLE_FACTOR = 0
BREAK_REMINDER_MINUTES = envint("BREAK_REMINDER_MINUTES", 50)
# ...and after this many items revealed in colour in one session (0: never).
BREAK_REMINDER_REVEALS = envint("BREAK_REMINDER_REVEALS", 40)
CASE_CLAIM_MINUTES = envint("CASE_CLAIM_MINUTES", 60)  # a claim lapses after this
# Second review: the share of assessments that wait for an independent senior analyst.
REVIEW_SHARE_CSAM = envfloat("REVIEW_SHARE_CSAM", 1.0)
REVIEW_SHARE_OTHER = envfloat("REVIEW_SHARE_OTHER", 0.1)
WEBAUTHN_RP_ID = os.environ.get("WEBAUTHN_RP_ID", "localhost")
WEBAUTHN_RP_NAME = os.environ.get("WEBAUTHN_RP_NAME", "Hotline staff")
WEBAUTHN_ORIGINS = envlist("WEBAUTHN_ORIGINS", ["http://localhost:8000"])

# The one HTTP fetcher (captures, re-checks): limits and proxy.
FETCH_MAX_BYTES = envint("FETCH_MAX_BYTES", 20 * 1024 * 1024)
FETCH_CONNECT_TIMEOUT = envfloat("FETCH_CONNECT_TIMEOUT", 10.0, high=300)
FETCH_READ_TIMEOUT = envfloat("FETCH_READ_TIMEOUT", 15.0, high=300)
FETCH_TOTAL_TIMEOUT = envfloat("FETCH_TOTAL_TIMEOUT", 60.0, high=3600)
FETCH_MAX_REDIRECTS = envint("FETCH_MAX_REDIRECTS", 5)
# http://host:port or socks5://host:port (Tor: socks5://127.0.0.1:9050). Through SOCKS5,
# onion addresses are resolved by the proxy; every other name is resolved and checked here and
# the proxy is asked for that address (README, "Lists, hash banks and known content").
FETCH_PROXY = envproxy("FETCH_PROXY")
# Networks fetched although not public (tests: their servers on 127.0.0.1/32). Empty in
# production: only global addresses are ever fetched.
FETCH_ALLOW_NETWORKS = envlist("FETCH_ALLOW_NETWORKS", [])
# Capture identity. Sites cloak: they show their material to browsers and a harmless decoy to
# robots, so the fetcher asks as a current desktop Chromium on Linux does (the headers of
# Debian's Chromium 156, November 2026). When the browser version moves on, change the
# User-Agent and the client hints (sec-ch-ua) together; the check below holds them to one
# version. FETCH_CLIENT_HINTS empty: none sent (for a User-Agent that is not Chromium's).
FETCH_USER_AGENT = os.environ.get(
    "FETCH_USER_AGENT", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                        "Chrome/156.0.0.0 Safari/537.36")
FETCH_CLIENT_HINTS = os.environ.get("FETCH_CLIENT_HINTS",
                                    '"Not:A-Brand";v="8", "Chromium";v="156"')
FETCH_ACCEPT_LANGUAGE = os.environ.get("FETCH_ACCEPT_LANGUAGE", "en-US,en;q=0.9")


def check_client_hints(user_agent: str, hints: str) -> None:
    """Client hints that name another Chromium version than the User-Agent give a robot away
    (and they say "Linux": the identity is a desktop Chromium on Linux)."""
    if not hints:
        return
    agent = re.search(r"Chrome/(\d+)\.", user_agent)
    hinted = re.search(r'"Chromium";v="(\d+)"', hints)
    if agent is None or hinted is None or agent[1] != hinted[1] or "Linux" not in user_agent:
        raise ImproperlyConfigured(
            "FETCH_CLIENT_HINTS must name the Chromium version of FETCH_USER_AGENT "
            f"(or be empty), not {hints!r} for {user_agent!r}")


check_client_hints(FETCH_USER_AGENT, FETCH_CLIENT_HINTS)

# Hosting trace (hotline.hosting): DNS, IP address → country and network (MaxMind-format
# .mmdb files: GeoLite2-Country/-ASN or the DB-IP equivalents), abuse contact from RDAP.
# Resolvers: "ip", "ip:port" or "[ipv6]:port", comma-separated; empty = the system's resolver.
DNS_RESOLVERS = envlist("DNS_RESOLVERS", [])
DNS_TIMEOUT = envfloat("DNS_TIMEOUT", 5.0, low=0.1, high=60)  # seconds, for each DNS query
# A hub's own files always answer. Without a country file the offline dataset installed with
# the product (iptocc: the RIRs' delegations, where each block is registered) answers the
# country, so a fresh machine can route; GEOIP_OFFLINE=0 turns it off. Without an ASN file the
# trace has no network numbers and says so.
GEOIP_COUNTRY_DB = os.environ.get("GEOIP_COUNTRY_DB", "")
GEOIP_ASN_DB = os.environ.get("GEOIP_ASN_DB", "")
GEOIP_OFFLINE = envbool("GEOIP_OFFLINE", True)
# IANA RDAP bootstrap files (ipv4.json, ipv6.json, asn.json, dns.json); `hotline rdap refresh`
# downloads them from RDAP_BOOTSTRAP_URL into this directory.
RDAP_BOOTSTRAP_DIR = Path(os.environ.get("RDAP_BOOTSTRAP_DIR")
                          or Path(__file__).resolve().parent / "hosting" / "rdap_bootstrap")
RDAP_BOOTSTRAP_URL = os.environ.get("RDAP_BOOTSTRAP_URL", "https://data.iana.org/rdap/")
RDAP_TIMEOUT = envfloat("RDAP_TIMEOUT", 20.0, low=1, high=300)  # seconds, whole RDAP query
# The hub's own country (ISO 3166-1 alpha-2): content hosted here gets a notice to the host.
HUB_COUNTRY = os.environ.get("HUB_COUNTRY", "GB").strip().upper()
if len(HUB_COUNTRY) != 2 or not HUB_COUNTRY.isalpha():
    raise ImproperlyConfigured(f"HUB_COUNTRY must be a two-letter country code, not "
                               f"{HUB_COUNTRY!r}")

# Known-content matching (DESIGN.md, PDQ): a match is a Hamming distance of at most 31, and
# hashes of quality under 50 are ignored.
PDQ_MAX_DISTANCE = envint("PDQ_MAX_DISTANCE", 31)
PDQ_MIN_QUALITY = envint("PDQ_MIN_QUALITY", 50)
# Capture every new case's URL (hashes only) in the background, item by item
# (hotline/capture): at most CAPTURE_MAX_ITEMS media items of a page, CAPTURE_MAX_BYTES in all,
# CAPTURE_CONCURRENCY fetches at a time, and the whole capture within CAPTURE_TOTAL_SECONDS.
CAPTURE_NEW_CASES = envbool("CAPTURE_NEW_CASES", True)
# Trace the host of every new case too (hotline/hosting/tasks.py, on the capture queue).
TRACE_NEW_CASES = envbool("TRACE_NEW_CASES", True)
CAPTURE_MAX_ITEMS = envint("CAPTURE_MAX_ITEMS", 50)
CAPTURE_MAX_BYTES = envint("CAPTURE_MAX_BYTES", 200 * 1024 * 1024)
CAPTURE_CONCURRENCY = envint("CAPTURE_CONCURRENCY", 4)
CAPTURE_TOTAL_SECONDS = envfloat("CAPTURE_TOTAL_SECONDS", 180.0, low=1, high=3600)
# The safe viewer of the case page (hotline/workbench/viewer.py): image items fetched again
# into memory when a case is opened, VIEWER_CONCURRENCY at a time, all within
# VIEWER_TOTAL_SECONDS; each thumbnail (greyscale, blurred: its radius is the picture's size
# divided by VIEWER_BLUR_DIVISOR) or reveal fetched within VIEWER_ITEM_SECONDS. Never stored.
VIEWER_CONCURRENCY = envint("VIEWER_CONCURRENCY", 6)
VIEWER_TOTAL_SECONDS = envfloat("VIEWER_TOTAL_SECONDS", 8.0, low=0.5, high=120)
VIEWER_ITEM_SECONDS = envfloat("VIEWER_ITEM_SECONDS", 10.0, low=0.5, high=120)
VIEWER_BLUR_DIVISOR = envint("VIEWER_BLUR_DIVISOR", 12)
# Thumbnails the case page asks for at a time (each is a fetch from the reported site).
VIEWER_BROWSER_PARALLEL = envint("VIEWER_BROWSER_PARALLEL", 4)
# A partner bank's hash whose matches analysts contradicted this many times (verdict not
# illegal or not in remit) stops pre-filling assessments; its matches are still shown.
BANK_DISAGREEMENT_LIMIT = envint("BANK_DISAGREEMENT_LIMIT", 2)
# PDQ indexes of the banks, one file per bank version (hotline/lists/banks.py).
PDQ_INDEX_DIR = Path(os.environ.get("PDQ_INDEX_DIR") or VAR_DIR / "pdq")

# Notices and re-checks (DESIGN.md, "Routing after confirmation").
HUB_NAME = os.environ.get("HUB_NAME", "Hotline")
HUB_EMAIL = os.environ.get("HUB_EMAIL", "reports@hub.example.test")
HUB_DOMAIN = os.environ.get("HUB_DOMAIN", "hub.example.test")
DEFAULT_FROM_EMAIL = HUB_EMAIL
# Who answers questions about privacy (the privacy page names it with HUB_NAME): an address
# people can write to, and a postal address if the hub wants to give one.
HUB_CONTACT_EMAIL = os.environ.get("HUB_CONTACT_EMAIL", HUB_EMAIL)
HUB_POSTAL_ADDRESS = os.environ.get("HUB_POSTAL_ADDRESS", "")
# With EMAIL_HOST, notices go out by SMTP. Without it (a development machine) each message is
# written as a file under var/mail/ and nothing leaves the machine; `hotline serve`, the hub
# dashboard and `hotline check --deploy` all say so.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip()
EMAIL_BACKEND = ("django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
                 else "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD") if os.environ.get(
    "EMAIL_HOST_PASSWORD") or os.environ.get("EMAIL_HOST_PASSWORD_FILE") else ""
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 30)
# Re-checks start soon after confirmation (hosts often act in minutes) and back off to a day.
RECHECK_FIRST_SECONDS = envint("RECHECK_FIRST_SECONDS", 15 * 60)
RECHECK_MAX_SECONDS = envint("RECHECK_MAX_SECONDS", 24 * 3600)
RESEND_AFTER_HOURS = envint("RESEND_AFTER_HOURS", 24)
# Notices to one recipient that become ready within this many seconds of the first go out as
# one message (at most NOTICE_GROUP_MAX addresses, one XARF report each); each address is
# looked at again just before sending and left out if it is already gone.
NOTICE_GROUP_SECONDS = envint("NOTICE_GROUP_SECONDS", 30)
NOTICE_GROUP_MAX = envint("NOTICE_GROUP_MAX", 50)
# The looks before sending one group run NOTICE_LOOK_CONCURRENCY at a time and stop after
# NOTICE_LOOK_BUDGET_SECONDS in all; a look not back by then: its notice goes out unlooked.
NOTICE_LOOK_BUDGET_SECONDS = envint("NOTICE_LOOK_BUDGET_SECONDS", 120)
NOTICE_LOOK_CONCURRENCY = envint("NOTICE_LOOK_CONCURRENCY", 4)
ESCALATE_AFTER_RESENDS = envint("ESCALATE_AFTER_RESENDS", 3)
# Material hosted in the hub's country: tell the first police contact at once, in parallel
# with the notice to the host (the host is asked to preserve evidence and remove).
POLICE_IN_PARALLEL = envbool("POLICE_IN_PARALLEL", False)
# Removal (hotline/takedown/removal.py) is declared after this many gone checks in a row, at
# least this far apart, seen from both egresses when a second one (FETCH_PROXY_ALT, an HTTP or
# SOCKS5 proxy elsewhere) is configured; then follow-up checks after these many days each.
REMOVAL_CONFIRMATIONS = envint("REMOVAL_CONFIRMATIONS", 2)
REMOVAL_CONFIRM_SECONDS = envint("REMOVAL_CONFIRM_SECONDS", 30 * 60)
REMOVAL_FOLLOW_UP_DAYS = envintlist("REMOVAL_FOLLOW_UP_DAYS", [1, 7, 30])
FETCH_PROXY_ALT = envproxy("FETCH_PROXY_ALT")

# Processes (hotline/ops): `hotline serve` binds the web server to SERVE_HOST:PORT and runs the
# tick (every periodic job: hotline/ops/tick.py) every TICK_SECONDS; an idle `hotline worker`
# looks at the queue every WORKER_INTERVAL seconds (a new report waits on average half of it
# before its intake starts: bench/intake_latency.py); gunicorn runs WEB_CONCURRENCY processes
# of WEB_THREADS threads.
SERVE_HOST = os.environ.get("HOST", "127.0.0.1")
PORT = envint("PORT", 8000)
TICK_SECONDS = envint("TICK_SECONDS", 60)
WORKER_INTERVAL = envfloat("WORKER_INTERVAL", 0.25, low=0.01, high=60)
WEB_CONCURRENCY = envint("WEB_CONCURRENCY", 1)
WEB_THREADS = envint("WEB_THREADS", 8)

# Recovery after killed processes (hotline/ops/recovery.py, run by the tick): a task
# running longer than this is presumed orphaned by a dead worker and marked failed; a report
# whose intake has not finished this long after it arrived, with no task waiting, is queued
# again, until its intake has failed INTAKE_MAX_ATTEMPTS times.
TASK_RUNNING_LIMIT_SECONDS = envint("TASK_RUNNING_LIMIT_SECONDS", 10 * 60)
INTAKE_RETRY_AFTER_SECONDS = envint("INTAKE_RETRY_AFTER_SECONDS", 2 * 60)
INTAKE_MAX_ATTEMPTS = envint("INTAKE_MAX_ATTEMPTS", 5)

# Health and metrics (hotline/ops/health.py, metrics.py). Each worker records a heartbeat every
# WORKER_HEARTBEAT_SECONDS; /readyz fails when no worker has been seen for
# READY_HEARTBEAT_MAX_AGE_SECONDS or a task has waited in a queue for READY_QUEUE_MAX_AGE_SECONDS.
# /metrics answers only clients at METRICS_ALLOWED_ADDRESSES (addresses or networks; behind a
# proxy, see TRUSTED_PROXY_COUNT) or with "Authorization: Bearer METRICS_TOKEN" (or the file
# named by METRICS_TOKEN_FILE; none by default). A scrape reads no more than recent history:
# reports of the last METRICS_RECENT_HOURS, the outcomes of the last METRICS_CAPTURE_SAMPLE
# captures, and (as histograms of time to assessment and to removal) the cases closed and
# takedowns removed in the last METRICS_WINDOW_DAYS.
WORKER_HEARTBEAT_SECONDS = envint("WORKER_HEARTBEAT_SECONDS", 30)
READY_HEARTBEAT_MAX_AGE_SECONDS = envint("READY_HEARTBEAT_MAX_AGE_SECONDS", 5 * 60)
READY_QUEUE_MAX_AGE_SECONDS = envint("READY_QUEUE_MAX_AGE_SECONDS", 15 * 60)
METRICS_ALLOWED_ADDRESSES = envlist("METRICS_ALLOWED_ADDRESSES", ["127.0.0.1", "::1"])
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "") or (
    envsecret("METRICS_TOKEN") if os.environ.get("METRICS_TOKEN_FILE") else "")
METRICS_RECENT_HOURS = envint("METRICS_RECENT_HOURS", 24)
METRICS_CAPTURE_SAMPLE = envint("METRICS_CAPTURE_SAMPLE", 1000)
METRICS_WINDOW_DAYS = envint("METRICS_WINDOW_DAYS", 30)

# Staff alerts (hotline/ops/alerts.py, from the tick): a digest of counts (never an address or
# any content) to active staff of STAFF_ALERT_ROLES, sent at most once every
# STAFF_ALERT_INTERVAL_SECONDS, only on STAFF_ALERT_DAYS (0 = Monday) between
# STAFF_ALERT_HOURS (start, end; local hours in STAFF_ALERT_TIME_ZONE; 22,6 runs overnight), and
# only when something waits. STAFF_ALERT_ROLES empty switches them off.
STAFF_ALERT_ROLES = envlist("STAFF_ALERT_ROLES", ["senior", "admin"])
STAFF_ALERT_INTERVAL_SECONDS = envint("STAFF_ALERT_INTERVAL_SECONDS", 3600)
STAFF_ALERT_DAYS = envintlist("STAFF_ALERT_DAYS", [0, 1, 2, 3, 4, 5, 6])
STAFF_ALERT_HOURS = envintlist("STAFF_ALERT_HOURS", [0, 24])
STAFF_ALERT_TIME_ZONE = os.environ.get("STAFF_ALERT_TIME_ZONE", "UTC")
# The digest's language (en, fr, ar, pt, sw).
STAFF_ALERT_LANGUAGE = os.environ.get("STAFF_ALERT_LANGUAGE", "en")
if len(STAFF_ALERT_HOURS) != 2 or not all(0 <= h <= 24 for h in STAFF_ALERT_HOURS):
    raise ImproperlyConfigured("STAFF_ALERT_HOURS must be two hours from 0 to 24, start and end "
                               f"(e.g. 8,18, or 22,6 overnight), not {STAFF_ALERT_HOURS}")
if STAFF_ALERT_LANGUAGE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"STAFF_ALERT_LANGUAGE must be one of {', '.join(dict(LANGUAGES))}, "
                               f"not {STAFF_ALERT_LANGUAGE!r}")
if not all(0 <= d <= 6 for d in STAFF_ALERT_DAYS):
    raise ImproperlyConfigured("STAFF_ALERT_DAYS must be days from 0 (Monday) to 6 (Sunday), "
                               f"not {STAFF_ALERT_DAYS}")

# Public figures: counts below this are published as "fewer than N" (hotline.stats).
FIGURES_MIN_COUNT = envint("FIGURES_MIN_COUNT", 10)
# Public figures pages are computed at most once per this many seconds per portal (and hub).
FIGURES_CACHE_SECONDS = envint("FIGURES_CACHE_SECONDS", 600)

# Public side limits. Bodies over the limit are refused before Django parses them.
PUBLIC_MAX_BODY_BYTES = envint("PUBLIC_MAX_BODY_BYTES", 64 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = max(PUBLIC_MAX_BODY_BYTES, 2_621_440)
REPORT_MAX_URLS = 20

# API (hotline/api): per-key request rate ("N/s", "N/m", "N/h"), body size (refused with 413
# before parsing), reports per batch and URLs per report of the trusted intake.
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120/m")
API_MAX_BODY_BYTES = envint("API_MAX_BODY_BYTES", 1024 * 1024)
API_MAX_BATCH = envint("API_MAX_BATCH", 100)
API_MAX_URLS = envint("API_MAX_URLS", 50)
# Public forms (hotline/public/views.py: _spend): valid reports and status checks per client
# key per hour; refused posts (invalid input) have a larger budget of their own, so that junk
# from an address many people share never uses up their reports. Onion visitors all arrive
# from the Tor daemon's address: they share budgets ONION_RATE_FACTOR times larger instead.
REPORT_RATE_LIMIT = envint("REPORT_RATE_LIMIT", 20)
STATUS_RATE_LIMIT = envint("STATUS_RATE_LIMIT", 10)
INVALID_RATE_LIMIT = envint("INVALID_RATE_LIMIT", 60)
ONION_RATE_FACTOR = envint("ONION_RATE_FACTOR", 25)
# Number of trusted reverse proxies in front of the web tier, used only to find the client
# address for the rate-limit key (it is never stored).
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
QUICK_EXIT_URL = os.environ.get("QUICK_EXIT_URL", "https://www.wikipedia.org/")
# What the receipt page tells a reporter: an analyst usually looks at a report within this
# many working days. Set it from the hub's own median time to assessment (hub dashboard).
REPORT_USUAL_DAYS = envint("REPORT_USUAL_DAYS", 2)
if REPORT_USUAL_DAYS < 1:
    raise ImproperlyConfigured("REPORT_USUAL_DAYS must be at least 1")
HUB_ONION_ADDRESS = os.environ.get("HUB_ONION_ADDRESS", "")

# Sealing (libsodium sealed boxes). The public web tier needs only the public key; the private
# key is read only by the staff side (see README, "Keys").
SEALING_PUBLIC_KEY_FILE = Path(
    os.environ.get("SEALING_PUBLIC_KEY_FILE", VAR_DIR / "keys" / "sealing.pub")
)
SEALING_PRIVATE_KEY_FILE = Path(
    os.environ.get("SEALING_PRIVATE_KEY_FILE", VAR_DIR / "keys" / "sealing.key")
)
RECEIPT_PEPPER = envsecret("RECEIPT_PEPPER")

# Audit log (hotline/audit): the chain is keyed with AUDIT_KEY, which lives outside the database
# (a database copy alone cannot re-chain it); its head is anchored every AUDIT_ANCHOR_SECONDS
# by the tick in AUDIT_ANCHOR_FILE (append-only, one JSON line each) and mailed to
# AUDIT_ANCHOR_EMAILS if any. The tick also walks the whole chain again from its first entry
# once every AUDIT_VERIFY_FULL_SECONDS, AUDIT_VERIFY_BATCH entries per tick.
AUDIT_KEY = envsecret("AUDIT_KEY")
AUDIT_ANCHOR_FILE = Path(os.environ.get("AUDIT_ANCHOR_FILE")
                         or VAR_DIR / "audit" / "anchors.log")
AUDIT_ANCHOR_EMAILS = envlist("AUDIT_ANCHOR_EMAILS", [])
AUDIT_ANCHOR_SECONDS = envint("AUDIT_ANCHOR_SECONDS", 24 * 3600)
AUDIT_VERIFY_FULL_SECONDS = envint("AUDIT_VERIFY_FULL_SECONDS", 24 * 3600)
AUDIT_VERIFY_BATCH = envint("AUDIT_VERIFY_BATCH", 50_000)

# The rate limits' key of the day is derived from this secret (hotline/lib/ratelimit.py): it
# stays out of the cache that holds the counters, so the cache alone names no address.
RATELIMIT_SECRET = envsecret("RATELIMIT_SECRET")
# Argon2id cost of the receipts issued before receipts were stored as a keyed fast hash
# (hotline/lib/receipts.py says why): only to find those old receipts again, so it must stay
# what they were made with (64 MiB, 3 passes).
RECEIPT_ARGON2_TIME_COST = envint("RECEIPT_ARGON2_TIME_COST", 3)
RECEIPT_ARGON2_MEMORY_KIB = envint("RECEIPT_ARGON2_MEMORY_KIB", 64 * 1024)

# Retention (hotline/ops/retention.py, run daily by the tick; `hotline retention run`): days
# after which each kind of data is deleted or anonymised; README "Retention" says what is kept
# for ever and why. A report's cases being closed means its last state change; its clock starts
# when the last of them closed.
# - reporter-written text (where found, description, contact address): sealed, deleted
RETENTION_REPORTER_TEXT_DAYS = envint("RETENTION_REPORTER_TEXT_DAYS", 90)
# - receipt digests: the status page then answers as for an unknown code
RETENTION_RECEIPT_DAYS = envint("RETENTION_RECEIPT_DAYS", 365)
# - reports anonymised: the addresses as typed replaced by their canonical form, and whatever
#   of the above is left; portal, date, language and content kind stay for the figures
RETENTION_REPORT_DAYS = envint("RETENTION_REPORT_DAYS", 365)
# - hashes of captured items of cases closed as not illegal or not in remit
RETENTION_BENIGN_HASHES_DAYS = envint("RETENTION_BENIGN_HASHES_DAYS", 30)
# - background-task rows (django-tasks-db) after they finished; failed ones are kept longer,
#   for the diagnosis and for the recovery sweep's count of failed attempts
RETENTION_TASK_DAYS = envint("RETENTION_TASK_DAYS", 7)
RETENTION_FAILED_TASK_DAYS = envint("RETENTION_FAILED_TASK_DAYS", 30)
# Rows changed per statement: short transactions, so reports keep arriving during a run.
RETENTION_BATCH = envint("RETENTION_BATCH", 5000)
for _name in ("RETENTION_REPORTER_TEXT_DAYS", "RETENTION_RECEIPT_DAYS", "RETENTION_REPORT_DAYS",
              "RETENTION_BENIGN_HASHES_DAYS", "RETENTION_TASK_DAYS",
              "RETENTION_FAILED_TASK_DAYS", "RETENTION_BATCH"):
    if globals()[_name] < (1 if _name == "RETENTION_BATCH" else 0):
        raise ImproperlyConfigured(f"{_name} must not be negative (or 0 for a batch)")

# Logging: no mail_admins handler (its reports carry request headers); the public middleware
# also removes client details before any view or logger sees the request, and every line loses
# one-time set-up links (hotline/lib/logredact.py). Third-party libraries log at WARNING only:
# at INFO, httpx and httpcore write every address a capture or re-check fetches (reported URLs,
# RDAP queries) into the log.
QUIET_LIBRARIES = ["httpx", "httpcore", "urllib3", "h11", "h2", "hpack", "asyncio", "filelock",
                   "tldextract", "PIL", "webauthn", "xarf", "faiss", "maxminddb", "dns"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact": {"()": "hotline.lib.logredact.RedactSecrets"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain",
                             "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        **{name: {"level": "WARNING"} for name in QUIET_LIBRARIES},
    },
}
