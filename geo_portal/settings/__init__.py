"""Settings for development and tests; production imports these and hardens them.

Every value can be set from the environment; the defaults are safe for a
developer's machine (the project-local PostGIS cluster started by `make demo`).
"""
from datetime import timedelta
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from geo_portal.hosts import AllowedHosts

from .env import database_from_url, env_bool, env_int, env_list, env_str
from .login_gov import login_gov_pl_apps

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("GEO_PORTAL_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", True)
# The development key is public by design; production refuses to start without its own.
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-insecure-key-never-use-in-production")
# The configured hosts, and the host names of the units (geo_portal.hosts).
ALLOWED_HOSTS = AllowedHosts(env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver"))
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "rest_framework_gis",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "procrastinate.contrib.django",
    "axes",
    # Ours, bottom to top: each may use only those listed before it.
    "core",
    "cadastre_sync",
    "layers",
    "permits",
    "geo_portal",
    # Accounts (sign-up, e-mail verification, password reset, SAML): after ours, so that our
    # templates (geo_portal/templates/account, allauth, socialaccount) replace its own.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.saml",
    # Development only: the demo generator (manage.py demo_data); production leaves it out.
    "geo_portal.demo",
]

MIDDLEWARE = [
    # With DEBUG on, only this computer is answered (the debug pages show source code).
    "geo_portal.middleware.DebugOnlyOnLoopbackMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy; Cache-Control private for logged-in users.
    "geo_portal.middleware.SecurityHeadersMiddleware",
    # NUL characters and over-long parameters answered 400 before anything reads them.
    "core.middleware.RequestSanityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Cached tiles of public layers, sent from MapProxy's cache before sessions are read.
    "layers.cached_tiles.CachedTileMiddleware",
    # A click on the map without credentials, answered before sessions are read.
    "geo_portal.api.middleware.ParcelAtPointMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "geo_portal.middleware.PolishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Turns a login refused for too many failures into 429 (geo_portal.login_throttle);
    # before the header authentication, so that its refusals are seen too.
    "axes.middleware.AxesMiddleware",
    # API tokens and HTTP basic for desktop GIS clients, on every path (core.authentication).
    "core.authentication.HeaderAuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # The Polish 404 page instead of Django's technical one in the demo (DEBUG on).
    "geo_portal.error_pages.NotFoundPageInDebugMiddleware",
]

