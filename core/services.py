"""Writes to units, staff roles and API tokens."""
import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.contrib.gis.geos import MultiPolygon
from django.db import transaction
from django.utils import timezone

from .boundaries import SRID, boundary_from_file
from .identifiers import parse_teryt
from .models import AdministrativeUnit, ApiToken, Membership

User = get_user_model()


def unit_create(*, teryt: str, name: str, boundary=None, **office) -> AdministrativeUnit:
    unit = AdministrativeUnit(teryt=parse_teryt(teryt).code, name=name, boundary=boundary, **office)
    unit.full_clean()
    unit.save()
    return unit


def unit_boundary_set(*, unit: AdministrativeUnit, boundary: MultiPolygon | None,
                      source: str = AdministrativeUnit.BOUNDARY_GIVEN) -> AdministrativeUnit:
    """Record `unit`'s boundary (EPSG:2180); a given boundary is never replaced by a derived one.

    `boundary=None` with the default source clears it, so the next cadastre import derives it.
    """
    if boundary is not None and boundary.srid != SRID:
        boundary = boundary.transform(SRID, clone=True)
    if boundary is not None and not isinstance(boundary, MultiPolygon):
        boundary = MultiPolygon(boundary, srid=SRID)
    unit.boundary = boundary
    unit.boundary_source = source if boundary is not None else AdministrativeUnit.BOUNDARY_GIVEN
    unit.save(update_fields=["boundary", "boundary_source"])
    return unit


def unit_boundary_set_from_file(*, unit: AdministrativeUnit, path: str) -> AdministrativeUnit:
    """The boundary from a PRG file (or any OGR source); BoundaryFileInvalid says why not."""
    return unit_boundary_set(unit=unit, boundary=boundary_from_file(path, teryt=unit.teryt))


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


@transaction.atomic
def api_token_create(*, user, name: str = "", expires_at=None) -> tuple[ApiToken, str]:
    """A new API token for `user`: the row (digest only) and the token, shown once."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:8],
                                    digest=token_digest(key), expires_at=expires_at)
    return token, key


def api_token_revoke(*, user, prefix: str | None = None) -> int:
    """Revoke `user`'s active tokens (only the one starting with `prefix` when given)."""
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    if prefix:
        tokens = tokens.filter(prefix=prefix[:8])
    return tokens.update(revoked_at=timezone.now())


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()
