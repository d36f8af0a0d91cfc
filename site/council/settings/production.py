"""Production: everything comes from the environment. Refuses to start without a secret key,
allowed hosts and a database URL; `manage.py check --deploy` is clean with those set."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .environment import env, require

DEBUG = False
SECRET_KEY = require("SECRET_KEY")
PAYMENT_PROVIDER = env.str("PAYMENT_PROVIDER", default="stripe")
if PAYMENT_PROVIDER == "sandbox":
    raise ImproperlyConfigured(
        "PAYMENT_PROVIDER=sandbox takes no money: production settings refuse it. Use stripe."
    )
if PAYMENT_PROVIDER == "stripe":
    STRIPE_SECRET_KEY = require("STRIPE_SECRET_KEY")
    STRIPE_WEBHOOK_SECRET = require("STRIPE_WEBHOOK_SECRET")
ALLOWED_HOSTS = require("ALLOWED_HOSTS", cast=list)
DATABASES = {"default": env.db_url_config(require("DATABASE_URL"))}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

if env.str("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("REDIS_URL"),
        }
    }

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

# Rate limits ("track your request") count by client address: behind a proxy, name the header
# that carries it, e.g. RATELIMIT_IP_META_KEY=HTTP_X_REAL_IP.
RATELIMIT_IP_META_KEY = env.str("RATELIMIT_IP_META_KEY", default="REMOTE_ADDR")

# HTTPS everywhere: the proxy in front terminates TLS and sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=63072000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