ROOT_URLCONF = "geo_portal.urls"
WSGI_APPLICATION = "geo_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "geo_portal.navigation.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(
        env_str("DATABASE_URL", "postgis://postgres@127.0.0.1:55432/geo_portal")
    )
}
# Parallel test runs on one cluster (several developers, CI) each name their own test DB.
DATABASES["default"]["TEST"] = {"NAME": env_str("GEO_PORTAL_TEST_DB", "test_geo_portal")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed logins throttled on every way in (geo_portal/login_throttle.py, django-axes):
# AXES_FAILURE_LIMIT failures per user name and address lock that pair for the cool-off.
# allauth's backend (user name or e-mail address) after Django's own.
AUTHENTICATION_BACKENDS = [
    "geo_portal.login_throttle.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# The name tried, whichever form sent it (allauth's login field takes a name or an address).
AXES_USERNAME_CALLABLE = "geo_portal.login_throttle.client_username"
AXES_FAILURE_LIMIT = env_int("GEO_PORTAL_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("GEO_PORTAL_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "geo_portal.login_throttle.lockout_response"
AXES_CLIENT_IP_CALLABLE = "geo_portal.login_throttle.client_ip"
AXES_VERBOSE = False
# Behind our nginx (deploy/nginx.conf) the client's address comes in X-Real-IP; never
# trust that header where clients reach the application directly.
GEO_PORTAL_BEHIND_PROXY = env_bool("GEO_PORTAL_BEHIND_PROXY", False)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Residents' accounts (django-allauth): sign-up with a verified e-mail address, password
# reset by e-mail, login.gov.pl through SAML 2.0 where the deployment configures it. Staff
# accounts keep their user names; anyone logs in with a user name or an e-mail address.
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "geo_portal.accounts.ResidentDetailsForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "geo_portal: "
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_ADAPTER = "geo_portal.accounts.AccountAdapter"
# Failed logins are counted by django-axes on every way in (one count, one 429 answer);
# allauth keeps its other limits (sign-ups, reset and confirmation mails).
ACCOUNT_RATE_LIMITS = {"login_failed": None}
# An address from an identity provider never joins an existing account by itself.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_PROVIDERS = {"saml": {"APPS": login_gov_pl_apps()}}

# Polish first, English second.
LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", _("Polish")), ("en", _("English"))]
# One catalogue per app (each app's strings live beside its code); listed here so that
# our wording wins over Django's own catalogues for the same msgid.
LOCALE_PATHS = [
    BASE_DIR / app / "locale"
    for app in ("geo_portal", "permits", "layers", "cadastre_sync", "core")
]
TIME_ZONE = "Europe/Warsaw"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(VAR_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"
# Stored files are personal and never served by URL (core.files). Empty: Django streams a
# permitted file itself; set (e.g. /_private_files/) behind nginx, which then sends it
# from an `internal` location on MEDIA_ROOT (X-Accel-Redirect, see deploy/nginx.conf).
PRIVATE_FILES_ACCEL_PREFIX = env_str("GEO_PORTAL_PRIVATE_FILES_ACCEL", "")

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "geo_portal <noreply@localhost>")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.authentication.TokenAuthentication",
        "core.authentication.BasicAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "geo_portal API",
    "DESCRIPTION": "Parcels, zoning and applications of the hosted local government units.",
    "VERSION": "0.1.0",
    # Served from our own static files: municipal intranets are often offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# The map stack: MapServer renders from PostGIS, MapProxy caches and serves OGC services.
MAPSERVER_BINARY = env_str("MAPSERVER_BINARY", "/usr/bin/mapserv")
# MapServer kept warm (layers/mapserver_pool.py): mapserv FastCGI processes per Python
# process, each replaced after so many requests; 0 runs mapserv as a CGI per request.
MAPSERVER_PROCESSES = env_int("MAPSERVER_PROCESSES", 4)
MAPSERVER_PROCESS_REQUESTS = env_int("MAPSERVER_PROCESS_REQUESTS", 5000)
MAPPROXY_CACHE_DIR = Path(env_str("MAPPROXY_CACHE_DIR", str(VAR_DIR / "cache" / "mapproxy")))
# Cached tiles of public layers (layers/cached_tiles.py): empty, Django sends the file; set
# (e.g. /_tile_cache/) behind nginx, which sends it from an `internal` location on
# MAPPROXY_CACHE_DIR (X-Accel-Redirect, see deploy/nginx.conf).
TILE_CACHE_ACCEL_PREFIX = env_str("GEO_PORTAL_TILE_CACHE_ACCEL", "")
# Seeding and refreshing tiles: MapServer processes drawing at once (the renderer stays
# free for visitors), how often a seed checkpoints its progress, and the pl1992 levels
# an initial seed draws by default (12: 0.76 m/px, about 1:2 700).
MAP_SEED_CONCURRENCY = env_int("MAP_SEED_CONCURRENCY", 2)
MAP_SEED_CHECKPOINT_SECONDS = env_int("MAP_SEED_CHECKPOINT_SECONDS", 2)
MAP_SEED_LEVELS = env_str("MAP_SEED_LEVELS", "0-12")
# A running job stamps a heartbeat every quarter of this; one silent for longer died with
# its process and is marked failed (core.jobs).
JOB_LEASE_SECONDS = env_int("GEO_PORTAL_JOB_LEASE_SECONDS", 120)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "mapproxy": {"level": "WARNING"},
        "procrastinate": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# gis.W001: Debian 12's GDAL (3.6) predates the option that lets Django forbid GDAL
# from opening arbitrary files and URLs. geo_portal never hands a user-supplied path
# or URL to GDAL: uploads are saved under MEDIA_ROOT with names we generate, and only
# those paths reach OGR. Silenced deliberately, for that reason, here and in production.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]
