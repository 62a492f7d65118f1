"""Who is asking, for clients that cannot keep a session: API tokens and HTTP basic.

Browsers log in with a session. Desktop GIS clients (QGIS) and scripts send, on every
request, either `Authorization: Token <token>` (or `Bearer <token>`), or HTTP basic
credentials: a user name with the password, or with an API token as the password.
`HeaderAuthenticationMiddleware` reads that header for every path (pages, OGC
services, tiles); the two DRF classes give the API the very same rules.

Bad credentials are answered 401 with `WWW-Authenticate: Basic`, never ignored: a
client that sent credentials must learn that they were refused.
"""
import base64
import binascii
import hashlib
import threading
import time
from datetime import timedelta

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication as drf_authentication
from rest_framework import exceptions as drf_exceptions

from .errors import NotAuthenticated
from .models import ApiToken
from .services import token_digest

# Failed API tokens are counted under this name (with the client's address).
TOKEN_CREDENTIALS = {"username": "(api token)"}
WWW_AUTHENTICATE = 'Basic realm="geo_portal", charset="UTF-8"'
TOKEN_SCHEMES = frozenset({"token", "bearer"})
# last_used_at is written at most this often per token (not on every tile).
LAST_USED_STEP = timedelta(minutes=5)
# A checked user name and password is remembered this long in the process, so that
# QGIS asking for 30 tiles at once does not pay 30 password hashes.
BASIC_MEMORY_SECONDS = 300
BASIC_MEMORY_SIZE = 1000


class CredentialsRefused(NotAuthenticated):
    code = "credentials_refused"
    default_message = _("The user name, password or API token is not valid.")


def user_for_token(key: str):
    """The active user of an active API token, or None."""
    token = (ApiToken.objects.select_related("user")
             .filter(digest=token_digest(key), revoked_at__isnull=True).first())
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_STEP:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


_basic_memory: dict[str, tuple[int, str, float]] = {}
_basic_lock = threading.Lock()


def user_for_basic(request: HttpRequest | None, username: str, password: str):
    """The active user named `username` whose password (or API token) is `password`."""
    token_user = user_for_token(password)
    if token_user is not None:
        return token_user if token_user.get_username() == username else None
    key = hashlib.sha256(
        f"{settings.SECRET_KEY}\0{username}\0{password}".encode()).hexdigest()
    remembered = _basic_memory.get(key)
    if remembered and remembered[2] > time.monotonic():
        user = get_user_model().objects.filter(pk=remembered[0], is_active=True).first()
        # A changed password changes the stored hash: the memory no longer counts.
        if user is not None and user.password == remembered[1]:
            return user
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        return None
    with _basic_lock:
        if len(_basic_memory) >= BASIC_MEMORY_SIZE:
            _basic_memory.clear()
        _basic_memory[key] = (user.pk, user.password, time.monotonic() + BASIC_MEMORY_SECONDS)
    return user


def authorization(request: HttpRequest) -> tuple[str, str] | None:
    """(scheme, credentials) of a Token, Bearer or Basic Authorization header, else None."""
    scheme, _, credentials = request.META.get("HTTP_AUTHORIZATION", "").strip().partition(" ")
    scheme = scheme.lower()
    if scheme not in TOKEN_SCHEMES and scheme != "basic":
        return None
    return scheme, credentials.strip()


def user_from_header(request: HttpRequest, scheme: str, credentials: str):
    """The user the credentials name; raise CredentialsRefused when they are not valid."""
    if scheme in TOKEN_SCHEMES:
        user = _user_for_token_throttled(request, credentials)
    else:
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise CredentialsRefused(detail={"header": "Authorization"}) from exc
        username, colon, password = decoded.partition(":")
        user = user_for_basic(request, username, password) if colon else None
    if user is None:
        raise CredentialsRefused(detail={"header": "Authorization"})
    return user


def _user_for_token_throttled(request: HttpRequest, key: str):
    """A token's user; failed tokens count like failed logins, per client address."""
    if AxesProxyHandler.is_locked(request, TOKEN_CREDENTIALS):
        request.axes_locked_out = True  # AxesMiddleware answers 429
        return None
    user = user_for_token(key) if key else None
    if user is None:
        user_login_failed.send(sender=__name__, credentials=TOKEN_CREDENTIALS,
                               request=request)
    return user


def unauthorized_response(error: NotAuthenticated) -> JsonResponse:
    response = JsonResponse(error.as_dict(), status=401)
    response["WWW-Authenticate"] = WWW_AUTHENTICATE
    return response


class HeaderAuthenticationMiddleware:
    """Sets request.user from a Token, Bearer or Basic Authorization header.

    Placed after Django's AuthenticationMiddleware. A token is not sent by a browser on
    its own, so a token-authenticated request needs no CSRF token; basic credentials
    are (browsers repeat them), so those requests keep the CSRF check.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        found = authorization(request)
        if found is not None:
            scheme, credentials = found
            try:
                request.user = user_from_header(request, scheme, credentials)
            except CredentialsRefused as error:
                return unauthorized_response(error)
            request.header_authentication = scheme
            if scheme in TOKEN_SCHEMES:
                request._dont_enforce_csrf_checks = True
        return self.get_response(request)


class _HeaderAuthentication(drf_authentication.BaseAuthentication):
    schemes: frozenset[str] = frozenset()

    def authenticate(self, request):
        found = authorization(request._request)
        if found is None or found[0] not in self.schemes:
            return None
        if getattr(request._request, "header_authentication", None) in self.schemes:
            return request._request.user, found[0]
        try:
            return user_from_header(request._request, *found), found[0]
        except CredentialsRefused as error:
            raise drf_exceptions.AuthenticationFailed(str(error.message)) from error

    def authenticate_header(self, request) -> str:
        return WWW_AUTHENTICATE


class TokenAuthentication(_HeaderAuthentication):
    """DRF: `Authorization: Token <token>` or `Bearer <token>`."""

    schemes = TOKEN_SCHEMES


class BasicAuthentication(_HeaderAuthentication):
    """DRF: HTTP basic with a password or with an API token as the password."""

    schemes = frozenset({"basic"})


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """How the API schema describes token authentication."""

    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema) -> dict:
        return {"type": "http", "scheme": "bearer",
                "description": "An API token: `Authorization: Bearer <token>` "
                               "(or `Token <token>`). Created in the administration or with "
                               "`manage.py api_token create USER`."}


class BasicAuthenticationScheme(OpenApiAuthenticationExtension):
    """How the API schema describes HTTP basic authentication."""

    target_class = BasicAuthentication
    name = "basicAuth"

    def get_security_definition(self, auto_schema) -> dict:
        return {"type": "http", "scheme": "basic",
                "description": "User name with the password, or with an API token as the "
                               "password (desktop GIS clients such as QGIS)."}
