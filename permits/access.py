"""Who stands in which role towards an application (workflow.APPLICANT / OFFICER).

Officers are the staff whose role grants 'change' on permits.application in the
application's unit (core.roles.ROLE_RIGHTS); nothing else makes someone an officer, and an
officer is never one towards their own application.
"""
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from cadastre_sync.models import OwnershipShare
from cadastre_sync.selectors import fold
from core.access import units_allowing

from .models import Application
from .workflow import APPLICANT, OFFICER

LABEL = "permits.application"


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


def officer_exclusion(user, application: Application) -> str:
    """Why `user` may not act as the officer of `application` (KPA art. 24 § 1 pkt 1-2: a
    party, or a party's spouse), "" when nothing shows it. The cadastre's owners of the
    case's parcels are the parties checkable here: a natural person (owner, or spouse of a
    married couple's share) with the officer's first name and surname. The officer's own
    spouse is not known to the product; a namesake is excluded too, and the officer's
    superior decides (art. 25) with the message naming the parcel."""
    first, last = fold(user.first_name or ""), fold(user.last_name or "")
    if not first or not last:
        return ""
    shares = (OwnershipShare.objects
              .filter(register_unit__parcels__in=application.parcel_links.values("parcel"))
              .select_related("owner", "spouse")
              .values_list("register_unit__parcels__parcel_id", "owner__kind",
                           "owner__first_name", "owner__surname", "spouse__first_name",
                           "spouse__surname"))
    for parcel_id, kind, o_first, o_last, s_first, s_last in shares:
        people = [(o_first, o_last)] if kind == "person" else []
        people.append((s_first or "", s_last or ""))
        if any(fold(f) == first and fold(n) == last for f, n in people):
            return _("You are excluded from this case (KPA art. 24 § 1): the cadastre lists "
                     "%(name)s as an owner of parcel %(parcel)s. Your superior appoints "
                     "another officer (art. 25).") % {
                "name": f"{user.first_name} {user.last_name}", "parcel": parcel_id}
    return ""
