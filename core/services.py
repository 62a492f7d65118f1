"""Writes to units, staff roles and API tokens."""
import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.gis.geos import MultiPolygon
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .access import ensure_may_grant
from .boundaries import SRID, boundary_from_file
from .errors import Forbidden, InvalidInput, NotFound
from .identifiers import parse_teryt
from .models import AdministrativeUnit, ApiToken, Membership, PersonProfile, StaffInvitation
from .roles import ROLE_CHOICES
from .terc import TercUnit

User = get_user_model()
ROLES = frozenset(code for code, _label in ROLE_CHOICES)


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


# Boundaries closer than this (metres) are the same boundary read again.
BOUNDARY_TOLERANCE_M = 0.001


@transaction.atomic
def units_import(*, units: Iterable[TercUnit], boundaries: dict[str, MultiPolygon]
                 ) -> dict[str, list[str]]:
    """Host the units of a TERC file, with their PRG boundaries; safe to run again.

    A unit already hosted keeps its id and everything attached to it; only a changed name or
    boundary is written. All or nothing: a unit that fails validation stops the whole run.
    Answers the TERYT codes created, updated and unchanged."""
    done: dict[str, list[str]] = {"created": [], "updated": [], "unchanged": []}
    hosted = {u.teryt: u for u in AdministrativeUnit.objects.filter(
        teryt__in=[u.teryt for u in units])}
    for record in units:
        unit, boundary = hosted.get(record.teryt), boundaries.get(record.teryt)
        if unit is None:
            unit = unit_create(teryt=record.teryt, name=record.name)
            done["created"].append(unit.teryt)
        elif unit.name != record.name:
            unit.name = record.name
            unit.full_clean()
            unit.save(update_fields=["name"])
            done["updated"].append(unit.teryt)
        elif boundary is not None and not _same_boundary(unit.boundary, boundary):
            done["updated"].append(unit.teryt)
        else:
            done["unchanged"].append(unit.teryt)
        if boundary is not None and not _same_boundary(unit.boundary, boundary):
            unit_boundary_set(unit=unit, boundary=boundary)
    return done


def _same_boundary(old: MultiPolygon | None, new: MultiPolygon) -> bool:
    return old is not None and old.equals_exact(new, BOUNDARY_TOLERANCE_M)


@transaction.atomic
def membership_grant(*, user, unit: AdministrativeUnit, role: str, by=None) -> Membership:
    """Give `user` a staff role in `unit`; staff roles open the administration pages.

    `by` is the person granting it, checked against core.roles.GRANTS and SECRECY_ROLES:
    every page and the admin pass it. None is the system itself (management commands,
    demo data), run by whoever operates the deployment.
    """
    if role not in ROLES:
        raise InvalidInput(detail={"role": role})
    if by is not None:
        ensure_may_grant(by, unit, role)
    membership, _ = Membership.objects.get_or_create(user=user, unit=unit, role=role)
    if not user.is_staff:
        User.objects.filter(pk=user.pk).update(is_staff=True)
        user.is_staff = True
    return membership


@transaction.atomic
def membership_revoke(*, user, unit: AdministrativeUnit, role: str, by=None) -> None:
    """Take `role` in `unit` from `user`; `by` as for membership_grant."""
    if by is not None:
        ensure_may_grant(by, unit, role)
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


# How long an invitation link stays valid.
INVITATION_VALIDITY = timedelta(days=7)


@transaction.atomic
def staff_invitation_create(*, unit: AdministrativeUnit, role: str, email: str,
                            by) -> tuple[StaffInvitation, str]:
    """Invite `email` to take `role` in `unit`: the row (digest only) and the link's token.

    Refused unless `by` may grant that role there; an earlier open invitation of the same
    address to the same role is withdrawn, so only the newest link works.
    """
    if role not in ROLES:
        raise InvalidInput(detail={"role": role})
    ensure_may_grant(by, unit, role)
    email = User.objects.normalize_email(email).strip().lower()
    now = timezone.now()
    StaffInvitation.objects.filter(unit=unit, role=role, email=email, accepted_at__isnull=True,
                                   revoked_at__isnull=True).update(revoked_at=now)
    key = secrets.token_urlsafe(32)
    invitation = StaffInvitation.objects.create(
        unit=unit, role=role, email=email, digest=token_digest(key), invited_by=by,
        expires_at=now + INVITATION_VALIDITY)
    return invitation, key


def staff_invitation_open(*, token: str) -> StaffInvitation:
    """The open invitation behind a link's token; NotFound when unknown, used or expired."""
    invitation = (StaffInvitation.objects.select_related("unit", "invited_by")
                  .filter(digest=token_digest(token or "")).first())
    if invitation is None or not invitation.is_open:
        raise NotFound(_("This invitation is not valid any more: it was used, withdrawn or "
                         "has expired. Ask your unit's administrator for a new one."))
    return invitation


@transaction.atomic
def staff_invitation_accept(*, token: str, user) -> Membership:
    """`user` takes the invited role, granted on behalf of whoever invited them.

    The account's e-mail must be the invited address, so a forwarded link opens nothing.
    """
    invitation = staff_invitation_open(token=token)
    invitation = StaffInvitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise NotFound()
    if (user.email or "").strip().lower() != invitation.email:
        raise Forbidden(_("This invitation was sent to %(email)s; log in with the account "
                          "of that address.") % {"email": invitation.email})
    membership = membership_grant(user=user, unit=invitation.unit, role=invitation.role,
                                  by=invitation.invited_by)
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def staff_invitation_revoke(*, invitation: StaffInvitation, by) -> None:
    ensure_may_grant(by, invitation.unit, invitation.role)
    StaffInvitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        revoked_at=timezone.now())


@transaction.atomic
def person_details_update(*, user, first_name: str, last_name: str, address: str,
                          phone: str = "") -> PersonProfile:
    """The name on the account and the address its applications start with."""
    user.first_name, user.last_name = first_name.strip()[:150], last_name.strip()[:150]
    user.save(update_fields=["first_name", "last_name"])
    profile, _ = PersonProfile.objects.update_or_create(
        user=user, defaults={"address": address.strip(), "phone": phone.strip()})
    return profile
