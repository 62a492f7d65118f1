"""The one place where errors become HTTP answers, for the API and for the pages."""
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import GeoPortalError, InvalidInput


def exception_handler(exc, context):
    """DRF exception handler: our errors carry their status, code and readable message."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"errors": exc.messages}
        exc = InvalidInput(detail=detail)
    if isinstance(exc, GeoPortalError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, (Http404, DjangoPermissionDenied)):
        return drf_exception_handler(exc, context)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, drf.APIException):
        response.data = {
            "code": exc.get_codes() if isinstance(exc.get_codes(), str) else "invalid_input",
            "message": str(exc.detail) if isinstance(exc.detail, str) else str(exc.default_detail),
            "detail": response.data if not isinstance(exc.detail, str) else {},
        }
    return response
