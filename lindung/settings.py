"""Django settings for Lindung, read from the environment.

Environment variables (all optional on the embedded default):

- ``DATABASE_URL``    database; default ``sqlite:///<LINDUNG_DATA_DIR>/lindung.sqlite3``
- ``SECRET_KEY``      required unless ``DEBUG`` is on (or the test suite runs)
- ``DEBUG``           ``1``/``true`` turns debug mode on; off by default
- ``ALLOWED_HOSTS``   comma-separated; default ``localhost,127.0.0.1`` (with DEBUG) else empty
- ``LINDUNG_DATA_DIR`` uploads, generated files, the SQLite database; default ``./var``
- ``LINDUNG_SECURE_SSL_REDIRECT`` ``0`` to turn off HTTPS redirects behind a TLS-terminating proxy
  that does not set ``X-Forwarded-Proto``; default on in production
- ``LINDUNG_TASKS_BACKEND`` ``immediate`` (default: background work runs inline) or ``database``
  (jobs are queued in the database and run by ``lindung worker``; ``lindung run`` starts one beside
  the development server)
- ``LINDUNG_JOB_HEARTBEAT_SECONDS`` (10) and ``LINDUNG_JOB_LEASE_SECONDS`` (120): a running job's
  heartbeat, and how long it may stay silent before it is taken for abandoned and marked failed
- ``LINDUNG_APPROVAL_LEVELS`` JSON ``{"<workflow step key>": [[min_amount, approvers], ...]}``:
  approval levels by amount (``lindung.core.workflow.ApprovalLevels``); replaces the defaults below
- ``LINDUNG_PAYOUT_DEBTOR`` JSON ``{"name", "account", "bic", "bank_code", "initiating_party"}``: the
  account benefits are paid from (the debtor of pain.001 files)
- ``LINDUNG_BANK_FILE_FORMATS`` JSON ``{"<format>": {"columns": [...], "answer": {...}}}``: bank
  bulk-transfer CSV formats, merged over the built-in ones (``lindung/payouts/bankfiles.py``)
- ``LINDUNG_SCHOOL_YEAR_START_MONTH`` month a school year starts for yearly scholarships (default 7)
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


TESTING = "pytest" in sys.modules
DEBUG = env_bool("DEBUG", False)

DATA_DIR = Path(os.environ.get("LINDUNG_DATA_DIR") or (Path.cwd() / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-only-for-debug-and-tests-do-not-use-in-production"
    elif os.environ.get("LINDUNG_EPHEMERAL_SECRET") == "1":
        # set by lindung/cli.py for commands that sign nothing (calc, rules, i18n, help)
        import secrets

        SECRET_KEY = secrets.token_urlsafe(50)
    else:
        raise ImproperlyConfigured("SECRET_KEY is not set. Set the SECRET_KEY environment variable (or DEBUG=1 for a local development server).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if (DEBUG or TESTING) else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_htmx",
    "ninja",  # serves the API docs' Swagger UI from the package's own static files, not a CDN
    "django_tasks",
    "django_tasks_db",
    "lindung.core",
    "lindung.accounts",
    "lindung.registry",
    "lindung.membership",
    "lindung.contributions",
    "lindung.claims",
    "lindung.payouts",
    "lindung.reports",
    "lindung.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lindung.core.middleware.LanguageMiddleware",
    "lindung.core.files.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "lindung.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "lindung.core.middleware.SecurityHeadersMiddleware",
    # Keep django-axes last: it inspects the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lindung.urls"
WSGI_APPLICATION = "lindung.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "lindung.accounts.context_processors.roles",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DEFAULT_SQLITE = f"sqlite:///{DATA_DIR / 'lindung.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL") or DEFAULT_SQLITE, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets readers (the web app) work while a writer (an import) runs.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
            "transaction_mode": "IMMEDIATE",
        }
    )
    DATABASES["default"].setdefault("TEST", {})
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Authentication -------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Fast hashing for the suite; production keeps Django's default (PBKDF2).
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling (django-axes, lindung.accounts.lockout): for 15 minutes a lock falls on one
# username from one address after 5 failures, on one address after 20 failures over any usernames,
# on one username after 10 failures from any addresses. The lock-out page says so.
AXES_FAILURE_LIMIT = int(os.environ.get("LINDUNG_LOGIN_FAILURE_LIMIT", "5"))
LINDUNG_LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LINDUNG_LOGIN_ADDRESS_FAILURE_LIMIT", "20"))
LINDUNG_LOGIN_USERNAME_FAILURE_LIMIT = int(os.environ.get("LINDUNG_LOGIN_USERNAME_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = float(os.environ.get("LINDUNG_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address", "username"]
AXES_HANDLER = "lindung.accounts.lockout.LockoutHandler"
# The client address is REMOTE_ADDR. Behind N reverse proxies that set X-Forwarded-For, set
# LINDUNG_TRUSTED_PROXY_COUNT=N, or every user shares the proxy's address (and its lock).
_TRUSTED_PROXIES = int(os.environ.get("LINDUNG_TRUSTED_PROXY_COUNT", "0"))
if _TRUSTED_PROXIES:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    AXES_IPWARE_PROXY_COUNT = _TRUSTED_PROXIES
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
# One display form per language for dates, months and numbers (lindung/formats/<lang>/formats.py).
FORMAT_MODULE_PATH = ["lindung.formats"]
LANGUAGE_COOKIE_NAME = "lindung_language"
LANGUAGE_COOKIE_SECURE = not DEBUG and not TESTING
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and media files -----------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if (DEBUG or TESTING)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploads above 5 MB are streamed to a temporary file, never held in memory; a request body larger
# than the largest upload limit is refused before it is read (lindung.core.files.middleware), and
# each file against its kind's limit (LINDUNG_UPLOAD_LIMITS, bytes per kind; docs/files.md).
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
LINDUNG_UPLOAD_LIMITS: dict[str, int] = {}
if os.environ.get("LINDUNG_UPLOAD_LIMITS"):
    try:
        LINDUNG_UPLOAD_LIMITS = {str(k): int(v) for k, v in json.loads(os.environ["LINDUNG_UPLOAD_LIMITS"]).items()}
    except (ValueError, AttributeError) as exc:
        raise ImproperlyConfigured(f"LINDUNG_UPLOAD_LIMITS must be a JSON object of bytes per file kind: {exc}") from None

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG and not TESTING:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("LINDUNG_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("LINDUNG_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("LINDUNG_HSTS_PRELOAD", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Background work ------------------------------------------------------------------------
_TASKS_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
_tasks_backend = os.environ.get("LINDUNG_TASKS_BACKEND", "immediate")
if _tasks_backend not in _TASKS_BACKENDS:
    raise ImproperlyConfigured(f"LINDUNG_TASKS_BACKEND must be one of {sorted(_TASKS_BACKENDS)}, not {_tasks_backend!r}")
TASKS = {"default": {"BACKEND": _TASKS_BACKENDS[_tasks_backend]}}
# A running job beats every LINDUNG_JOB_HEARTBEAT_SECONDS; one silent for LINDUNG_JOB_LEASE_SECONDS
# (or whose worker process is gone) is marked failed (lindung.core.jobs.reap_abandoned_jobs).
LINDUNG_JOB_HEARTBEAT_SECONDS = float(os.environ.get("LINDUNG_JOB_HEARTBEAT_SECONDS", "10"))
LINDUNG_JOB_LEASE_SECONDS = float(os.environ.get("LINDUNG_JOB_LEASE_SECONDS", "120"))

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"},
    },
    # The development server's request lines without their query strings (searches carry NIKs);
    # NIKs masked in every line, exception text included (handlers configured later, such as
    # gunicorn's, get the mask from CoreConfig.ready()).
    "filters": {
        "without_query_string": {"()": "lindung.core.log_filters.WithoutQueryString"},
        "mask_personal_data": {"()": "lindung.core.log_filters.MaskPersonalData"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_personal_data"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["without_query_string", "mask_personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LINDUNG_LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False, "filters": ["without_query_string"]},
    },
}

# --- Lindung --------------------------------------------------------------------------------
# How long an idempotency key (web form or API Idempotency-Key) is remembered; then it counts as new.
LINDUNG_IDEMPOTENCY_TTL_HOURS = float(os.environ.get("LINDUNG_IDEMPOTENCY_TTL_HOURS", "24"))
LINDUNG_API_PAGE_SIZE = 50
LINDUNG_API_MAX_PAGE_SIZE = 500
LINDUNG_DEMO_PASSWORD = os.environ.get("LINDUNG_DEMO_PASSWORD", "lindung-demo-2024")

# Approval levels by amount (lindung.core.workflow.ApprovalLevels): per workflow step key, pairs of
# [minimum amount in rupiah, number of different approvers from that amount up]. A step key that
# is not listed needs one approver. Contexts add their defaults here; the environment variable
# replaces the whole table.
LINDUNG_APPROVAL_LEVELS: dict[str, list[list[int]]] = {}
if os.environ.get("LINDUNG_APPROVAL_LEVELS"):
    try:
        LINDUNG_APPROVAL_LEVELS = json.loads(os.environ["LINDUNG_APPROVAL_LEVELS"])
    except ValueError as exc:
        raise ImproperlyConfigured(f"LINDUNG_APPROVAL_LEVELS is not valid JSON: {exc}") from None
# A bulk decision lists the ids of its batch up to this many (beyond, its filter describes it).
LINDUNG_DECISION_BATCH_IDS = 10_000


# Payouts: the account benefits are paid from (pain.001 debtor), the bank file formats (merged over
# the built-in ones in lindung/payouts/bankfiles.py) and the month a school year starts.
def _json_env(name: str, default):
    if not os.environ.get(name):
        return default
    try:
        return json.loads(os.environ[name])
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not valid JSON: {exc}") from None


LINDUNG_PAYOUT_DEBTOR = _json_env(
    "LINDUNG_PAYOUT_DEBTOR",
    {"name": "BPJS Ketenagakerjaan", "account": "0000000000", "bic": "BNINIDJA", "bank_code": "009", "initiating_party": "BPJS Ketenagakerjaan"},
)
LINDUNG_BANK_FILE_FORMATS = _json_env("LINDUNG_BANK_FILE_FORMATS", {})
LINDUNG_SCHOOL_YEAR_START_MONTH = int(os.environ.get("LINDUNG_SCHOOL_YEAR_START_MONTH", "7"))
