"""Who stands in which role towards an application (workflow.APPLICANT / OFFICER).

Officers are the staff whose role grants 'change' on permits.application in the
application's unit (core.roles.ROLE_RIGHTS); nothing else makes someone an officer, and an
officer is never one towards their own application.
"""
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from cadastre_sync.identifiers import validate_pesel
from cadastre_sync.models import OwnershipShare
from cadastre_sync.selectors import fold
from core.access import units_allowing

from .models import Application
from .workflow import APPLICANT, OFFICER

LABEL = "permits.application"
_PESEL_AT_END = re.compile(r"(\d{11})$")


def officer_units(user, action: str = "change"):
    return units_allowing(user, LABEL, action)


def roles_towards(user, application: Application) -> set[str]:
    roles: set[str] = set()
    if not user or not user.is_authenticated:
        return roles
    if application.applicant_id == user.pk:
        # KPA art. 24 § 1 pkt 1: an official is excluded from a case he is a party to.
        return {APPLICANT}
    if (officer_units(user).filter(pk=application.unit_id).exists()
            and not officer_exclusion(user, application)):
        roles.add(OFFICER)
    return roles


def visible_applications(user) -> QuerySet[Application]:
    """The applicant's own applications and, for staff, the submitted ones of their units
    (a draft is private to its author)."""
    if not user or not user.is_authenticated:
        return Application.objects.none()
    staff = Q(unit__in=officer_units(user, "view")) & ~Q(state="draft")
    return Application.objects.filter(Q(applicant=user) | staff)


def user_pesel(user) -> str:
    """The PESEL the user's login.gov.pl identity carries (its eIDAS PersonIdentifier ends
    with it), "" when the account has none or it is not a valid PESEL."""
    from allauth.socialaccount.models import SocialAccount

    for uid in SocialAccount.objects.filter(user=user).values_list("uid", flat=True):
        found = _PESEL_AT_END.search(uid or "")
        if found:
            try:
                validate_pesel(found.group(1))
            except ValidationError:
                continue
            return found.group(1)
    return ""


@dataclass(frozen=True)
class Exclusion:
    """Why an officer is excluded: the parcel, and whether the cadastre's owner was matched
    by PESEL (certain) or, lacking a PESEL on one side, by name only (flagged: a namesake
    is excluded too, and the superior decides under art. 25)."""

    parcel: str
    by_identity: bool

    @property
    def message(self) -> str:
        if self.by_identity:
            return _("You are excluded from this case (KPA art. 24 § 1): the cadastre lists you "
                     "(by your PESEL) as an owner of parcel %(parcel)s. Your superior appoints "
                     "another officer (art. 25).") % {"parcel": self.parcel}
        return _("You are excluded from this case (KPA art. 24 § 1): the cadastre lists an "
                 "owner of parcel %(parcel)s with your first name and surname; matched by name "
                 "only, as there is no PESEL to compare. If it is a namesake, your superior "
                 "decides who handles the case (art. 25).") % {"parcel": self.parcel}


def officer_exclusion_found(user, application: Application) -> Exclusion | None:
    """KPA art. 24 § 1 pkt 1-2 (a party, or a party's spouse) checked against the cadastre's
    owners of the case's parcels: a natural person owner, or the spouse in a married couple's
    share. The officer's PESEL (from their login.gov.pl identity) is compared with the
    owner's; where either is missing, the first name and surname are (folded), and the
    result says it was by name only. Where both PESELs are known and differ, a namesake is
    not excluded. The officer's own spouse is not known to the product."""
    pesel = user_pesel(user)
    first, last = fold(user.first_name or ""), fold(user.last_name or "")
    if not pesel and not (first and last):
        return None
    shares = (OwnershipShare.objects
              .filter(register_unit__parcels__in=application.parcel_links.values("parcel"))
              .values_list("register_unit__parcels__parcel_id", "owner__kind",
                           "owner__first_name", "owner__surname", "owner__pesel",
                           "spouse__first_name", "spouse__surname", "spouse__pesel"))
    by_name = None
    for parcel_id, kind, *people in shares:
        owner, spouse = people[:3], people[3:]
        for p_first, p_last, p_pesel in ([owner] if kind == "person" else []) + [spouse]:
            if pesel and p_pesel:
                if p_pesel == pesel:
                    return Exclusion(parcel_id, True)
            elif first and last and fold(p_first or "") == first and \
                    fold(p_last or "") == last:
                by_name = by_name or Exclusion(parcel_id, False)
    return by_name


def officer_exclusion(user, application: Application) -> str:
    """Why `user` may not act as the officer of `application` (KPA art. 24 § 1), "" when
    nothing shows it (officer_exclusion_found)."""
    found = officer_exclusion_found(user, application)
    return found.message if found else ""
