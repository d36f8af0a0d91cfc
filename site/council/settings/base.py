"""Settings shared by every environment. Environment-specific files import and override these."""

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from core.proxies import parse_networks

from .environment import env

SITE_DIR = Path(__file__).resolve().parent.parent.parent  # site/
BASE_DIR = SITE_DIR.parent  # the repository root

DEBUG = False

INSTALLED_APPS = [
    "home",
    "services",
    # Online flows and what builds on them, one app each (forms/__init__.py).
    "forms.flows",
    "forms.places",
    "forms.messaging",
    "forms.payments",
    "forms.residents",
    "forms.inbox",
    "forms.insights",
    "search",
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "formtools",
    "wagtail.contrib.redirects",
    "wagtail.contrib.search_promotions",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "wagtail.contrib.sitemaps",
    "django.contrib.sitemaps",
    # Template-based form rendering needs django.forms installed; it takes the label "forms",
    # which is why our own forms/ app is labelled "flows".
    "django.forms",
    # Caching: the page cache's invalidation (core/pagecache.py, connected by council/apps.py)
    # and Wagtail's CDN purge on publish (WAGTAILFRONTENDCACHE, set in production from the env).
    "council.apps.CouncilConfig",
    "wagtail.contrib.frontend_cache",
    # Security: Content-Security-Policy, admin sign-in lockout.
    "csp",
    "axes",
    # Background work: Django's Tasks framework (the django-tasks backport) and its database
    # backend, whose worker production runs for messages (see TASKS below).
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    # Security: X-Forwarded-Proto, X-Forwarded-For and X-Real-IP are removed from requests that
    # do not come from a proxy in TRUSTED_PROXIES, before anything reads them (council/proxies.py).
    "council.proxies.TrustedProxyHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Reliability: a body larger than anything the site accepts is refused unread (413).
    "council.limits.RequestSizeLimitMiddleware",
    # Security: Permissions-Policy and Content-Security-Policy on every response (their settings
    # are in the Security block below).
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "council.headers.CouncilCSPMiddleware",
    # Caching: whole content pages for anonymous readers, before sessions and languages are
    # touched; never-cache headers on everything personal (core/pagecache.py).
    "core.pagecache.PageCacheMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # A 405 from any view is the site's page, with Allow, in the resident's language
    # (core/methods.py).
    "core.methods.MethodNotAllowedPageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "forms.insights.tracking.TrackingMiddleware",
    # Reliability: the database unreachable -> the 503 "service unavailable" page, not a 500.
    "council.outage.DatabaseOutageMiddleware",
    # Security: django-axes last, as its documentation asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "council.urls"
WSGI_APPLICATION = "council.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SITE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# SQLite (`make run`, the demo) under many residents at once, as PostgreSQL would take them:
# - IMMEDIATE: a transaction takes the write lock when it begins, so writers queue for it. In
#   SQLite's default (DEFERRED) a transaction that read first and then writes fails at once with
#   "database is locked" (the 503 page) when another writes, whatever the timeout;
# - timeout: seconds a writer waits in that queue (Python's default is 5);
# - WAL: pages are read while a request is being written; synchronous=NORMAL is safe with WAL
#   (a power cut may lose the last commits, never corrupt the file) and spares an fsync a commit.
# (Django 5.1+ reads transaction_mode and init_command from OPTIONS.)
SQLITE_OPTIONS: dict[str, Any] = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
}
if DATABASES["default"].get("ENGINE") == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},  # Security: staff passwords of 12 characters or more
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages. English is served without a prefix; other content languages get /<code>/.
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = True
LANGUAGES = WAGTAIL_CONTENT_LANGUAGES = [
    ("en-gb", _("English")),
    ("cy", _("Welsh")),
    ("pl", _("Polish")),
    ("ar", _("Arabic")),
]
LOCALE_PATHS = [SITE_DIR / "locale"]

