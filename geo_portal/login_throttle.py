"""Failed logins throttled on every way in, with django-axes.

Axes counts failures through Django's own `authenticate()` (its backend comes first in
AUTHENTICATION_BACKENDS) and the `user_login_failed` signal, so the login page, the
admin, HTTP basic on the API and OGC services (core.authentication) and any login view
added later are covered alike; API tokens, which never pass `authenticate()`, report
their failures to it through the same signal. Failures count per user name and client
address: a guesser is stopped without letting anyone lock a colleague out from elsewhere.
"""
from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


class LoginThrottleBackend(AxesStandaloneBackend):
    """Axes' check before the password one. Without an HTTP request (a shell, a test
    client's login) there is no address to count and nothing to throttle."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def client_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """The name tried: `username` from Django's forms and HTTP basic; allauth's login page
    sends its one field as `username` or `email`, whichever the person typed."""
    credentials = credentials or {}
    tried = credentials.get("username") or credentials.get("email")
    if not tried and request is not None and request.method == "POST":
        tried = request.POST.get("login") or request.POST.get("username")
    return (tried or "").strip().lower()


def client_ip(request: HttpRequest) -> str:
    """The client's address: nginx's X-Real-IP behind our proxy, else the peer's."""
    if getattr(settings, "GEO_PORTAL_BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_REAL_IP", "").strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR", "")


def lockout_response(request: HttpRequest, original_response=None,
                     credentials: dict | None = None) -> HttpResponse:
    """429 with Retry-After: the login page says it in words, clients get JSON."""
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else 3600
    minutes = max(1, -(-seconds // 60))
    message = _("Too many failed logins. Try again in %(minutes)d minutes.") % {
        "minutes": minutes}
    if "text/html" in request.META.get("HTTP_ACCEPT", ""):
        response = render(request, "registration/locked.html", {"message": message},
                          status=429)
    else:
        response = JsonResponse({"code": "login_locked", "message": message,
                                 "detail": {"retry_after": seconds}}, status=429,
                                json_dumps_params={"ensure_ascii": False})
    response["Retry-After"] = str(seconds)
    return response
