"""How a logged-in page shows a product error: the error's status and its message, on the
app's own error template (the API has its handler in core.api)."""
import functools

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .errors import GeoPortalError


def login_page(template: str):
    """Decorator: login required; a GeoPortalError (403, 404, 400, ...) is answered with its
    status and message rendered on `template` as `error`."""

    def decorate(view):
        @login_required
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except GeoPortalError as exc:
                return render(request, template, {"error": exc}, status=exc.status)

        return wrapper

    return decorate
