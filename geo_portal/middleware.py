"""Polish first (the interface is Polish unless the user chose English themselves), and the
headers and guards every answer gets."""
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpResponseForbidden
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _


class PolishFirstLocaleMiddleware(LocaleMiddleware):
    """Like Django's LocaleMiddleware, but a browser's Accept-Language is not a choice.

    A municipal portal is Polish; many officials and residents run browsers set to
    English without wanting an English office. The language switch (a cookie) decides.
    """

    def process_request(self, request) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


# Scripts and styles only from our own static files (the OpenLayers bundle is built from
# npm into them, never a CDN); tiles, legends and feature info from our own services.
# Inline style attributes are allowed (style-src-attr): colour swatches use them and they
# cannot run code; inline <script> and <style> elements are not.
def _policy(form_action: str) -> str:
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        f"form-action {form_action}",
        "frame-ancestors 'none'",
    ])


CONTENT_SECURITY_POLICY = _policy("'self'")


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else None


def identity_provider_origins() -> list[str]:
    """Where the login form may lead besides ourselves: the SAML login answers with a
    redirect to the identity provider (login.gov.pl), and browsers hold a form's redirects
    to form-action too. Read at call time: each deployment configures its own."""
    apps = settings.SOCIALACCOUNT_PROVIDERS.get("saml", {}).get("APPS", [])
    idps = [app.get("settings", {}).get("idp", {}) for app in apps]
    urls = [idp.get(key) or "" for idp in idps for key in ("sso_url", "metadata_url", "entity_id")]
    return sorted({origin for url in urls if (origin := _origin(url))})


def content_security_policy() -> str:
    origins = identity_provider_origins()
    return _policy(" ".join(["'self'", *origins])) if origins else CONTENT_SECURITY_POLICY


PERMISSIONS_POLICY = "geolocation=(self), camera=(), microphone=(), payment=()"
# Pages for a logged-in user hold personal data: no shared cache may keep them.
PRIVATE_CACHE_CONTROL = "private, no-cache"


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every answer; Cache-Control
    private on every answer to a logged-in user that did not set its own."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = PRIVATE_CACHE_CONTROL
        return response


LOOPBACK = frozenset({"127.0.0.1", "::1"})


class DebugOnlyOnLoopbackMiddleware:
    """With DEBUG on, answer only this computer: Django's debug pages show source code and
    settings, so a development server someone exposes on a LAN refuses everyone else.
    Not installed at all when DEBUG is off."""

    def __init__(self, get_response) -> None:
        if not settings.DEBUG:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        if request.META.get("REMOTE_ADDR") not in LOOPBACK:
            return HttpResponseForbidden(
                _("This development server (DEBUG on) answers only on this computer. "
                  "Run the demo with HOST set to share it on a network: debugging is then "
                  "off."), content_type="text/plain; charset=utf-8")
        return self.get_response(request)
