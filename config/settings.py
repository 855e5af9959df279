"""One settings module, driven by the environment.

With no environment at all the app runs embedded: SQLite in the project folder, Celery tasks
executed eagerly in the web process, e-mail printed on the console. Setting DATABASE_URL and
REDIS_URL switches to PostgreSQL and a real Celery broker; nothing else changes.
"""

from email.utils import parseaddr
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF

from config.observability import init_sentry, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env")  # optional; real deployments set the environment directly

DEBUG = env.bool("DEBUG", default=False)
# Without SECRET_KEY and with DEBUG off, no server starts: gunicorn, runserver (config/wsgi.py,
# config/asgi.py), the Celery worker and beat (config/celery.py) stop with a message saying what to
# set (config/secret_key.py). Tools that serve no one (migrate, collectstatic, the tests) run with
# the public placeholder below, which signs nothing a user ever holds.
SECRET_KEY_MISSING = not env.str("SECRET_KEY", default="") and not DEBUG
SECRET_KEY = env.str("SECRET_KEY", default="") or "insecure-dev-key-change-me-in-production"
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "modeltranslation",  # before the admin, as it asks: framework text per language
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",  # its widget templates, which templates/django/forms/ overrides (dir="auto")
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc as static files: /api/docs/, /api/redoc/
    "simple_history",
    "axes",
    "csp",
    "django_guid",  # the request id (core/observability.py)
    "core",
    "scorecard",
    "reports",
    "dashboards",
    "parity",
    "commitments",
    "hub",
]

MIDDLEWARE = [
    # First: one log line per request, timed around everything below; then its id (X-Request-ID).
    "core.observability.RequestLogMiddleware",
    "django_guid.middleware.guid_middleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check, which reads the body: a body larger than its view takes is refused
    # (413) unread.
    "core.middleware.BodySizeLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it answers locked-out logins.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses logins after too many failures (throttling by user and IP).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_VERBOSE = False
# The lock-out answer (429) is a page in the site's layout saying for how long, not axes' bare text.
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_WHITELIST_CALLABLE = "core.oidc.is_sso_callback"  # the provider throttles single sign-on

# Single sign-on with OpenID Connect (core/oidc.py, mozilla-django-oidc): on when the issuer, the
# client id and its secret are all set. The endpoints are read from the issuer's
# /.well-known/openid-configuration at the first sign-in, not here, so a provider that is down
# stops nobody from starting the site. Register <SITE_URL>/oidc/callback/ at the provider.
OIDC_ISSUER_URL = env.str("OIDC_ISSUER_URL", default="")
OIDC_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="")  # on the button; empty: generic
OIDC_SCOPES = env.str("OIDC_SCOPES", default="openid email profile")
# Only for a provider that sends nothing but verified addresses and omits email_verified
# (Microsoft Entra ID); otherwise an address the provider does not vouch for is refused.
OIDC_TRUST_EMAIL = env.bool("OIDC_TRUST_EMAIL", default=False)
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)  # seconds for each call to the provider
if OIDC_ISSUER_URL and OIDC_CLIENT_ID and OIDC_CLIENT_SECRET:
    AUTHENTICATION_BACKENDS.append("core.oidc.OIDCBackend")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections (a new PostgreSQL connection costs more than most pages' queries),
# checked before reuse so a restarted database costs one failed ping, not one failed request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Accounts (docs/accounts.md): an invitation link works this many days; the password reset form
# answers 429 after this many requests in an hour for one e-mail address, or from one client IP.
INVITATION_DAYS = env.int("INVITATION_DAYS", default=7)
PASSWORD_RESET_EMAIL_LIMIT = env.int("PASSWORD_RESET_EMAIL_LIMIT", default=5)
PASSWORD_RESET_IP_LIMIT = env.int("PASSWORD_RESET_IP_LIMIT", default=20)

# The six official UN languages, each named in itself (the switcher shows them so). A visitor's
# choice is kept in a cookie, a user's on their profile (core.middleware.LocaleMiddleware).
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("ar", "العربية"),
    ("zh-hans", "中文"),
    ("en", "English"),
    ("fr", "Français"),
    ("ru", "Русский"),
    ("es", "Español"),
]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
# Widgets render through the template engine, so templates/django/forms/widgets/ can give every
# text input and textarea dir="auto".
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
# The framework's text (dimension and PI titles, statements, criteria, level texts) has a column
# per language (scorecard/translation.py); a text missing in a language shows the English one.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media-not-served/"  # evidence is served only through permission-checked views
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}

