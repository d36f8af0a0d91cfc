"""Production: everything comes from the environment. Refuses to start without a secret key,
allowed hosts and a database URL; `manage.py check --deploy` is clean with those set."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .environment import env, require

DEBUG = False
SECRET_KEY = require("SECRET_KEY")
# Sessions, password resets and signed values are only as safe as this key (Django's deploy
# check asks the same: 50 characters, at least 5 different ones).
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "SECRET_KEY is too short or too simple: production settings need 50 or more random "
        "characters (e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )
PAYMENT_PROVIDER = env.str("PAYMENT_PROVIDER", default="stripe")
if PAYMENT_PROVIDER == "sandbox":
    raise ImproperlyConfigured(
        "PAYMENT_PROVIDER=sandbox takes no money: production settings refuse it. Use stripe."
    )
if PAYMENT_PROVIDER == "stripe":
    STRIPE_SECRET_KEY = require("STRIPE_SECRET_KEY")
    STRIPE_WEBHOOK_SECRET = require("STRIPE_WEBHOOK_SECRET")
# Messages to residents: SMTP (EMAIL_URL below) unless GOV.UK Notify is switched on, which needs
# its key, its email template and the token its delivery receipts carry (README, "Messages").
MESSAGE_PROVIDER = env.str("MESSAGE_PROVIDER", default="smtp")
if MESSAGE_PROVIDER == "sandbox":
    raise ImproperlyConfigured(
        "MESSAGE_PROVIDER=sandbox sends nobody anything and shows every message on a public "
        "page: production settings refuse it. Use smtp or notify."
    )
if MESSAGE_PROVIDER == "notify":
    NOTIFY_API_KEY = require("NOTIFY_API_KEY")
    NOTIFY_TEMPLATES = {**NOTIFY_TEMPLATES, "email": require("NOTIFY_EMAIL_TEMPLATE_ID")}  # noqa: F405
    NOTIFY_CALLBACK_TOKEN = require("NOTIFY_CALLBACK_TOKEN")
# Messages are sent by tasks queued in the database (django-tasks-db) and run by its worker,
# `manage.py db_worker --backend messages`, a service of its own (README, "Serving"): a resident
# never waits on Notify or the mail server. Were the worker stopped, `send_pending_messages`
# (cron) sends what it left within minutes. MESSAGE_TASKS_BACKEND=
# django_tasks.backends.immediate.ImmediateBackend sends in the web process instead.
TASKS = {
    **TASKS,  # noqa: F405
    "messages": {
        "BACKEND": env.str("MESSAGE_TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    },
}
ALLOWED_HOSTS = require("ALLOWED_HOSTS", cast=list)
DATABASES = {"default": env.db_url_config(require("DATABASE_URL"))}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Reliability (cache): Redis through django-redis. A Redis that is down or slow costs each
# request at most a quarter of a second and is treated as a cache miss (IGNORE_EXCEPTIONS):
# pages are served uncached, rate limits fail open (RATELIMIT_FAIL_OPEN), and nothing a
# resident typed is lost, because sessions (a flow's answers) stay in the database.
if env.str("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": env.str("REDIS_URL"),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": env.float("REDIS_CONNECT_TIMEOUT", default=0.25),
                "SOCKET_TIMEOUT": env.float("REDIS_TIMEOUT", default=0.25),
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "council.cache"
SESSION_ENGINE = "core.sessions"  # the database, never the cache: see above
# --- end Reliability (cache)

if env.str("ELASTICSEARCH_URL", default=""):
    # Wagtail's elasticsearch8 backend with our analysis (search/backends/elasticsearch.py);
    # our engine asks the tuned query (search/engine/elasticsearch.py). The database backend
    # stays configured so that its index is kept current too: the engine falls back to it
    # when Elasticsearch cannot answer.
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "search.backends.elasticsearch",
            "URLS": [env.str("ELASTICSEARCH_URL")],
            # Index names are "<prefix>wagtailcore_page" and so on.
            "INDEX_PREFIX": env.str("ELASTICSEARCH_INDEX_PREFIX", default="council_"),
            "TIMEOUT": env.int("ELASTICSEARCH_TIMEOUT", default=5),
            # Editors' synonyms live in Elasticsearch synonyms sets "<name>-<language>".
            "SYNONYMS_SET": env.str("ELASTICSEARCH_SYNONYMS_SET", default="council-synonyms"),
        },
        "database": {"BACKEND": "wagtail.search.backends.database"},
    }
    SEARCH_ENGINE = "search.engine.elasticsearch.ElasticsearchEngine"

# SMTP, e.g. EMAIL_URL=smtp+tls://user:password@smtp.example.org:587 (django-environ's form).
vars().update(env.email_url("EMAIL_URL", default="smtp://localhost:25"))

STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "static_collected"))  # noqa: F405
WHITENOISE_USE_FINDERS = False
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "council.storage.StaticStorage"},
}
WAGTAILADMIN_BASE_URL = env.str("WAGTAILADMIN_BASE_URL", default=f"https://{ALLOWED_HOSTS[0]}")

# Rate limits and the admin lockout count by client address: behind a proxy, name the header
# that carries it, e.g. RATELIMIT_IP_META_KEY=HTTP_X_REAL_IP, and list the proxy's address in
# TRUSTED_PROXIES (base.py): the header is believed from that peer only.
CLIENT_IP_META_KEY = env.str("RATELIMIT_IP_META_KEY", default="REMOTE_ADDR")

# HTTPS everywhere: the proxy in front terminates TLS and sets X-Forwarded-Proto, believed from
# a peer in TRUSTED_PROXIES only (council/proxies.py removes it from anyone else's request).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=63072000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

# --- Security --------------------------------------------------------------------------------
# The base policy (council/headers.py), plus: browsers fetch anything addressed by http:// over
# https://, and a paid flow's last POST may be redirected to the payment provider's checkout.
CONTENT_SECURITY_POLICY = content_security_policy(  # noqa: F405
    PAYMENT_PROVIDER, upgrade_insecure_requests=True
)
# The admin lockout and the rate limits count the same client address (council/lockout.py).
AXES_ENABLED = True
# axes says who failed to sign in at INFO and WARNING; with AXES_VERBOSE off and
# AXES_SENSITIVE_PARAMETERS (base.py) it masks the username and address, and at WARNING only
# lockouts and repeated failures are logged at all.
LOGGING.setdefault("loggers", {})["axes"] = {"level": "WARNING"}  # noqa: F405
# --- end of Security --------------------------------------------------------------------------

# --- Logging ----------------------------------------------------------------------------------
# The base LOGGING (every handler redacts personal data, council/logging.py), with each record
# on one line on stderr, "LEVEL logger message": line breaks in a message or a traceback are
# written as \n, so a traceback stays one entry and nobody can forge a line. LOG_LEVEL sets the
# level (default WARNING).
LOGGING["formatters"]["line"]["class"] = "council.logging.OneLineFormatter"  # noqa: F405
# ClamAV: set CLAMAV_COMMAND=clamdscan (clamd running, freshclam keeping its database current)
# and CLAMAV_REQUIRED=true; `check --deploy` then warns (council.W001) if the command goes
# missing. See the ClamAV block in base.py.
# --- end of Logging ---------------------------------------------------------------------------

# --- Caching and CDN ----------------------------------------------------------------------------
# Content pages are cached in the `default` cache (Redis) and sent with
# `Cache-Control: public, max-age=PAGE_CACHE_MAX_AGE, s-maxage=PAGE_CACHE_S_MAXAGE` (base.py and
# core/pagecache.py). A CDN or Varnish in front is told to forget a page as soon as it is
# published or unpublished (wagtail.contrib.frontend_cache: the page, its other languages, its
# category and the home page). Configure at most one of:
#   FRONTEND_CACHE_PURGE_URL=http://varnish:6081  PURGE requests to an HTTP cache (Varnish, nginx)
#   CLOUDFLARE_ZONE_ID + CLOUDFLARE_BEARER_TOKEN  Cloudflare's API
#   CLOUDFRONT_DISTRIBUTION_ID (+ the AWS_* credentials boto3 reads)  Amazon CloudFront
# With none set, nothing is purged and a CDN's copy lives at most PAGE_CACHE_S_MAXAGE seconds.
if env.str("FRONTEND_CACHE_PURGE_URL", default=""):
    WAGTAILFRONTENDCACHE = {
        "default": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": env.str("FRONTEND_CACHE_PURGE_URL"),
        }
    }
elif env.str("CLOUDFLARE_ZONE_ID", default=""):
    WAGTAILFRONTENDCACHE = {
        "default": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
            "ZONEID": env.str("CLOUDFLARE_ZONE_ID"),
            "BEARER_TOKEN": require("CLOUDFLARE_BEARER_TOKEN"),
        }
    }
elif env.str("CLOUDFRONT_DISTRIBUTION_ID", default=""):
    WAGTAILFRONTENDCACHE = {
        "default": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudfrontBackend",
            "DISTRIBUTION_ID": env.str("CLOUDFRONT_DISTRIBUTION_ID"),
        }
    }
# --- end of Caching and CDN ----------------------------------------------------------------------