# Static files: govuk-frontend and our brand are compiled into site/static by `make assets`
# (git-ignored) and served by whitenoise.
STATIC_URL = "/static/"
# Outside production the files are served straight from site/static (whitenoise's finders),
# so there is no collected folder to look in.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
STATICFILES_DIRS = [SITE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "media"
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private-media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Residents' uploads: never under MEDIA_URL; staff download them through the inbox.
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Wagtail
WAGTAIL_SITE_NAME = env.str("COUNCIL_NAME", default="Fernbridge City Council")
WAGTAILADMIN_BASE_URL = env.str("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "wagtail.search.backends.database"}
}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAIL_ENABLE_UPDATE_CHECK = False

# The council, as the site names it in the header, the phase banner and emails.
COUNCIL_NAME = WAGTAIL_SITE_NAME
COUNCIL_PHASE = env.str("COUNCIL_PHASE", default="beta")

# Online flows
SUBMISSION_REFERENCE_PREFIX = env.str("SUBMISSION_REFERENCE_PREFIX", default="FCC")
FLOW_UPLOAD_MAX_MB = 20  # the largest an editor may allow; requests over this are refused
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Payments: the provider every paid flow uses ("sandbox" for the demo, "stripe" for real)
PAYMENT_PROVIDER = env.str("PAYMENT_PROVIDER", default="sandbox")
PAYMENT_CHECKOUT_MINUTES = 30  # a checkout expires after this (Stripe's minimum is 30)
PAYMENT_RECONCILE_AFTER_MINUTES = env.int("PAYMENT_RECONCILE_AFTER_MINUTES", default=60)
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
SESSION_COOKIE_AGE = 60 * 60 * 4  # answers in progress are kept for 4 hours
SESSION_SAVE_EVERY_REQUEST = True  # ...counted from the resident's last page
# In the database, as Django's own, but a page that changes nothing in a session writes nothing
# (its expiry is moved on at most every few minutes): see core/sessions.py.
SESSION_ENGINE = "core.sessions"

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="no-reply@fernbridge.gov.uk")

# --- Messages to residents ---------------------------------------------------------------------
# One interface, a registry of providers (forms/messaging/): "sandbox" (the demo: nothing is
# sent, every message is shown on /demo/outbox/), "smtp" (email through EMAIL_BACKEND; no text
# messages) or "notify" (GOV.UK Notify, email and text messages). Production refuses the sandbox.
MESSAGE_PROVIDER = env.str("MESSAGE_PROVIDER", default="sandbox")
# GOV.UK Notify: the API key from its "API integration" page; one generic template per channel
# (email: subject "((subject))", body "((body))"; text message: "((body))"), and optionally a
# template of its own for a kind of message, as NOTIFY_TEMPLATES=confirmation.email=<id>,...
NOTIFY_API_KEY = env.str("NOTIFY_API_KEY", default="")
NOTIFY_BASE_URL = env.str("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
NOTIFY_TIMEOUT = env.int("NOTIFY_TIMEOUT", default=10)  # seconds before "try again later"
NOTIFY_TEMPLATES: dict[str, str] = {
    "email": env.str("NOTIFY_EMAIL_TEMPLATE_ID", default=""),
    "sms": env.str("NOTIFY_SMS_TEMPLATE_ID", default=""),
    **env.dict("NOTIFY_TEMPLATES", default={}),
}
NOTIFY_EMAIL_REPLY_TO_ID = env.str("NOTIFY_EMAIL_REPLY_TO_ID", default="")
NOTIFY_SMS_SENDER_ID = env.str("NOTIFY_SMS_SENDER_ID", default="")
# The bearer token Notify sends with each delivery receipt to /messages/notify/callback/ (set
# the same on Notify's "Callbacks" page). Empty: every receipt is refused.
NOTIFY_CALLBACK_TOKEN = env.str("NOTIFY_CALLBACK_TOKEN", default="")

# Background work (Django's Tasks framework through django-tasks). Messages are sent by tasks
# on a backend of their own, "messages": the immediate backend here, which runs a task as it is
# queued, in the same process (the demo's and the tests'); production queues them in the
# database for `manage.py db_worker --backend messages` (production.py). Wagtail's own tasks
# (search and reference indexes, CDN purges) stay on "default", run at once as before.
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "messages": {
        "BACKEND": env.str(
            "MESSAGE_TASKS_BACKEND", default="django_tasks.backends.immediate.ImmediateBackend"
        ),
        "QUEUES": ["default"],
    },
}
# --- end of Messages ---------------------------------------------------------------------------

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_HTTPONLY = True

