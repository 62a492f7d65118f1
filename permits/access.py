"""Who stands in which role towards an application (workflow.APPLICANT / OFFICER).

Officers are the staff whose role grants 'change' on permits.application in the
application's unit (core.roles.ROLE_RIGHTS); nothing else makes someone an officer, and an
officer is never one towards their own application.
"""
from django.db.models import Q, QuerySet

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
    if officer_units(user).filter(pk=application.unit_id).exists():
        roles.add(OFFICER)
    return roles


def visible_applications(user) -> QuerySet[Application]:
    """The applicant's own applications and, for staff, the submitted ones of their units
    (a draft is private to its author)."""
    if not user or not user.is_authenticated:
        return Application.objects.none()
    staff = Q(unit__in=officer_units(user, "view")) & ~Q(state="draft")
    return Application.objects.filter(Q(applicant=user) | staff)
