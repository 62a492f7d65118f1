"""Who is a regional operator and which units they oversee."""
from django.db.models import QuerySet

from core.access import units_for
from core.errors import Forbidden, NotAuthenticated
from core.models import AdministrativeUnit
from core.roles import OPERATOR


def operator_units(*, user) -> QuerySet[AdministrativeUnit]:
    """Units under `user`'s operator roles (all for a superuser); raise 401/403 otherwise."""
    if not user or not user.is_authenticated:
        raise NotAuthenticated()
    units = units_for(user, [OPERATOR])
    if not user.is_superuser and not units.exists():
        raise Forbidden(detail={"role": OPERATOR})
    return units.order_by("teryt")