# --- Logging ----------------------------------------------------------------------------------
# No personal data in the logs: every handler carries the RedactPersonalData filter
# (council/logging.py), which redacts emails, phone numbers, postcodes, long numbers, public IP
# addresses and query strings in each record's message and traceback, and drops the request
# Django attaches to django.request records. Each record on stderr as "LEVEL logger message"
# (production.py keeps a traceback on the same line); LOG_LEVEL (default WARNING) sets the
# level. A handler added here must list the "redact_personal_data" filter too
# (tests/council/test_logs_no_personal_data.py checks).
LOG_LEVEL = env.str("LOG_LEVEL", default="WARNING").upper()
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_personal_data": {"()": "council.logging.RedactPersonalData"}},
    "formatters": {"line": {"format": "%(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",  # stderr
            "formatter": "line",
            "filters": ["redact_personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own handlers (a console one when DEBUG, mail_admins with the request's POST
        # body) are replaced: its records go to the root's handler, through the filter.
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": [], "propagate": True},
        # The SQL query log (DEBUG=True only) holds every answer as typed, and the template
        # engine's DEBUG records ("Exception while resolving variable") the whole page context
        # with them: never logged, whatever LOG_LEVEL says.
        "django.db.backends": {"handlers": [], "level": "INFO", "propagate": True},
        "django.template": {"handlers": [], "level": "INFO", "propagate": True},
    },
}
# --- end of Logging ---------------------------------------------------------------------------

# --- ClamAV -----------------------------------------------------------------------------------
# Residents' uploads, and editors' documents and images, are scanned for viruses when
# CLAMAV_COMMAND is set: "clamdscan" in production (the clamd daemon, its database kept current
# by freshclam), or "clamscan". CLAMAV_DATABASE is passed as --database (clamscan only). A scan
# that fails or takes longer than CLAMAV_TIMEOUT seconds refuses the file. Empty (the demo): not
# scanned.
# CLAMAV_REQUIRED=true makes a missing command a `check --deploy` warning (council.W001) and
# refuses uploads until it is set. See core/antivirus.py.
CLAMAV_COMMAND = env.str("CLAMAV_COMMAND", default="")
CLAMAV_DATABASE = env.str("CLAMAV_DATABASE", default="")
CLAMAV_TIMEOUT = env.int("CLAMAV_TIMEOUT", default=60)
CLAMAV_REQUIRED = env.bool("CLAMAV_REQUIRED", default=False)
WAGTAILDOCS_DOCUMENT_FORM_BASE = "council.document_scanning.ScannedDocumentForm"
WAGTAILIMAGES_IMAGE_FORM_BASE = "council.document_scanning.ScannedImageForm"
# --- end of ClamAV ----------------------------------------------------------------------------

# --- Security --------------------------------------------------------------------------------
# Content Security Policy (django-csp 4): one strict policy for the public site and the admin,
# no inline script or style anywhere (council/headers.py; production adds
# upgrade-insecure-requests and the payment provider's checkout to form-action).
from council.headers import content_security_policy  # noqa: E402

CONTENT_SECURITY_POLICY = content_security_policy(PAYMENT_PROVIDER)

# Permissions-Policy (django-permissions-policy): no page of the site uses any of these.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    "accelerometer": [],
    "autoplay": [],
    "browsing-topics": [],  # the successor of FLoC's interest-cohort, which Chromium dropped
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],  # card details are typed on the payment provider's own page, not here
    "usb": [],
}
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No Gravatar pictures in the admin: they would send a hash of each editor's email address to
# another company, and the CSP allows images from the site only. Wagtail shows its default
# avatar (or one the editor uploads) instead.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Cookies: the session only over HTTPS in production (production.py), never read by scripts,
# and not sent on cross-site POSTs. No script reads the CSRF cookie (forms carry the token and
# the Wagtail admin takes it from its page config), so scripts cannot read it either.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Admin sign-in lockout (django-axes): 5 wrong passwords for one username from one address lock
# that pair for 15 minutes, so an attacker elsewhere cannot lock a real editor out. A success
# resets the count. Unlock early with `manage.py axes_reset_username <username>` (or
# axes_reset_ip / axes_reset). Client addresses are read the same way as the rate limits'.
# axes' backend goes first: it refuses a locked-out pair before any password is checked, then
# ModelBackend signs people in. AxesBackend is axes' standalone backend with ModelBackend's
# get_user and permissions, because Wagtail's test helpers and others take the first backend.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# ...and, slower and longer, 20 wrong passwords for one username within an hour, from any number
# of addresses, lock that username everywhere for an hour (council/lockout.py's handler), so
# guesses spread over many addresses are throttled too. High enough that an editor's own typing
# never gets there: their own address is locked at 5 first.
AXES_HANDLER = "council.lockout.CouncilAxesHandler"
LOCKOUT_USERNAME_FAILURE_LIMIT = 20
LOCKOUT_USERNAME_COOLOFF_TIME = timedelta(hours=1)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "council.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "core.ratelimits.client_ip"
# No usernames or addresses in the logs: axes masks both in what it writes, and says nothing
# about its configuration at start-up.
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "user_agent"]
AXES_ENABLE_ACCESS_FAILURE_LOG = False

