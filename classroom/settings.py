"""Settings for Classroom, read from the environment (12-factor).

Every variable is listed in `.env.example`. The defaults run everything on one machine with no
server: a SQLite file and kombu's filesystem broker under `var/`. Set `DATABASE_URL` and
`CELERY_BROKER_URL` to run the same code on PostgreSQL and Redis.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from classroom.caches import cache_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # local state of the embedded default (database, broker queue files)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; the process environment wins

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example).")
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"  # noqa: S105 - DEBUG only
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "lti_tool",  # django-lti: LTI 1.3 registrations, deployments, keys, launches (on pylti1p3)
    "accounts",
    "bank",
    "classes",
    "quizzes",
    "grading",
    "lti",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the 429 of accounts.lockout
]

ROOT_URLCONF = "classroom.urls"
WSGI_APPLICATION = "classroom.wsgi.application"
ASGI_APPLICATION = "classroom.asgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'classroom.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    # The web server, the worker and beat share the file: wait for locks instead of failing,
    # and take the write lock at BEGIN so two writers never deadlock on upgrade.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Celery -------------------------------------------------------------------------------
# Default broker: kombu's filesystem transport, so a worker and beat run without Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
BROKER_FILESYSTEM_DIR = Path(env.str("BROKER_FILESYSTEM_DIR", default=str(VAR_DIR / "broker")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's filesystem transport needs its folders to exist in every process that uses it.
    for _folder in ("queue", "processed", "control"):
        (BROKER_FILESYSTEM_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_FILESYSTEM_DIR / "queue"),
        "data_folder_out": str(BROKER_FILESYSTEM_DIR / "queue"),
        "processed_folder": str(BROKER_FILESYSTEM_DIR / "processed"),
        "control_folder": str(BROKER_FILESYSTEM_DIR / "control"),  # else kombu writes ./control
        "store_processed": False,
    }
else:
    # With acks_late, a message a dead worker had taken is delivered again after this many seconds.
    # Keep it above the longest chunk (GRADING_CHUNK_SIZE answers take seconds, not minutes).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=900)}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = "default"
# `pregrade`: low priority, free-text answers scored ahead of the close (grading.services.pregrade).
CELERY_TASK_QUEUES = (Queue("grading"), Queue("default"), Queue("pregrade"))
# Exact names win over patterns: the windows' tick and the lease sweeper must not wait behind
# grading chunks.
CELERY_TASK_ROUTES = {
    "grading.tasks.close_due_work": {"queue": "default"},
    "grading.tasks.reclaim_chunks": {"queue": "default"},
    "grading.tasks.pregrade_stable_answers": {"queue": "pregrade"},
    "grading.tasks.*": {"queue": "grading"},
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# How long the web request waits for the broker before giving up on an enqueue (the sweeper
# finds what was not enqueued); keeps a student's submit fast when the broker is down.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
# The most a request waits for the broker to take a message (`common.queueing`): a submit stays
# fast when the broker is down or frozen; what was not taken, the sweeper sends again.
ENQUEUE_TIMEOUT = env.float("ENQUEUE_TIMEOUT", default=0.5)
CELERY_WORKER_CONCURRENCY = env.int("CELERY_WORKER_CONCURRENCY", default=None)
# The beat's closing tick (auto-submit overdue attempts, start the batch jobs of closed windows):
# every minute on the minute when 0, else every this many seconds (classroom/celery.py).
CLOSE_TICK_SECONDS = env.float("CLOSE_TICK_SECONDS", default=0)

# --- Grading ------------------------------------------------------------------------------
GRADING_CHUNK_SIZE = env.int("GRADING_CHUNK_SIZE", default=200)
# Pool processes grading at once, over every worker (0 = this machine's cores): the per-attempt
# path's micro-batches shrink to a share of what is waiting, so the last answers of an exam are
# split across them instead of one process grading 200 while the others idle.
GRADING_PARALLELISM = env.int("GRADING_PARALLELISM", default=0)
# A running chunk's lease (seconds): its worker renews it while it scores; once it expires (the
# worker died or froze) the lease sweeper, run by beat every GRADING_LEASE_SWEEP_SECONDS, hands
# the chunk to another worker. A dead worker's chunks are taken over within the sum of the two.
GRADING_LEASE_SECONDS = env.float("GRADING_LEASE_SECONDS", default=20.0)
GRADING_LEASE_SWEEP_SECONDS = env.float("GRADING_LEASE_SWEEP_SECONDS", default=10.0)
# Pre-grading during the window (grading.services.pregrade): every GRADING_PREGRADE_EVERY seconds,
# up to GRADING_PREGRADE_BATCH free-text answers not changed for GRADING_PREGRADE_AFTER seconds are
# scored into the score cache (never a grade). GRADING_PREGRADE_BATCH=0 turns it off.
GRADING_PREGRADE_AFTER = env.float("GRADING_PREGRADE_AFTER", default=60.0)
GRADING_PREGRADE_EVERY = env.float("GRADING_PREGRADE_EVERY", default=15.0)
GRADING_PREGRADE_BATCH = env.int("GRADING_PREGRADE_BATCH", default=32)
# Score-cache entries older than this many days are deleted by beat once a day (a response asked
# for again is scored again); 0 keeps them for ever.
GRADING_SCORE_CACHE_DAYS = env.int("GRADING_SCORE_CACHE_DAYS", default=30)
# Threads of the embedding model in each worker pool process; 0 = cores / pool processes.
# Several worker processes on one machine: set it so threads x processes <= cores.
GRADING_EMBED_THREADS = env.int("GRADING_EMBED_THREADS", default=0)
# The free-text grader ("ft-2", "ft-3" or "ft-4", docs/grading-model.md); empty = the engine's default (ft-4).
GRADING_FREE_TEXT_GRADER = env("GRADING_FREE_TEXT_GRADER", default="")
# Where the trained grader's model file is assembled on first use (~60 MB; empty: the temp folder).
GRADER_MODEL_CACHE = env("GRADER_MODEL_CACHE", default="")
ANSWER_MAX_CHARS = env.int("ANSWER_MAX_CHARS", default=20000)

# --- Proxies, cache, sign-in lockout (docs/security.md) ------------------------------------
# How many reverse proxies of ours stand in front of the web server. 0: X-Forwarded-For is
# ignored (anyone can write it). N: the client is the address our outermost proxy appended.
# Drives DRF's NUM_PROXIES and the lockout's address alike (classroom/client_ip.py).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Every rate-limit counter lives here, so it must be shared: Redis whenever there is one
# (CACHE_URL, or the Redis broker's server, next database); local memory on the embedded default.
CACHES = {"default": cache_config(env.str("CACHE_URL", default=""), CELERY_BROKER_URL)}
# django-axes: after LOGIN_FAILURE_LIMIT wrong passwords for one username from one address, that
# pair is locked for LOGIN_LOCKOUT_MINUTES, on every sign-in path (portal, admin, API token).
# Not per address alone: a whole class signs in from one school address (NAT).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "common.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"

# --- E-mail and onboarding (README, "Signing in") -----------------------------------------------
# Password reset mails. The embedded default prints them on the console; production sets SMTP.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Classroom <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# A reset link in a mail works this long (Django's setting, in seconds).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_HOURS", default=24) * 3600
# Set-password links and codes handed out on paper after a CSV enrolment work this long, once.
PASSWORD_SETUP_TTL_HOURS = env.int("PASSWORD_SETUP_TTL_HOURS", default=168)
# Per client address: wrong set-password codes or links, and password reset requests, allowed per
# window before the page answers 429 (failures only for codes: a class enters them from one NAT).
ONBOARDING_FAILURE_LIMIT = env.int("ONBOARDING_FAILURE_LIMIT", default=20)
ONBOARDING_WINDOW_MINUTES = env.int("ONBOARDING_WINDOW_MINUTES", default=15)

# --- REST API (docs/api.md) ---------------------------------------------------------------
# An API token works this many hours after it is made (and stops when its owner's password changes).
API_TOKEN_TTL_HOURS = env.int("API_TOKEN_TTL_HOURS", default=720)
REST_FRAMEWORK = {
    # Token first: an anonymous request is answered 401 with `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["common.api.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "common.api.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "EXCEPTION_HANDLER": "common.api.exception_handler",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,  # throttles count the same client address as the lockout
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {
        "login": env.str("API_THROTTLE_LOGIN", default="10/min"),
        "answers": env.str("API_THROTTLE_ANSWERS", default="120/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Classroom API",
    "DESCRIPTION": "REST API v1 of Classroom. Conventions, authentication and examples: docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",  # served from our static files: the docs work offline
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "AttemptStatusEnum": "quizzes.models.Attempt.Status",
        "GradeStatusEnum": "grading.models.Grade.Status",
        "JobStatusEnum": "grading.models.GradingJob.Status",
        "JobKindEnum": "grading.models.GradingJob.Kind",
        "QuestionKindEnum": "bank.models.QuestionKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "common.api.add_error_responses",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"jieba": {"level": "WARNING"}, "axes": {"level": "WARNING"}},  # axes: failures and lockouts
}

# --- HTTPS (docs/security.md, "Deployment") ---------------------------------------------------
# Behind a TLS proxy (docker-compose.yml's default): cookies only over HTTPS, plain HTTP redirected,
# HSTS, and the proxy's header telling Django the original request was HTTPS. The defaults here
# suit a plain-HTTP local run; docker-compose.yml and .env.example turn them on.
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the container's own health check speaks plain HTTP
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# "HTTP_X_FORWARDED_PROTO,https": trust it only when the proxy sets (overwrites) that header.
SECURE_PROXY_SSL_HEADER = env.tuple("SECURE_PROXY_SSL_HEADER", default=None) or None
