# ruff: noqa: N999 - gunicorn.conf.py is the name gunicorn looks for
"""gunicorn's settings for the council site: `gunicorn -c site/council/gunicorn.conf.py`
(`make serve`), from any directory. Everything can be changed from the environment:

PORT (8000) and HOST (127.0.0.1: the proxy in front, on the same machine, is what faces the
network; 0.0.0.0 only with a proxy elsewhere and a firewall letting only it in); WEB_CONCURRENCY,
the number of worker processes (2 x cores + 1); GUNICORN_WORKER_CLASS (gthread) and
GUNICORN_THREADS (4; gunicorn runs gthread whenever it is over 1, so sync needs 1 too);
GUNICORN_TIMEOUT (30 s); TRUSTED_PROXIES, the proxies whose X-Forwarded-*
headers are believed (none: the same list Django uses, council/proxies.py);
GUNICORN_ACCESS_LOG ("-" for stdout, a file, or empty for none).

Threaded workers (gthread): a sync worker reads a request on its only thread, so one client
that sends half its headers and waits holds the whole process until the timeout, and a few such
connections stalled every resident's page for 30 s. A gthread worker waits for connections that
have sent nothing in its event loop, and a few slow senders hold a thread each while the others
keep answering; on two cores it also served more pages a second than sync workers did. (It still
has workers x threads threads; slow clients in their thousands are the proxy's job: nginx
buffers whole requests before passing them on.) gevent's workers would not block at all, but each
request would open its own database connection (Django's connections are per thread, i.e. per
greenlet), and psycopg and SQLite calls would need monkey-patching to yield: not worth the risk.
"""

import multiprocessing
import os
from pathlib import Path

_SITE = Path(__file__).resolve().parent.parent  # site/

wsgi_app = "council.wsgi:application"
pythonpath = f"{_SITE},{_SITE.parent}"
bind = [f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"]

workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Load the site once, before forking: workers start at once and share memory. No database or
# Redis connection is opened at import, so none is shared between processes.
preload_app = True
# A worker is replaced after about 20,000 requests, so a slow leak cannot grow for ever; the
# jitter keeps them from all restarting at the same moment. (Far fewer, and at a few hundred
# requests a second workers were replaced every few seconds, each costing a slow first answer.)
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
# A request still running after 30 s (a stuck call elsewhere) is killed and logged; a worker
# being replaced finishes what it is doing first.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# The heartbeat file on a memory file system, never a slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Only the proxies in TRUSTED_PROXIES may say which scheme a request came by (gunicorn's
# wsgi.url_scheme), as for Django; none by default.
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES", "")

# Requests no browser sends are refused before Django sees them (400/431).
limit_request_line = 4094  # the request line: method, path and query string
limit_request_fields = 60
limit_request_field_size = 8190

# One line a request, with no personal data: the path without its query string (a search or a
# track-your-request query can hold a name, an address or a reference), no client address, no
# referrer (which can carry a query string too) and no user agent. %(M)s: milliseconds taken.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
# ...and with the ids that open a page by themselves (a payment's UUID, a reset token) written as
# "[id]": "/payments/[id]/return/" (council/access_log.py).
logger_class = "council.access_log.RedactingLogger"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "council"


def when_ready(server):
    """In the master, once the site is loaded and before any worker forks: import every view
    (by building the URL resolver), compile the site's own templates and load each language's
    translations, so that each worker, new or replacing another, answers its first request
    as fast as the rest. Nothing here opens a database or Redis connection."""
    from django.conf import settings
    from django.template import TemplateSyntaxError
    from django.template.loader import get_template
    from django.urls import reverse
    from django.utils import translation

    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Skip to main content")
            reverse("search")  # the first reverse imports every URLconf and view
    root = Path(settings.BASE_DIR)
    folders = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    folders += [root / app / "templates" for app in ("home", "services", "forms", "search")]
    count = 0
    for folder in folders:
        for template in folder.rglob("*.html"):
            try:
                get_template(str(template.relative_to(folder)))
                count += 1
            except TemplateSyntaxError:  # a template for another engine or a fragment
                pass
    server.log.info("Compiled %d templates before forking the workers", count)


def post_worker_init(worker):
    """In each new worker, before it takes its first request: one request for the home page,
    answered and thrown away, so that the worker's lazy imports, its database and Redis
    connections and its caches are ready when residents arrive. A failure is logged only."""
    import io
    from wsgiref.util import setup_testing_defaults

    from django.conf import settings

    host = next((h.lstrip(".") for h in settings.ALLOWED_HOSTS if h != "*"), "localhost")
    environ = {
        "PATH_INFO": "/",
        "HTTP_HOST": host,
        "HTTP_CACHE_CONTROL": "no-cache",  # built, not served from the page cache
        # As if over https (not through X-Forwarded-Proto, which only a trusted proxy may send).
        "wsgi.url_scheme": "https",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.errors": io.StringIO(),
    }
    setup_testing_defaults(environ)
    try:
        response = worker.wsgi(environ, lambda status, headers, exc_info=None: None)
        for _chunk in response:
            pass
        if hasattr(response, "close"):
            response.close()
    except Exception:
        worker.log.exception("The warm-up request failed")
