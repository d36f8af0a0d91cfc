"""WSGI entry point: `gunicorn --pythonpath site council.wsgi` (site/ is not a package)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "council.settings.production")

application = get_wsgi_application()
