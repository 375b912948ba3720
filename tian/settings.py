"""TiAn settings: one module, driven by environment variables read through ``tian.env``.

Nothing here writes files. SQLite is the default database so that a fresh clone runs with no set-up;
``DATABASE_URL=postgres://…`` switches to PostgreSQL (psycopg 3).
"""

import ipaddress
import os
import re
import shutil
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from tian.env import envbool, envint, envlist, envstr, parse_cache_url, parse_database_url

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = envbool("DEBUG", False)

SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off TiAn refuses to start without one: set SECRET_KEY "
            "(or SECRET_KEY_FILE) to a long random string, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    # Development only (DEBUG=1): a fixed, clearly unsafe key so that sessions survive autoreload.
    SECRET_KEY = "django-insecure-tian-development-only-never-use-in-production"  # noqa: S105
elif not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-")):
    # Django's own rule for a strong key (check --deploy, security.W009), enforced rather than warned about.
    raise ImproperlyConfigured(
        f"SECRET_KEY (or the file SECRET_KEY_FILE names) is too weak: {len(SECRET_KEY)} characters, "
        f"{len(set(SECRET_KEY))} different. With DEBUG off TiAn needs at least 50 characters, at least 5 of them "
        "different, not starting with 'django-insecure-': e.g. the output of "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "tian.core",  # before django_tasks_db: its ``db_worker`` takes this installation's queue (TASK_QUEUE)
    "django_tasks_db",
    "tian.accounts",
    "tian.organisations",
    "tian.proposals",
    "tian.handling",
    "tian.supervision",
    "tian.notifications",
    "tian.deadlines",
    "tian.search",
    "tian.suggest",
    "tian.portal",
    "tian.importers",
    "tian.stats",
    "tian.documents",
    "tian.api",
    "tian.audit",
    "tian.dashboard",
    "tian.demo",
    "ninja",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tian.api.middleware.ApiErrorsMiddleware",  # every error under /api/ in the API's JSON shape
    "tian.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tian.core.request_limits.RequestLimitsMiddleware",  # before anything reads the cookies or the body
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tian.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tian.accounts.middleware.IdleTimeoutMiddleware",
    "tian.accounts.middleware.ExpiredFormMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tian.accounts.middleware.SessionLifetimeMiddleware",  # after the messages: it says why it signed out
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tian.audit.log.AuditAddressMiddleware",
    "tian.accounts.middleware.TwoFactorMiddleware",
    "tian.accounts.middleware.PasswordChangeRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tian.urls"
WSGI_APPLICATION = "tian.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tian" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tian.dashboard.context_processors.navigation",
                "tian.notifications.context_processors.unread",
            ],
            "builtins": ["tian.proposals.templatetags.proposal_tags"],
        },
    },
]

DATABASE_URL = envstr("DATABASE_URL", "")
if DATABASE_URL:
    _database = parse_database_url(DATABASE_URL)
else:
    _database = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(BASE_DIR / "tian.sqlite3")}
