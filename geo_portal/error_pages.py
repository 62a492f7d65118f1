"""The product's own error pages (templates 403.html, 404.html, 500.html), also in the demo.

With DEBUG on, Django answers a missing page with its technical page (URL patterns,
settings names) in English. People trying the demo get what a deployment shows, the
Polish 404 page; 403 already goes through its template in either mode. A 500 keeps the
debugger on this computer (the demo answers nothing else while DEBUG is on).
"""
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.defaults import page_not_found


class NotFoundPageInDebugMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        unresolved = getattr(request, "resolver_match", None) is None
        if settings.DEBUG and response.status_code == 404 and unresolved and _is_html(response):
            return page_not_found(request, Http404())
        return response

    def process_exception(self, request: HttpRequest, exception: Exception):
        if settings.DEBUG and isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None


def _is_html(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("text/html")
