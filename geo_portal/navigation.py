"""Where each role works, as one table: the landing page after login and the main menu.

A resident lands on their cases; a case officer on the queue; a tax officer on the tax
register; a unit administrator on the unit's setup; a regional operator on the region's
units. A menu item is
shown only to those whose roles open its page, so no link leads to a refusal.
"""
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.roles import CASE_OFFICER, OPERATOR, TAX_OFFICER, UNIT_ADMIN

from .selectors import memberships_of

RESIDENT = "resident"  # any logged-in person: their own cases
EVERYONE = "everyone"
STAFF = "staff"  # any staff role: the administration


@dataclass(frozen=True)
class NavItem:
    title: str
    url_name: str
    for_roles: frozenset[str]
    # Views (namespace:name, or namespace: for a whole app) under this item.
    current: tuple[str, ...]


NAV_ITEMS = (
    NavItem(_("Home"), "home", frozenset({EVERYONE}), ("home",)),
    NavItem(_("Map"), "map", frozenset({EVERYONE}), ("map",)),
    NavItem(_("My cases"), "permits:mine", frozenset({RESIDENT}), ("permits:mine",)),
    NavItem(_("Applications to handle"), "permits:queue",
            frozenset({CASE_OFFICER, UNIT_ADMIN, OPERATOR}), ("permits:queue",)),
    NavItem(_("Tax register"), "tax:home", frozenset({TAX_OFFICER}), ("tax:",)),
    NavItem(_("Unit setup"), "unit-list", frozenset({UNIT_ADMIN, OPERATOR}),
            ("unit-list", "unit-setup")),
    NavItem(_("Units of the region"), "operator:home", frozenset({OPERATOR}), ("operator:",)),
    NavItem(_("Administration"), "admin:index", frozenset({STAFF}), ()),
)

# The first role a person holds, in this order, decides where they land after logging in.
LANDING = ((CASE_OFFICER, "permits:queue"), (TAX_OFFICER, "tax:home"),
           (UNIT_ADMIN, "unit-list"), (OPERATOR, "operator:home"), (RESIDENT, "permits:mine"))


def roles_of(user) -> set[str]:
    """The person's standing for navigation: their staff roles in any unit, and more."""
    if not user or not user.is_authenticated:
        return {EVERYONE}
    roles = {EVERYONE, RESIDENT} | {m.role for m in memberships_of(user=user)}
    if user.is_superuser:
        roles |= {CASE_OFFICER, TAX_OFFICER, UNIT_ADMIN, OPERATOR}
    if user.is_staff:
        roles.add(STAFF)
    return roles


def landing_url(user) -> str:
    roles = roles_of(user)
    return reverse(next((name for role, name in LANDING if role in roles), "home"))


def _is_current(item: NavItem, view_name: str) -> bool:
    return any(view_name == c or (c.endswith(":") and view_name.startswith(c))
               for c in item.current)


def navigation(request: HttpRequest) -> dict:
    """Context processor: the main menu for this person, with the current item marked."""
    roles = roles_of(getattr(request, "user", None))
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else ""
    return {"nav_items": [
        {"title": item.title, "url": reverse(item.url_name),
         "current": _is_current(item, view_name)}
        for item in NAV_ITEMS if item.for_roles & roles]}
