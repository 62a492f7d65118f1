"""One error hierarchy for the whole product.

Each error has a stable code (for API clients and logs), an HTTP status, and a
message a resident can read, translated. `detail` carries what was wrong and where
(file, line, feature id, field) and must never contain personal data.
"""
from typing import Any

from django.utils.translation import gettext_lazy as _


class GeoPortalError(Exception):
    code = "error"
    status = 500
    default_message = _("Something went wrong on our side.")

    def __init__(self, message: Any = None, *, detail: dict | None = None) -> None:
        self.message = message if message is not None else self.default_message
        self.detail = detail or {}
        super().__init__(str(self.message))

    def as_dict(self) -> dict:
        return {"code": self.code, "message": str(self.message), "detail": self.detail}


class InvalidInput(GeoPortalError):
    code = "invalid_input"
    status = 400
    default_message = _("The request is not valid.")


class NotAuthenticated(GeoPortalError):
    code = "not_authenticated"
    status = 401
    default_message = _("Please log in to see this.")


class Forbidden(GeoPortalError):
    code = "forbidden"
    status = 403
    default_message = _("You do not have access to this unit's data.")


class NotFound(GeoPortalError):
    code = "not_found"
    status = 404
    default_message = _("Not found.")


class Conflict(GeoPortalError):
    code = "conflict"
    status = 409
    default_message = _("Someone else changed this in the meantime; reload and try again.")


class ServiceUnavailable(GeoPortalError):
    code = "service_unavailable"
    status = 503
    default_message = _("A map or database service is not available right now.")


class RuleNotInForce(GeoPortalError):
    """A computation needs a legal rule for a date no row covers: the office enters it
    (with its source); the product never falls back to another year's figure."""

    code = "rule_not_in_force"
    status = 409
    default_message = _("A legal rule this needs is not entered for that date.")