# --- STORAGE: evidence files and PDF reports ------------------------------------------------
# Local disk (MEDIA_ROOT) unless AWS_STORAGE_BUCKET_NAME names an S3-compatible bucket
# (django-storages + boto3): web and worker then share nothing but the bucket and the database.
# Objects stay private (no ACL: the bucket's own); a download passes the permission gate, then
# the browser is sent to a presigned URL valid for AWS_QUERYSTRING_EXPIRE seconds (core/storage.py).
# Never overwritten: evidence with a name already taken gets a suffix, and a report is written
# once under the SHA-256 of its bytes (reports/storage.py). Static files stay with whitenoise.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    from botocore.config import Config as _S3Config

    AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="") or None  # None: AWS itself
    AWS_ACCESS_KEY_ID = env.str("AWS_ACCESS_KEY_ID", default="") or None
    AWS_SECRET_ACCESS_KEY = env.str("AWS_SECRET_ACCESS_KEY", default="") or None
    AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="") or None
    # "path" (host/bucket/key) works with SeaweedFS, MinIO and AWS alike; "virtual" for buckets
    # reached as bucket.host.
    AWS_S3_ADDRESSING_STYLE = env.str("AWS_S3_ADDRESSING_STYLE", default="path")
    AWS_S3_SIGNATURE_VERSION = "s3v4"
    AWS_DEFAULT_ACL = None
    AWS_S3_FILE_OVERWRITE = False
    AWS_QUERYSTRING_AUTH = True
    AWS_QUERYSTRING_EXPIRE = env.int("AWS_QUERYSTRING_EXPIRE", default=300)
    # A bucket that is down answers within seconds (a 503 page, a retried report), not minutes.
    AWS_S3_CLIENT_CONFIG = _S3Config(
        s3={"addressing_style": AWS_S3_ADDRESSING_STYLE},
        signature_version=AWS_S3_SIGNATURE_VERSION,
        connect_timeout=env.float("AWS_S3_CONNECT_TIMEOUT", default=3),
        read_timeout=env.float("AWS_S3_READ_TIMEOUT", default=20),
        retries={"mode": "standard", "max_attempts": 3},
    )
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
# --- end of STORAGE -----------------------------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Evidence uploads: a size cap and the types users need. The type is checked on the content.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=20 * 1024 * 1024)
# Request bodies: every view takes at most MAX_BODY_BYTES unless it says otherwise (upload views:
# their file's cap and the form around it), refused with 413 before a byte is read
# (core/bodies.py). A form's fields are read into memory up to the same size; an uploaded file
# over FILE_UPLOAD_MAX_MEMORY_SIZE is streamed to a temporary file instead of memory.
MAX_BODY_BYTES = env.int("MAX_BODY_BYTES", default=5 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_BODY_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Celery: a real broker when REDIS_URL is set, else tasks run eagerly in-process.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# Periodic jobs (celery beat): remind Generation Equality commitment makers whose progress report
# for last year is missing, on the first of each month (a maker is reminded once per year).
CELERY_BEAT_SCHEDULE = {
    "remind-missing-commitment-reports": {
        "task": "commitments.tasks.remind_missing_reports",
        "schedule": crontab(day_of_month="1", hour="6", minute="0"),
    },
    # Report requests the broker missed (it was down) are sent again.
    "dispatch-queued-reports": {
        "task": "reports.tasks.dispatch_queued_reports",
        "schedule": 60.0,
    },
    # /health/ says the worker is down when none ran this for HEALTH_WORKER_MAX_AGE seconds; one
    # not run within the minute is dropped, not queued up behind a stopped worker.
    "worker-heartbeat": {
        "task": "core.tasks.heartbeat",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}
# Redis redelivers unacknowledged messages after this; above the report task's 120 s hard limit.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600}
CELERY_WORKER_MAX_TASKS_PER_CHILD = 50
CELERY_WORKER_MAX_MEMORY_PER_CHILD = 400_000  # KB
REPORT_LEASE_SECONDS = env.int("REPORT_LEASE_SECONDS", default=150)
REPORT_REDISPATCH_SECONDS = env.int("REPORT_REDISPATCH_SECONDS", default=10)

# The cache (throttling counts, the worker's heartbeat) is Redis when REDIS_URL is set, through
# django-redis, which lets a page go on when Redis is away: a read finds nothing, a write is
# dropped and logged (IGNORE_EXCEPTIONS), each after at most REDIS_TIMEOUT seconds; /health/ names
# the cache as failed meanwhile. Django's own Redis backend raises, and every page answered 500.
REDIS_TIMEOUT = env.float("REDIS_TIMEOUT", default=0.5)
CACHES = {
    "default": (
        {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": REDIS_TIMEOUT,
                "SOCKET_TIMEOUT": REDIS_TIMEOUT,
            },
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True  # a log line per dropped call while Redis is away

# Sessions live in the database only. Read through a cache that may be away (cached_db), a session
# ended while Redis was down (a log-out, a password change) would come back from the cache's stale
# copy once Redis returned; one primary-key read per page is the price.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Mail: one URL names the server (smtp://, smtp+tls:// for STARTTLS, smtp+ssl:// for implicit TLS,
# user and password percent-encoded), e.g. smtp+tls://user:pass@mail.example.org:587. Unset, mail
# is printed on the console (the test runner swaps in its in-memory outbox). EMAIL_BACKEND, when
# set, still wins, as before EMAIL_URL existed. Notifications are sent by a Celery task after the
# commit and retried when the server is down (core/tasks.py).
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="") or _email["EMAIL_BACKEND"]
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS", False))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL", False))
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
# Without a port in the URL, the usual one for the scheme: 465 (TLS), 587 (STARTTLS), else 25.
EMAIL_PORT = _email["EMAIL_PORT"] or (465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25)
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
# Seconds before a silent server counts as down (the task then retries); Django waits forever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="unct-swap@localhost")
# Error reports to ADMINS (Django's, e.g. a server error) come from SERVER_EMAIL.
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# "Name <addr>" or plain addresses, comma-separated; Django 5.2 wants (name, address) pairs.
ADMINS = [
    (name or address, address)
    for name, address in map(parseaddr, env.list("ADMINS", default=[]))
    if address
]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes anonymous API calls a clean 401.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Logged-in users only; what each may see or change is decided by the per-object gates.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # drf-spectacular's, plus the error responses every operation can give.
    "DEFAULT_SCHEMA_CLASS": "core.api.AutoSchema",
    # Every error is JSON with a readable `detail` (field errors beside it); see core/api.py.
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # Requests per client IP when anonymous, per user when logged in (session or token), counted
    # in the cache (Redis in production, shared by every process): past the rate, a 429 with
    # Retry-After. The rates are read at each request (core/throttle.py), from the settings below.
    "DEFAULT_THROTTLE_CLASSES": [
        "core.throttle.AnonRateThrottle",
        "core.throttle.UserRateThrottle",
    ],
    # The client IP anonymous calls are counted by: REMOTE_ADDR (0), or the address that many
    # proxies of ours (nginx, a load balancer) put in X-Forwarded-For; never the client's own.
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=0),
}
# "<number>/<s|min|hour|day>"; empty for no limit.
API_THROTTLE_ANON = env.str("API_THROTTLE_ANON", default="60/min") or None
API_THROTTLE_USER = env.str("API_THROTTLE_USER", default="1000/min") or None
SPECTACULAR_SETTINGS = {
    "TITLE": "UNCT-SWAP Scorecard API",
    "DESCRIPTION": "Country teams, assessments, PI ratings, evidence, action points, comments and "
    "the review workflow. The same permission rules as the web pages.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI (/api/docs/) and Redoc (/api/redoc/) from our own static files
    # (drf-spectacular-sidecar): nothing from a CDN, within the Content-Security-Policy.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No deep links in Swagger UI: they put a link inside each operation's toggle button, a
    # control inside a control that screen readers cannot reach (axe: nested-interactive).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "AssessmentStatusEnum": "scorecard.models.Assessment.Status",
        "ActionPointStatusEnum": "scorecard.models.ActionPoint.Status",
        "RatingEnum": "scorecard.models.Rating",
    },
}

