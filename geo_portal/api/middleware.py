"""A click on the map answered before the session, authentication and the rest of the
middleware are set up, where none of them could change the answer."""
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.urls import reverse

from geo_portal.middleware import PolishFirstLocaleMiddleware

from .views import parcel_at_point_lean


class ParcelAtPointMiddleware:
    """Answers GET /api/parcels/at/ of a request that carries no credentials (no session
    cookie, no Authorization header) right after the request guards, before the session,
    CSRF, authentication, throttling and account middleware, which have nothing to do for
    it: its user is anonymous whatever runs, and the access policy is asked for that user
    as on every path. The answer is parcel_at_point_lean's, given the headers the skipped
    middleware would add (Content-Language and Vary, Content-Length, X-Frame-Options) by
    those middlewares themselves. Anything it does not answer (another Accept, a refusal,
    a request with credentials) goes on through the whole stack as before."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.locale = PolishFirstLocaleMiddleware(get_response)
        self.common = CommonMiddleware(get_response)
        self.frame = XFrameOptionsMiddleware(get_response)
        self._path: str | None = None

    def _at_path(self) -> str:
        if self._path is None:
            self._path = reverse("api-parcel-at")
        return self._path

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (request.method == "GET" and request.path_info == self._at_path()
                and "HTTP_AUTHORIZATION" not in request.META
                and settings.SESSION_COOKIE_NAME not in request.COOKIES):
            # The language first: a refusal kept for DRF is worded in the user's language.
            self.locale.process_request(request)
            response = parcel_at_point_lean(request, user=AnonymousUser())
            if response is not None:
                # In the order the skipped middleware would have answered (inner first).
                response = self.frame.process_response(request, response)
                response = self.common.process_response(request, response)
                return self.locale.process_response(request, response)
        return self.get_response(request)
