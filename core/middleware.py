"""Requests no view should see: answered 400 before any view, DRF or MapProxy reads them.

PostgreSQL text cannot hold a NUL character, so a NUL anywhere in the path, a query or
form parameter, a cookie or a JSON body would reach the database as an error deep in
whatever view took it. Over-long parameters are refused here too: no parameter of ours
needs more than MAX_PARAMETER_CHARS (a WKT outline is posted in a form body, which is
checked for NUL only). One table says what is checked where.
"""
from collections.abc import Iterable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import InvalidInput

NUL = "\x00"
MAX_PARAMETER_CHARS = 4096
# The body is read to look for NUL only when it is a form or JSON of reasonable size;
# file uploads (multipart) are checked field by field, never their files.
MAX_SCANNED_BODY = 2 * 1024 * 1024
JSON_NUL_ESCAPE = b"\\u0000"


@dataclass(frozen=True)
class Refusal:
    where: str  # path, query, form, cookie, header, body
    name: str
    problem: str  # nul, too_long


def _parameters(items: Iterable[tuple[str, list[str]]], where: str,
                max_chars: int | None) -> Refusal | None:
    for name, values in items:
        if NUL in name:
            return Refusal(where, name.replace(NUL, "\\0"), "nul")
        for value in values:
            if NUL in value:
                return Refusal(where, name, "nul")
            if max_chars is not None and len(value) > max_chars:
                return Refusal(where, name, "too_long")
    return None


def request_refusal(request: HttpRequest) -> Refusal | None:
    """What makes `request` unfit for any view, or None."""
    if NUL in request.path_info:
        return Refusal("path", "", "nul")
    found = _parameters(request.GET.lists(), "query", MAX_PARAMETER_CHARS)
    if found is None:
        found = _parameters(((k, [v]) for k, v in request.COOKIES.items()), "cookie", None)
    if found is None:
        found = _parameters(((k, [v]) for k, v in request.META.items()
                             if k.startswith("HTTP_") and isinstance(v, str)), "header", None)
    if found is None and request.method in {"POST", "PUT", "PATCH", "DELETE"}:
        found = _body_refusal(request)
    return found


def _body_refusal(request: HttpRequest) -> Refusal | None:
    content_type = request.content_type or ""
    if content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        return _parameters(request.POST.lists(), "form", None)
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if content_type.endswith("json") and 0 < length <= MAX_SCANNED_BODY:
        body = request.body
        if b"\x00" in body or JSON_NUL_ESCAPE in body:
            return Refusal("body", "", "nul")
    return None


_WHERE = {
    "path": gettext_lazy("the path"), "query": gettext_lazy("query parameter"),
    "form": gettext_lazy("form field"), "cookie": gettext_lazy("cookie"),
    "header": gettext_lazy("header"), "body": gettext_lazy("the request body"),
}
_MESSAGES = {
    "nul": lambda r: _("The request holds a NUL character (%(where)s %(name)s).") % {
        "where": _WHERE[r.where], "name": r.name},
    "too_long": lambda r: _("Parameter %(name)s is longer than %(max)d characters.") % {
        "name": r.name, "max": MAX_PARAMETER_CHARS},
}


class RequestSanityMiddleware:
    """Refuses NUL characters and over-long parameters with 400 naming what and where.

    Placed right after SecurityMiddleware, before the session, locale and authentication
    middleware read cookies and headers. A body too large to read is Django's own 413/400.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = request_refusal(request)
        if refusal is not None:
            return _refusal_response(request, refusal)
        return self.get_response(request)


def _refusal_response(request: HttpRequest, refusal: Refusal) -> HttpResponse:
    error = InvalidInput(_MESSAGES[refusal.problem](refusal),
                         detail={"where": refusal.where, "parameter": refusal.name,
                                 "problem": refusal.problem})
    if "text/html" in request.META.get("HTTP_ACCEPT", ""):  # a browser: the message alone
        return HttpResponse(str(error.message), status=400,
                            content_type="text/plain; charset=utf-8")
    return JsonResponse(error.as_dict(), status=400, json_dumps_params={"ensure_ascii": False})
