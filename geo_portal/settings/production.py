"""Production settings: everything secret comes from the environment, HTTPS everywhere."""
from django.core.exceptions import ImproperlyConfigured

from . import *  # noqa: F403
from .env import env_bool, env_int, env_str

DEBUG = False
# The demo generator creates a superuser with a published password and rewrites units'
# cadastres: not a production tool (the image does not even contain it, .dockerignore).
INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "geo_portal.demo"]  # noqa: F405
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be a random string of 50+ characters.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# gis.W001 stays silenced for the reason given in the base settings.