if _database["ENGINE"].endswith("sqlite3"):
    # WAL lets readers proceed while one writer commits; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue instead of failing half-way with "database is locked".
    _database["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
    # Tests use a file in shared memory, not ":memory:": an in-memory database is one connection that Django
    # shares between the test and every thread of the live server, and two threads using it at once corrupt its
    # transaction state (a browser's favicon request beside a page's POST was enough). A file gives each
    # thread its own connection, as PostgreSQL does. In memory-backed /dev/shm where it has room (a container's is
    # often 64 MB), else in the temporary folder.
    _shm = Path("/dev/shm")  # noqa: S108 - the tests' throwaway database, named by process
    _test_dir = _shm if _shm.is_dir() and shutil.disk_usage(_shm).free > 2**30 else Path(tempfile.gettempdir())
    _database.setdefault("TEST", {"NAME": str(_test_dir / f"tian-test-{os.getpid()}.sqlite3")})
else:
    _database.setdefault("CONN_MAX_AGE", envint("DB_CONN_MAX_AGE", 60, minimum=0))
    _database.setdefault("CONN_HEALTH_CHECKS", True)
    # No JIT compilation: TiAn's queries are short, and PostgreSQL's cost estimates grow with the tables until
    # it spends ~150 ms compiling a query that runs in 2 ms (the unit inbox at 100,000 proposals).
    _database.setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    # Prepared statements (off unless DB_PREPARED_STATEMENTS=1): PostgreSQL would plan a query once per connection
    # instead of on every request (planning took 0.6-1.1 ms where running took 0.07 ms), through psycopg's
    # ``prepare_threshold``, which needs server-side parameter binding. That binding limits a statement to 65,535
    # parameters, and Django's bulk deletes of more rows (rebuilding the search index of 100,000 proposals) fail
    # with it; so it stays off until every such statement is batched.
    if envbool("DB_PREPARED_STATEMENTS", False):
        _database["OPTIONS"].setdefault("server_side_binding", True)
        _database["OPTIONS"].setdefault("prepare_threshold", envint("DB_PREPARE_THRESHOLD", 5, minimum=0))
DATABASES = {"default": _database}

# One cache, Django's, shared by the web and worker processes: Redis where several processes or machines serve
# the committee (CACHE_URL=redis://127.0.0.1:6379/0), else files in var/cache (the embedded default, no service).
CACHES = {"default": parse_cache_url(envstr("CACHE_URL") or f"file://{BASE_DIR / 'var' / 'cache'}")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": envint("PASSWORD_MIN_LENGTH", 8, minimum=8)}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "tian.accounts.validators.ComplexityValidator"},
    {"NAME": "tian.accounts.validators.NotRecentlyUsedValidator"},
]
PASSWORD_HISTORY_COUNT = envint("PASSWORD_HISTORY_COUNT", 5, minimum=1)
PASSWORD_MAX_AGE_DAYS = envint("PASSWORD_MAX_AGE_DAYS", 180, minimum=0)  # 0: passwords never expire

# The reverse proxies (addresses or networks, e.g. 127.0.0.1,10.0.0.0/8) whose X-Forwarded-For is believed: the
# client's address for the audit log, the sign-in lockout and the throttles (tian/audit/log.client_address).
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES", [])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _e:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an address or network ({_e})") from _e

# Sign-in lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one account, sign-in to that
# account is refused for AXES_COOLOFF_MINUTES; staff can unlock it at once. Never by address alone: an office
# shares one address, and one person's typos must not lock out their colleagues. A storm of wrong passwords
# from one address is slowed down instead (SIGNIN_FAILURES_PER_ADDRESS a minute, then 429 for the rest of it).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "tian.accounts.backends.UserBackend"]
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5, minimum=3)
AXES_COOLOFF_TIME = __import__("datetime").timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username"], ["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "tian.audit.log.client_address"
SIGNIN_FAILURES_PER_ADDRESS = envint("SIGNIN_FAILURES_PER_ADDRESS", 30, minimum=5)
# Word and PDF documents are made while the request waits (a session's compilation for seconds): one account may
# ask for this many a clock minute, then is asked to wait for the rest of it (429; tian.documents.views).
DOCUMENTS_PER_MINUTE = envint("DOCUMENTS_PER_MINUTE", 30, minimum=5)
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Two-factor sign-in (TOTP app + recovery codes, tian/accounts/twofactor.py): required for these roles,
# optional for the others. An empty TWO_FACTOR_REQUIRED_ROLES makes it optional for everyone.
TWO_FACTOR_REQUIRED_ROLES = envlist("TWO_FACTOR_REQUIRED_ROLES", ["staff", "supervisor", "admin"])
OTP_TOTP_ISSUER = envstr("OTP_TOTP_ISSUER", "TiAn")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "tian" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "tian" / "static"]
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Uploads: attachments are capped; larger bodies are refused before they reach a view.
ATTACHMENT_MAX_BYTES = envint("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
# And per proposal: how many, and all of them together (a script could otherwise fill the disk one file at a time).
ATTACHMENTS_PER_PROPOSAL = envint("ATTACHMENTS_PER_PROPOSAL", 20, minimum=1)
ATTACHMENTS_TOTAL_BYTES = envint("ATTACHMENTS_TOTAL_BYTES", 100 * 1024 * 1024, minimum=ATTACHMENT_MAX_BYTES)
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024, minimum=1024)
# A request with files (multipart) larger than this is refused from its Content-Length before its body is read
# (tian/core/request_limits.py); any other body above DATA_UPLOAD_MAX_MEMORY_SIZE likewise.
UPLOAD_MAX_BYTES = envint("UPLOAD_MAX_BYTES", ATTACHMENT_MAX_BYTES + 1024 * 1024, minimum=ATTACHMENT_MAX_BYTES)

