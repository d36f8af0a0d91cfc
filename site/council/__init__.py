"""The Django project of the council site: settings, URLs and the WSGI entry point."""
