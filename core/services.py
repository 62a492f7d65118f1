"""Writes to units and staff roles."""
from django.contrib.auth import get_user_model
from django.db import transaction

from .identifiers import parse_teryt
from .models import AdministrativeUnit, Membership

User = get_user_model()


def unit_create(*, teryt: str, name: str, boundary=None, **office) -> AdministrativeUnit:
    unit = AdministrativeUnit(teryt=parse_teryt(teryt).code, name=name, boundary=boundary, **office)
    unit.full_clean()
    unit.save()
    return unit


@transaction.atomic
def membership_grant(*, user, unit: AdministrativeUnit, role: str) -> Membership:
    """Give `user` a staff role in `unit`; staff roles open the administration pages."""
    membership, _ = Membership.objects.get_or_create(user=user, unit=unit, role=role)
    if not user.is_staff:
        User.objects.filter(pk=user.pk).update(is_staff=True)
        user.is_staff = True
    return membership


@transaction.atomic
def membership_revoke(*, user, unit: AdministrativeUnit, role: str) -> None:
    Membership.objects.filter(user=user, unit=unit, role=role).delete()
    if not user.is_superuser and not Membership.objects.filter(user=user).exists():
        User.objects.filter(pk=user.pk).update(is_staff=False)
        user.is_staff = False
