# ruff: noqa: N999 - gunicorn.conf.py is the name gunicorn looks for
"""gunicorn's settings for the council site: `gunicorn -c site/council/gunicorn.conf.py`
(`make serve`), from any directory. Everything can be changed from the environment:

PORT (8000) and HOST (0.0.0.0, or 127.0.0.1 behind a proxy on the same machine); WEB_CONCURRENCY,
the number of worker processes (2 x cores + 1); GUNICORN_WORKER_CLASS (sync) and GUNICORN_THREADS
(1); GUNICORN_TIMEOUT (30 s); FORWARDED_ALLOW_IPS, the proxies whose X-Forwarded-* headers are
believed (127.0.0.1); GUNICORN_ACCESS_LOG ("-" for stdout, a file, or empty for none).

Sync workers: each page needs little but the CPU (its database and Redis calls take well under
a millisecond on the same host), and the benchmark (`make bench`) found them at least as fast
as threads on two cores. Slow clients are a proxy's job (nginx buffers requests and responses).
"""

import multiprocessing
import os
from pathlib import Path

_SITE = Path(__file__).resolve().parent.parent  # site/

wsgi_app = "council.wsgi:application"
pythonpath = f"{_SITE},{_SITE.parent}"
bind = [f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"]

workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
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

# Only the proxy in front may say which scheme and address a request came from.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Requests no browser sends are refused before Django sees them (400/431).
limit_request_line = 4094  # the request line: method, path and query string
limit_request_fields = 60
limit_request_field_size = 8190

# One line a request, with no personal data: the path without its query string (a search or a
# track-your-request query can hold a name, an address or a reference), no client address, no
# referrer (which can carry a query string too) and no user agent. %(M)s: milliseconds taken.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
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
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_X_REAL_IP": "127.0.0.1",
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