# Production hardening: all switched on by environment, nothing exists only in production.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (nginx, a load balancer).
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Content-Security-Policy: our own scripts and styles only, nothing inline, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# Evidence downloads: Django streams the file (default), or hands it to the web server after the
# permission check: "nginx" sends X-Accel-Redirect to EVIDENCE_ACCEL_PREFIX + file name (an
# internal location aliased to MEDIA_ROOT), "sendfile" sends X-Sendfile with the full path.
EVIDENCE_DOWNLOAD_BACKEND = env.str("EVIDENCE_DOWNLOAD_BACKEND", default="django")
EVIDENCE_ACCEL_PREFIX = env.str("EVIDENCE_ACCEL_PREFIX", default="/protected-media/")

# --- OPERATIONS: logs, request ids, error reports, health ----------------------------------
# Logs go to standard error, one JSON object a line (LOG_FORMAT=json, the default unless DEBUG)
# or plain text (LOG_FORMAT=text); one line per request and per task (core/observability.py).
LOGGING = logging_config(
    level=env.str("LOG_LEVEL", default="INFO"),
    fmt=env.str("LOG_FORMAT", default="text" if DEBUG else "json"),
)
# django-guid: the client's X-Request-ID when it is a UUID (nginx's $request_id, a load
# balancer's), else a new uuid4; sent back in the response's X-Request-ID, on every log line.
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,
    "UUID_FORMAT": "string",
    "EXPOSE_HEADER": False,  # no CORS here: nothing for other origins' scripts
}
# Errors of requests and tasks to Sentry when SENTRY_DSN is set (no personal data, no bodies).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
init_sentry(
    SENTRY_DSN,
    environment=env.str("SENTRY_ENVIRONMENT", default="production"),
    traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
)
# /health/ (core/health.py) reports the worker down when no worker ran the heartbeat task
# (every minute, CELERY_BEAT_SCHEDULE) for this many seconds.
HEALTH_WORKER_MAX_AGE = env.int("HEALTH_WORKER_MAX_AGE", default=300)
# Probes (Docker, load balancers) speak plain HTTP to the container: no redirect to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^healthz$"]
# --- end of OPERATIONS --------------------------------------------------------------------
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