# Rate limits (django-ratelimit), counted per client address in the `default` cache (Redis in
# production). If that cache cannot be reached the limits are skipped rather than refusing
# residents: being served matters more than counting (RATELIMIT_FAIL_OPEN).
RATELIMIT_USE_CACHE = "default"
RATELIMIT_FAIL_OPEN = True
# The client's address: REMOTE_ADDR, or, when that peer is one of the proxies in
# TRUSTED_PROXIES (addresses and CIDR networks, comma-separated; empty: no proxy), the header
# production.py names (CLIENT_IP_META_KEY). The rate limits and the admin lockout both read it
# through core.ratelimits.client_ip, which falls back to REMOTE_ADDR when the header is missing
# or bad. gunicorn's forwarded_allow_ips reads the same list (council/gunicorn.conf.py).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
parse_networks(TRUSTED_PROXIES)  # a value that is not an address stops the start, named
CLIENT_IP_META_KEY = "REMOTE_ADDR"
RATELIMIT_IP_META_KEY = "core.ratelimits.client_ip"
# Requests per minute from one address (core/ratelimits.py). Generous: a library or a mobile
# network puts many residents behind one address. Track your request has its own, stricter
# limits (forms/inbox/track.py).
RATELIMIT_RATES = {
    "flows.step": "60/m",  # answers sent on question pages
    "flows.satisfaction": "30/m",  # feedback at the end of a flow
    "search": "60/m",  # searches
    "search.suggest": "300/m",  # suggestions, asked as the resident types
}
# --- end of Security --------------------------------------------------------------------------

# --- Reliability --------------------------------------------------------------------------------
# A refused CSRF check gets the site's own page ("go back and try again"; answers are kept); the
# error pages themselves are in council/outage.py (handler400/403/500 in council/urls.py).
CSRF_FAILURE_VIEW = "council.outage.csrf_failure"
# Staff upload documents and images in the admin: the largest request body there, in MB
# (council/limits.py; the public site's is FLOW_UPLOAD_MAX_MB plus a margin).
ADMIN_UPLOAD_MAX_MB = env.int("ADMIN_UPLOAD_MAX_MB", default=100)
# Django's two upload handlers, with file names cut to a length a disk can store and the
# part's charset as text (council/limits.py): neither can then turn into a 500.
FILE_UPLOAD_HANDLERS = [
    "council.limits.SafeMemoryFileUploadHandler",
    "council.limits.SafeTemporaryFileUploadHandler",
]
# --- end of Reliability ------------------------------------------------------------------------

# --- Caching -----------------------------------------------------------------------------------
# The page cache (core/pagecache.py) keeps content pages, their routes and their fragments in
# the `default` cache for PAGE_CACHE_SECONDS (0 switches it off); browsers may keep a page
# PAGE_CACHE_MAX_AGE seconds and a CDN PAGE_CACHE_S_MAXAGE (purged on publish).
PAGE_CACHE_ALIAS = "default"
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)
PAGE_CACHE_MAX_AGE = env.int("PAGE_CACHE_MAX_AGE", default=60)
PAGE_CACHE_S_MAXAGE = env.int("PAGE_CACHE_S_MAXAGE", default=300)
# The CDN purge (wagtail.contrib.frontend_cache) is given each URL as it is: the language is
# already in the path, so Wagtail's guessing of other languages' URLs is switched off.
WAGTAILFRONTENDCACHE_LANGUAGES: list[str] = []
# --- end of Caching ----------------------------------------------------------------------------
