"""OC Pizza settings: one file, driven by the environment (docs/configuration in README.md).

With nothing set it runs for development: the local PostgreSQL of `make run`, local media folder, console email, demo payments,
DEBUG on. In production (DEBUG off) SECRET_KEY is required and `manage.py check --deploy` is clean.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from ocpizza.csp import content_security_policy, s3_media_origins
from ocpizza.env import env_bool, env_email, env_float, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-never-used-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The public address of the site, for links in emails and payment redirects.
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000", schemes=("http", "https")).rstrip("/")

INSTALLED_APPS = [
    # Shared plumbing: its one model records the emails sent (an email task run twice sends once).
    "common",
    "accounts",
    "menu",
    "restaurants",
    # The legal pages (legal notice, privacy policy, terms of sale), versioned, and the company's details.
    "legal",
    # The sales record (cash-register law): a hash-chained journal of every money event, and its closings.
    "sales",
    # Promo codes (head office creates them; their rules in offers.rules); orders applies them.
    "offers",
    "orders",
    # The loyalty programme: a points ledger per customer and head office's rewards; orders calls it.
    "loyalty",
    # The customers' rights over their data (RGPD): erasure, retention; above orders, which it anonymises.
    "privacy",
    # The project: its management command `load_demo` fills every app (only ocpizza may import them all).
    "ocpizza",
    # Translated catalogue content (name_fr, name_en columns): before the admin, whose forms it adapts.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "django_htmx",
    "phonenumber_field",
    "procrastinate.contrib.django",
]

MIDDLEWARE = [
    # First: its request id and timing cover everything below, static files and redirects included; it also
    # refuses methods other than GET, HEAD and POST and sends the Permissions-Policy header.
    "ocpizza.middleware.EdgeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ocpizza.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ocpizza.middleware.StaffSessionIdleMiddleware",
    # The reader's language (cookie, ?lang=, Accept-Language), in place of Django's LocaleMiddleware
    # (accounts/languages.py).
    "accounts.languages.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Django's, its storage made only when a message is read or added.
    "ocpizza.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "ocpizza.urls"
WSGI_APPLICATION = "ocpizza.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ocpizza.context_processors.site",
                "orders.context_processors.cart",
                "restaurants.context_processors.staff",
            ],
        },
    },
]

# Database: PostgreSQL everywhere. The default is the local cluster that `make run` starts (scripts/run.sh);
# tests start a throwaway one, production reads DATABASE_URL. The task queue (procrastinate) lives in it too.
# Behind PgBouncer in transaction mode (Heroku's connection pooler, docs/operations.md § 9.1), a server
# connection is lent for one transaction only: CONN_MAX_AGE=0 (the pooler keeps the connections) and
# DISABLE_SERVER_SIDE_CURSORS=true (a named cursor would outlive its transaction). psycopg's prepared
# statements are off already (Django's default, client-side binding).
DATABASES = {
    "default": {
        **dj_database_url.parse(
            env_str("DATABASE_URL", "postgres://app@127.0.0.1:54329/app"),
            conn_max_age=env_int("CONN_MAX_AGE", 600),
            conn_health_checks=True,
        ),
        "DISABLE_SERVER_SIDE_CURSORS": env_bool("DISABLE_SERVER_SIDE_CURSORS"),
    }
}
# A database that does not answer fails in seconds, not after the system's minutes of retries: a request
# answers 500 instead of holding its thread, and gunicorn's master (which warms the menus before it forks,
# ocpizza.warmup) starts well inside Heroku's 60 s boot limit.
DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Django's and allauth's, whose signed-in user comes with their staff access in the same query (ocpizza/auth.py).
AUTHENTICATION_BACKENDS = [
    "ocpizza.auth.ModelBackend",
    "ocpizza.auth.AuthenticationBackend",
]
# Argon2id at OWASP's parameters (ocpizza/hashers.py); the PBKDF2 hashes written before still verify and are
# rewritten at the next sign-in.
PASSWORD_HASHERS = [
    "ocpizza.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: email is the login, no username.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# Mandatory verification lets sign-up answer the same for a taken email (its owner is emailed instead of an
# error naming the account): allauth prevents enumeration at sign-up only then. Accounts made by head office,
# the demo and before this are recorded as verified (User.confirm_email, accounts migration 0003).
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[OC Pizza] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
ACCOUNT_USER_DISPLAY = "accounts.display.user_display"
# Staff sessions end after inactivity; the adapter marks them at sign-in (docs/security.md).
ACCOUNT_ADAPTER = "ocpizza.auth.AccountAdapter"
STAFF_SESSION_IDLE_SECONDS = env_int("STAFF_SESSION_IDLE_SECONDS", 30 * 60)
# Brute force: allauth counts failed sign-ins per IP and per account in the cache (shared by every dyno
# in production, see CACHES). After 5 failures on one account in 15 minutes even the right password is
# refused until the window has passed. The admin's login page redirects to allauth's (ocpizza/urls.py).
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,60/h/ip,5/15m/key"}
# Heroku's router appends the client's address to X-Forwarded-For: trust that one hop, so limits per IP
# count clients rather than the router.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0 if DEBUG else 1)

# Phone numbers (django-phonenumber-field): stored in E.164, read as French when written without "+".
PHONENUMBER_DEFAULT_REGION = "FR"

# Internationalisation: French first, English available, no language prefix in URLs.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
# Translated content (django-modeltranslation, the `translation.py` of menu, restaurants and orders): one
# column per language beside the original; a text missing in English shows the French one; slugs are made
# from the French name.
MODELTRANSLATION_DEFAULT_LANGUAGE = "fr"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("fr",)
MODELTRANSLATION_PREPOPULATE_LANGUAGE = "fr"

# Static files: served by WhiteNoise from the app, compressed and fingerprinted.
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Fingerprinted files (every {% static %} URL) get WhiteNoise's one-year "immutable" header whatever this
# says; this is for files asked by their plain name, which change on the next deploy.
WHITENOISE_MAX_AGE = 3600 if not DEBUG else 0

# Media: S3 (django-storages) when a bucket is configured, a local folder otherwise.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
MEDIA_ORIGINS: list[str] = []
if AWS_STORAGE_BUCKET_NAME:
    # Private objects read through signed URLs, unless the bucket is deliberately public (a bucket policy
    # grants s3:GetObject: new buckets refuse ACLs, so none is sent unless AWS_DEFAULT_ACL asks for one).
    _s3_public = env_bool("AWS_S3_PUBLIC")
    _s3_endpoint = env_url("AWS_S3_ENDPOINT_URL", schemes=("http", "https")) or None
    _s3_region = env_str("AWS_S3_REGION_NAME") or None
    _s3_custom_domain = env_str("AWS_S3_CUSTOM_DOMAIN") or None
    if _s3_custom_domain and not _s3_public:
        # django-storages does not sign URLs of a custom domain (without CloudFront keys): private objects
        # behind one would all answer 403.
        raise ImproperlyConfigured("AWS_S3_CUSTOM_DOMAIN needs AWS_S3_PUBLIC=true (objects readable by all).")
    # The regional virtual-hosted endpoint on AWS: the global one redirects for a new bucket, which breaks
    # signed URLs.
    _s3_addressing = env_str("AWS_S3_ADDRESSING_STYLE") or (None if _s3_endpoint else "virtual")
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            "region_name": _s3_region,
            "endpoint_url": _s3_endpoint,
            "custom_domain": _s3_custom_domain,
            "addressing_style": _s3_addressing,
            "signature_version": "s3v4",
            "default_acl": env_str("AWS_DEFAULT_ACL") or None,
            "querystring_auth": not _s3_public,
            "querystring_expire": env_int("AWS_QUERYSTRING_EXPIRE", 3600),
            # Uploads never replace a file: a new picture gets a new name, so it can be cached for long.
            "file_overwrite": False,
            "object_parameters": {
                "CacheControl": "public, max-age=31536000, immutable"
                if _s3_public
                else "private, max-age=86400"
            },
        },
    }
    MEDIA_ORIGINS = s3_media_origins(
        bucket=AWS_STORAGE_BUCKET_NAME,
        region=_s3_region,
        endpoint_url=_s3_endpoint,
        custom_domain=_s3_custom_domain,
        addressing_style=_s3_addressing,
    )
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": env_str("STATICFILES_BACKEND", "whitenoise.storage.CompressedManifestStaticFilesStorage")
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Renditions of the uploaded pictures (common/renditions.py, django-imagekit's namer) go to the same storage,
# under renditions/<upload's path>/.
IMAGEKIT_CACHEFILE_DIR = "renditions"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Cache: it holds the sign-in rate limits, so in production it must be shared by every process of every
# dyno: Redis when REDIS_URL is set, else a table of the database (`createcachetable`, run by the release
# phase). Memory of the process in development.
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss"))
if REDIS_URL:
    # Heroku Data for Redis serves TLS with a self-signed certificate.
    _redis_options = {"ssl_cert_reqs": None} if REDIS_URL.startswith("rediss:") else {}
    _cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": _redis_options,
    }
elif not DEBUG:
    _cache = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "django_cache"}
else:
    _cache = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}


def _in_process(location: str, *, timeout: int, entries: int) -> dict:
    """A cache in each process's memory, for what is kept under keys naming all it shows: no process ever
    needs to tell another, the timeout and the entries only bound the memory."""
    return {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": location,
        "TIMEOUT": timeout,
        "OPTIONS": {"MAX_ENTRIES": entries},
    }


CACHES = {
    "default": _cache,
    # Rendered menus and restaurant pages (restaurants.menu_cache); the timeout also bounds signed media URLs.
    "menus": _in_process("menus", timeout=300, entries=500),
    # Rendered tickets of the kitchen display (orders/templatetags/kitchen_tickets.py).
    "kitchen_tickets": _in_process("kitchen-tickets", timeout=300, entries=1000),
    # The parts of a page personal to its visitor (common.personal: the header's account menu and cart), kept
    # per visitor and what they show of them, so a kept page is served without rendering its header again.
    "personal": _in_process("personal", timeout=300, entries=2000),
    # Whole board fragments (orders.staff.polling.shared_part: the kitchen display), one per screen (restaurant,
    # station, role, language), the last version rendered: a newer version replaces it, so the entries are
    # bounded by the screens; and the tracking page's live part, one per order followed (a few KB each). A
    # poll served from it costs a read of memory, where a shared cache would add a round trip and the board's
    # ~20-60 KB over the network at every poll, to save a render per version and process. The timeout frees
    # the boards of screens gone quiet (a version lives a minute at most: BOARD_TICK).
    "boards": _in_process("boards", timeout=120, entries=2000),
}
# Sessions: read from Redis when there is one (written through to the database, which keeps them across a
# Redis restart), so a signed-in request skips the session query; in the database otherwise (a database cache
# would only add a second query). Django's stores, an existing session saved in one UPDATE (ocpizza.sessions).
SESSION_ENGINE = "ocpizza.sessions.cached_db" if REDIS_URL else "ocpizza.sessions.db"

# Email. Without EMAIL_URL the console backend would print every email, addresses and tracking links
# included, to the logs and send none: with DEBUG off it must be chosen explicitly (`console://`, staging).
if not DEBUG and not env_str("EMAIL_URL"):
    raise ImproperlyConfigured(
        "EMAIL_URL must be set when DEBUG is off: smtp://user:password@host:587, or console:// to print "
        "emails in the logs instead of sending them (staging only)."
    )
globals().update(env_email("EMAIL_URL"))
# The worker waits this long for the mail server before the try fails and is retried later.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "OC Pizza <commandes@ocpizza.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The task queue (procrastinate, in this database): emails and every other side effect leave the request
# as jobs deferred inside its transaction; `manage.py procrastinate worker` runs them (docs/architecture.md).
# Tasks are found in each app's tasks.py; names, queues and retry strategies in common/queue.py.
PROCRASTINATE_WORKER_DEFAULTS = {
    # Jobs run side by side, each in a thread with its own database connection: an email waiting on a slow
    # mail server does not hold back a refund or a rendition.
    "concurrency": env_int("TASKS_WORKER_CONCURRENCY", 4),
    # On SIGTERM the worker takes no new job and waits this long for the running ones, inside Heroku's 30 s
    # (the SMTP timeout below is shorter); a job still running after it is retried later.
    "shutdown_graceful_timeout": env_float("TASKS_SHUTDOWN_SECONDS", 20.0),
    # Its heartbeat, and how long without one before another worker may take its jobs back.
    "update_heartbeat_interval": env_float("TASKS_HEARTBEAT_SECONDS", 5.0),
    "stalled_worker_timeout": env_float("TASKS_STALLED_WORKER_SECONDS", 30.0),
    # LISTEN/NOTIFY wakes the worker at once; polling is only the safety net.
    "fetch_job_polling_interval": env_float("TASKS_POLLING_SECONDS", 5.0),
}
# Through PgBouncer in transaction mode LISTEN cannot work (it outlives the transaction):
# TASKS_LISTEN_NOTIFY=false, and the worker polls every TASKS_POLLING_SECONDS. Otherwise the option is not
# given at all: the worker's options stay exactly what they were before this setting existed.
if not env_bool("TASKS_LISTEN_NOTIFY", default=True):
    PROCRASTINATE_WORKER_DEFAULTS["listen_notify"] = False
TASKS_STALLED_WORKER_SECONDS = PROCRASTINATE_WORKER_DEFAULTS["stalled_worker_timeout"]
# A periodic tick missed while no worker ran is still deferred if it is at most this old.
PROCRASTINATE_PERIODIC_DEFAULTS = {"max_delay": 600}
TASKS_KEEP_FINISHED_DAYS = env_int("TASKS_KEEP_FINISHED_DAYS", 7)
# /healthz turns "degraded" when the oldest job waiting to run has waited longer than this.
HEALTHZ_QUEUE_DELAY_SECONDS = env_int("HEALTHZ_QUEUE_DELAY_SECONDS", 120)

# Payments: Stripe when its secret key is set; the demo provider otherwise (never in production).
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY")
STRIPE_PUBLISHABLE_KEY = env_str("STRIPE_PUBLISHABLE_KEY")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET")
# Never set in production: a local stand-in for https://api.stripe.com (the fault runs, bench/faults_payments.py).
STRIPE_API_BASE = env_str("STRIPE_API_BASE")
DEMO_PAYMENTS = env_bool("DEMO_PAYMENTS", default=DEBUG)

# Error reports: Sentry when SENTRY_DSN is set (ocpizza/sentry.py keeps query strings and personal data out).
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    from ocpizza.sentry import init_sentry

    init_sentry(
        SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "development" if DEBUG else "production"),
        # Set by Heroku's runtime-dyno-metadata feature: each report names the deployed commit.
        release=env_str("HEROKU_SLUG_COMMIT") or env_str("HEROKU_RELEASE_VERSION"),
        traces_sample_rate=env_float("SENTRY_TRACES_SAMPLE_RATE", 0.0),
    )

# Usage analytics: an external script without cookies (Plausible or the like), off unless configured.
ANALYTICS_SCRIPT_URL = env_url("ANALYTICS_SCRIPT_URL", schemes=("https",))
ANALYTICS_DOMAIN = env_str("ANALYTICS_DOMAIN")

# Security: production behind Heroku's router, which terminates TLS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The language choice: sent back to this site only, not readable by scripts, over HTTPS only in production.
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
# Features no page uses, off for the site and for anything it embeds (docs/security.md). Payments happen on
# Stripe's own pages, so `payment` is off too; fullscreen (the restaurants' videos) and clipboard-write
# (the counter's copy button) keep the browser's default, this origin only.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

# Content Security Policy (django-csp): no inline script or style anywhere; docs/security.md.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": content_security_policy(
        media_origins=MEDIA_ORIGINS, analytics_script_url=ANALYTICS_SCRIPT_URL
    )
}

# Logs go to the dyno's output, each line tagged with the request id (ocpizza/middleware.py). The access
# log, one line per request, goes to stdout.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ocpizza.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s request_id=%(request_id)s %(message)s"},
        "access": {"format": "%(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]},
        "access": {"class": "logging.StreamHandler", "formatter": "access", "stream": "ext://sys.stdout"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One line per job deferred would double the request log; the worker still logs each job it runs.
        "procrastinate.jobs": {"level": "WARNING"},
        # Registering the tasks at each start of a command, twice: not news.
        "procrastinate.periodic": {"level": "WARNING"},
        "procrastinate.blueprints": {"level": "WARNING"},
        "ocpizza.request": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
}

# ---- Personal data kept (RGPD art. 5-1-e), read by the privacy policy's page (legal.retention) ----
# The CNIL's reference for customer data: 3 years after the end of the relationship (the last order).
RETENTION_CUSTOMER_DAYS = env_int("RETENTION_CUSTOMER_DAYS", 3 * 365)
# An order's delivery details and notes (address, instructions, note): needed for the delivery and a claim.
RETENTION_DELIVERY_DETAILS_DAYS = env_int("RETENTION_DELIVERY_DETAILS_DAYS", 365)
# The sales record (article L102 B of the Livre des procédures fiscales): 6 years; it holds no personal data.
RETENTION_SALES_RECORD_YEARS = 6
# A customer's export of their data (privacy.export) can be downloaded this long after it is ready.
PRIVACY_EXPORT_HOURS = env_int("PRIVACY_EXPORT_HOURS", 48)

# Loyalty programme: points earned per euro paid on a delivered or picked-up order.
LOYALTY_POINTS_PER_EURO = env_int("LOYALTY_POINTS_PER_EURO", 1)

# Staff screens: how long an irreversible tap (a kitchen bump, a driver's take or hand-over, the counter's
# hand-over or cancellation) waits in its undo window before it is sent, in milliseconds.
STAFF_UNDO_MS = env_int("STAFF_UNDO_MS", 5000)
