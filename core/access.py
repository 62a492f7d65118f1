"""Which units a user may see and change: the one place that answers it.

Selectors and the admin scope every query of unit data through `units_for`; a
staff member of one gmina never sees another gmina's rows.
"""
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .errors import Forbidden, NotAuthenticated
from .identifiers import LEVEL_POWIAT, parse_teryt
from .models import AdministrativeUnit, Membership
from .roles import (
    CASCADING_ROLES,
    COUNTY_REGISTERS,
    GRANTS,
    PERSONAL_DATA_ROLES,
    ROLE_CHOICES,
    ROLE_RIGHTS,
    SECRECY_ROLES,
)


def _memberships(user, roles: Iterable[str] | None) -> QuerySet[Membership]:
    qs = Membership.objects.filter(user=user)
    return qs.filter(role__in=list(roles)) if roles is not None else qs


def _is_powiat(teryt: str) -> bool:
    return parse_teryt(teryt).level == LEVEL_POWIAT


def units_for(user, roles: Iterable[str] | None = None, *, county_register: bool = False
              ) -> QuerySet[AdministrativeUnit]:
    """Units where `user` holds one of `roles` (any role when None); with
    `county_register`, a role held in a powiat also reaches the powiat's gminy."""
    if not user or not user.is_authenticated:
        return AdministrativeUnit.objects.none()
    if user.is_superuser:
        return AdministrativeUnit.objects.all()
    reach = Q(pk__in=[])
    for unit_id, teryt, role in _memberships(user, roles).values_list(
        "unit_id", "unit__teryt", "role"
    ):
        reach |= Q(pk=unit_id)
        if role in CASCADING_ROLES or (county_register and _is_powiat(teryt)):
            reach |= Q(teryt__startswith=teryt)
    return AdministrativeUnit.objects.filter(reach)


def roles_granting(model_label: str, action: str) -> set[str]:
    """Roles that may perform `action` ('view', 'add', ...) on `model_label` data."""
    return {role for role, rights in ROLE_RIGHTS.items() if action in rights.get(model_label, ())}


def units_allowing(user, model_label: str, action: str) -> QuerySet[AdministrativeUnit]:
    """Units whose `model_label` rows `user` may `action`: where a role granting it is held,
    below it for a cascading role, and the powiat's gminy for a county register."""
    return units_for(user, roles_granting(model_label, action),
                     county_register=model_label in COUNTY_REGISTERS)


def scope_queryset(qs: QuerySet, user, action: str = "view", unit_path: str = "unit") -> QuerySet:
    """Restrict `qs` to rows of units where `user` may perform `action` on its model."""
    if user and user.is_authenticated and user.is_superuser:
        return qs
    units = units_allowing(user, qs.model._meta.label_lower, action)
    return qs.filter(**{f"{unit_path}__in": units})


def ensure_unit_access(user, unit: AdministrativeUnit, model_label: str, action: str) -> None:
    """Raise the product's 401/403 error unless `user` may `action` `model_label` in `unit`."""
    if not user or not user.is_authenticated:
        raise NotAuthenticated()
    if not units_allowing(user, model_label, action).filter(pk=unit.pk).exists():
        raise Forbidden(detail={"unit": unit.teryt})


def can_see_personal_data(user, unit: AdministrativeUnit) -> bool:
    return units_for(user, PERSONAL_DATA_ROLES).filter(pk=unit.pk).exists()


def roles_held_in(user, unit: AdministrativeUnit) -> set[str]:
    """The roles `user` holds in `unit`: their own there, and cascading roles from above."""
    if not user or not user.is_authenticated:
        return set()
    return {
        role for role, teryt, unit_id in _memberships(user, None).values_list(
            "role", "unit__teryt", "unit_id")
        if unit_id == unit.pk or (role in CASCADING_ROLES and unit.teryt.startswith(teryt))
    }


def roles_grantable(by, unit: AdministrativeUnit) -> set[str]:
    """Roles `by` may grant (and revoke) in `unit`: core.roles.GRANTS for the roles they hold
    there, less the secrecy roles they do not hold there themselves."""
    if not by or not by.is_authenticated or not by.is_active:
        return set()
    if by.is_superuser:
        return {code for code, _label in ROLE_CHOICES}
    held = roles_held_in(by, unit)
    grantable = set().union(*(GRANTS.get(role, ()) for role in held))
    return {role for role in grantable if role not in SECRECY_ROLES or role in held}


def ensure_may_grant(by, unit: AdministrativeUnit, role: str) -> None:
    """Raise the product's 403 unless `by` may grant or revoke `role` in `unit`."""
    if not by or not by.is_authenticated:
        raise NotAuthenticated()
    if role not in roles_grantable(by, unit):
        raise Forbidden(_("You may not grant or revoke this role in this unit."),
                        detail={"unit": unit.teryt, "role": role})


def staff_signature(*, user, unit) -> str:
    """How `user` signs a document for `unit`: full name and position ("Jan Kowalski,
    inspektor ds. planowania"); the login name only when no name was given."""
    from .models import Membership

    name = user.get_full_name() or user.get_username()
    position = (Membership.objects.filter(user=user, unit=unit).exclude(position="")
                .values_list("position", flat=True).first())
    return f"{name}, {position}" if position else name