# Mail and SMS. SMS goes through a pluggable backend; the default only writes to the log.
EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on.")
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "tian@localhost")
NOTIFY_BY_EMAIL = envbool("NOTIFY_BY_EMAIL", True)
NOTIFY_BY_SMS = envbool("NOTIFY_BY_SMS", True)
# The committee this installation serves, where the database holds several (docs/operations.md, "Several committees
# in one database"); unset: the first (organisations.selectors.current_committee).
TIAN_COMMITTEE_ID = envint("TIAN_COMMITTEE_ID", 0, minimum=0) or None
SITE_URL = envstr("SITE_URL", "").rstrip("/")  # e.g. https://tian.example.gov.cn, for links in mail
SMS_BACKEND = envstr("SMS_BACKEND", "tian.core.sms.LoggingSMSBackend")
SMS_GATEWAY_URL = envstr("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = envstr("SMS_GATEWAY_TOKEN", "")

# Mail and SMS leave the request path: they are tasks run by `manage.py db_worker` (started by `make run`).
# Each installation queues its work under its own name and its worker takes only that queue (tian/core's
# ``db_worker``): where several installations share a database, a task runs with its own committee's settings (the
# address in a mail's links, the statistics it computes), never another installation's.
TASK_QUEUE = envstr("TASK_QUEUE", f"committee-{TIAN_COMMITTEE_ID}" if TIAN_COMMITTEE_ID else "default")
if not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", TASK_QUEUE):
    raise ImproperlyConfigured(f"TASK_QUEUE={TASK_QUEUE!r}: use 1 to 32 letters, digits, '-' or '_'")
TASKS = {"default": {"BACKEND": envstr("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"), "QUEUES": [TASK_QUEUE]}}

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"  # read from the cache, kept in the database
# Idle timeout: the session ends after this many seconds without a request (every request renews it).
SESSION_COOKIE_AGE = envint("SESSION_IDLE_TIMEOUT", 30 * 60, minimum=300)
# The longest a sign-in lasts, however busy (tian.accounts.middleware.SessionLifetimeMiddleware): a working day.
SESSION_ABSOLUTE_TIMEOUT = envint("SESSION_ABSOLUTE_TIMEOUT", 12 * 3600, minimum=3600)
# The session is renewed at most once a minute (tian.accounts.middleware.IdleTimeoutMiddleware), not written on
# every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_TOUCH_SECONDS = 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "tian.dashboard.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    # Production sits behind HTTPS; HTTPS_ONLY=0 is for an intranet box without TLS (not recommended).
    _https = envbool("HTTPS_ONLY", True)
    SESSION_COOKIE_SECURE = _https
    CSRF_COOKIE_SECURE = _https
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000 if _https else 0, minimum=0)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_PROXY", False) else None
    # Plain-HTTP requests are redirected to HTTPS. Behind a proxy that ends TLS, the proxy must say so
    # (BEHIND_PROXY=1 and X-Forwarded-Proto), or every request would be redirected again.
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", _https)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _https)
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Entering the browsers' preload list is the domain owner's decision, taken for the whole registrable
        # domain, not the application's: check --deploy's reminder of it (security.W021) is not a finding here.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Personal API tokens stop working this many days after they were made (shown on the token page).
API_TOKEN_DAYS = envint("API_TOKEN_DAYS", 180, minimum=1, maximum=3650)
# API throttling (requests per minute per token or address).
API_RATE_AUTHENTICATED = envstr("API_RATE_AUTHENTICATED", "600/m")
API_RATE_ANONYMOUS = envstr("API_RATE_ANONYMOUS", "60/m")
# make bench only: a bare view measuring the framework's own floor.
BENCH_FLOOR = envbool("BENCH_FLOOR", False)

AUDIT_RETENTION_DAYS = envint("AUDIT_RETENTION_DAYS", 365, minimum=183)  # at least six months

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
}
