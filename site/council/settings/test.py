"""Settings for the test suite: fast hashing, in-memory email, no network."""

from pathlib import Path

from .base import *  # noqa: F403
from .environment import env

DEBUG = False
SECRET_KEY = "test-only-insecure-key-0123456789abcdefghijklmnopqrstuvwxyz"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MEDIA_ROOT = Path(env.str("TEST_MEDIA_ROOT", default="/tmp/council-test-media"))
PRIVATE_MEDIA_ROOT = Path(env.str("TEST_PRIVATE_MEDIA_ROOT", default="/tmp/council-test-private"))
STORAGES = {
    **STORAGES,  # noqa: F405
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
}
