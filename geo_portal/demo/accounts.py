"""Demo logins: one table, read by the command, the Makefile and the README.

The table imports nothing from Django models, so it can be printed without a
configured project (`python -c "from geo_portal.demo.accounts import ..."`).
"""
from dataclasses import dataclass

from core.roles import CASE_OFFICER, OPERATOR, TAX_OFFICER, UNIT_ADMIN

DEMO_PASSWORD = "geo-portal-demo"  # noqa: S105 - a published demo password, by design

SUPERUSER = "superuser"
VOIVODESHIP = "voivodeship"
UNIT = "unit"
NONE = "none"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str | None  # a core.roles constant, held in the unit given by `scope`
    scope: str  # SUPERUSER, VOIVODESHIP (the unit's voivodeship), UNIT or NONE
    description: str


DEMO_ACCOUNTS = (
    DemoAccount("admin", None, SUPERUSER, "superuser: every unit, the whole admin"),
    DemoAccount("operator", OPERATOR, VOIVODESHIP,
                "regional operator of the voivodeship and all its units"),
    DemoAccount("urzednik", CASE_OFFICER, UNIT, "case officer / planner of the demo gmina"),
    DemoAccount("podatki", TAX_OFFICER, UNIT, "tax officer of the demo gmina"),
    DemoAccount("adminjst", UNIT_ADMIN, UNIT, "unit administrator of the demo gmina"),
    DemoAccount("mieszkaniec", None, NONE, "resident: no staff role"),
)


def demo_accounts() -> list[tuple[str, str, str]]:
    """[(username, password, role description)] for printing."""
    return [(a.username, DEMO_PASSWORD, a.description) for a in DEMO_ACCOUNTS]


def demo_accounts_ensure(*, unit) -> list:
    """Create the demo logins where missing and grant their roles; safe to run again.

    Existing users keep their password: someone may have changed it on purpose.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from core.services import membership_grant

    from .units import voivodeship_get_or_create

    user_model = get_user_model()
    password = make_password(DEMO_PASSWORD)  # hashed once: hashing is slow on purpose
    places = {UNIT: unit}
    users = []
    with transaction.atomic():
        for account in DEMO_ACCOUNTS:
            user, _ = user_model.objects.get_or_create(
                username=account.username,
                defaults={"password": password, "is_superuser": account.scope == SUPERUSER,
                          "is_staff": account.scope == SUPERUSER},
            )
            if account.role:
                if account.scope not in places:
                    places[VOIVODESHIP] = voivodeship_get_or_create(teryt=unit.teryt)
                membership_grant(user=user, unit=places[account.scope], role=account.role)
            users.append(user)
    return users
