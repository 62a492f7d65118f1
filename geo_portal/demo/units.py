"""The demo's administrative units: the gmina it fills and its voivodeship."""
from django.core.exceptions import ValidationError

from core.errors import InvalidInput
from core.identifiers import LEVEL_GMINA, parse_teryt
from core.models import AdministrativeUnit
from core.services import unit_create

from .names import UNIT_NAMES, VOIVODESHIPS


def gmina_code(teryt: str) -> str:
    """The normalised gmina code, or InvalidInput saying why `teryt` is not one."""
    try:
        code = parse_teryt(teryt)
    except ValidationError as exc:
        raise InvalidInput(exc.messages[0], detail={"field": "unit"}) from exc
    if code.level != LEVEL_GMINA:
        raise InvalidInput(
            f"{code.code} is a {code.level} code; demo data needs a gmina code WWPPGG_R "
            "(e.g. 026101_1).", detail={"field": "unit"})
    return code.code


def default_name(teryt: str) -> str:
    return UNIT_NAMES.get(teryt, f"Gmina {teryt}")


def gmina_get_or_create(*, teryt: str, name: str | None) -> AdministrativeUnit:
    unit = AdministrativeUnit.objects.filter(teryt=teryt).first()
    return unit or _demo_unit(unit_create(teryt=teryt, name=name or default_name(teryt)))


def voivodeship_get_or_create(*, teryt: str) -> AdministrativeUnit:
    code = teryt[:2]
    unit = AdministrativeUnit.objects.filter(teryt=code).first()
    return unit or _demo_unit(unit_create(teryt=code, name=VOIVODESHIPS[code]))


def _demo_unit(unit: AdministrativeUnit) -> AdministrativeUnit:
    """Mark a unit the generator created: the only kind it may fill or replace."""
    AdministrativeUnit.objects.filter(pk=unit.pk).update(is_demo=True)
    unit.is_demo = True
    return unit
