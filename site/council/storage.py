"""Static file storage for production."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Compressed files with hashed names, including the `import` in our JavaScript module, so
    browsers can cache every file for a year and still get a new release at once."""

    support_js_module_import_aggregation = True
