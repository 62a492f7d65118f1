"""Helpers shared by the management commands of every app."""
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from .identifiers import parse_teryt
from .models import AdministrativeUnit


def unit_option(teryt: str) -> AdministrativeUnit:
    """The hosted unit named by a command's --unit TERYT, or a CommandError saying why not."""
    try:
        code = parse_teryt(teryt).code
    except ValidationError as exc:
        raise CommandError(f"--unit {teryt}: {exc.messages[0]}") from exc
    unit = AdministrativeUnit.objects.filter(teryt=code).first()
    if unit is None:
        raise CommandError(f"--unit {code}: no unit with this TERYT code is hosted here")
    return unit
