"""Identifiers of the cadastre and of the people in it, each validated with its reason.

- idDzialki: `WWPPGG_R.OOOO.NR` or, where parcels are numbered per map sheet,
  `WWPPGG_R.OOOO.AR_N.NR` (domain.md). NR is a whole number or a fraction `123/4`.
- PESEL (11 digits, weighted checksum) and REGON (9 or 14 digits) of owners.
- KW, the land register number: court code, 8 digits and a check digit.
"""
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.identifiers import LEVEL_GMINA, parse_teryt

_PRECINCT = re.compile(r"^\d{4}$")
_SHEET = re.compile(r"^AR_([1-9]\d{0,3})$")
_NUMBER = re.compile(r"^[1-9]\d{0,5}(/[1-9]\d{0,4})?$")


@dataclass(frozen=True)
class ParcelId:
    teryt: str
    precinct: str
    number: str
    sheet: str | None = None

    def __str__(self) -> str:
        parts = [self.teryt, self.precinct, *([self.sheet] if self.sheet else []), self.number]
        return ".".join(parts)

    @property
    def precinct_code(self) -> str:
        return f"{self.teryt}.{self.precinct}"


def _parcel_error(value: str, reason, code: str) -> ValidationError:
    return ValidationError(
        _("Parcel id “%(value)s” is not valid: %(reason)s (expected WWPPGG_R.OOOO.NR, "
          "e.g. 026101_1.0001.123/4)."),
        code=code,
        params={"value": value, "reason": reason},
    )


def parse_parcel_id(value: str) -> ParcelId:
    raw = (value or "").strip()
    parts = raw.split(".")
    if len(parts) not in (3, 4):
        raise _parcel_error(raw, _("it must have 3 or 4 parts separated by dots"), "parcel_parts")
    teryt_part, precinct, *rest = parts
    try:
        teryt = parse_teryt(teryt_part)
    except ValidationError as exc:
        raise _parcel_error(raw, exc.messages[0], "parcel_teryt") from exc
    if teryt.level != LEVEL_GMINA:
        raise _parcel_error(raw, _("the unit must be a gmina code with its type digit"),
                            "parcel_teryt")
    if not _PRECINCT.match(precinct) or precinct == "0000":
        raise _parcel_error(raw, _("the precinct (obręb) number must be 4 digits, 0001–9999"),
                            "parcel_precinct")
    sheet = None
    if len(rest) == 2:
        sheet, number = rest
        if not _SHEET.match(sheet):
            raise _parcel_error(raw, _("the map sheet must be written AR_N"), "parcel_sheet")
    else:
        (number,) = rest
    if not _NUMBER.match(number):
        raise _parcel_error(
            raw, _("the parcel number must be a whole number or a fraction such as 123/4"),
            "parcel_number",
        )
    return ParcelId(teryt.code, precinct, number, sheet)


def validate_parcel_id(value: str) -> None:
    parse_parcel_id(value)


_PESEL_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)


def pesel_checksum(first_ten: str) -> int:
    return (10 - sum(int(d) * w for d, w in zip(first_ten, _PESEL_WEIGHTS, strict=True)) % 10) % 10


def validate_pesel(value: str) -> None:
    if not re.fullmatch(r"\d{11}", value or ""):
        raise ValidationError(_("PESEL must be 11 digits."), code="pesel_format")
    if pesel_checksum(value[:10]) != int(value[10]):
        raise ValidationError(_("PESEL check digit does not match."), code="pesel_checksum")


_REGON9_WEIGHTS = (8, 9, 2, 3, 4, 5, 6, 7)
_REGON14_WEIGHTS = (2, 4, 8, 5, 0, 9, 7, 3, 6, 1, 2, 4, 8)


def _regon_ok(value: str, weights: tuple[int, ...]) -> bool:
    check = sum(int(d) * w for d, w in zip(value, weights, strict=False)) % 11 % 10
    return check == int(value[len(weights)])


def validate_regon(value: str) -> None:
    if not re.fullmatch(r"\d{9}|\d{14}", value or ""):
        raise ValidationError(_("REGON must be 9 or 14 digits."), code="regon_format")
    if not _regon_ok(value[:9], _REGON9_WEIGHTS) or (
        len(value) == 14 and not _regon_ok(value, _REGON14_WEIGHTS)
    ):
        raise ValidationError(_("REGON check digit does not match."), code="regon_checksum")


_KW = re.compile(r"^[A-Z]{2}\d[A-Z]/\d{8}/\d$")


def validate_land_register_number(value: str) -> None:
    """Shape only, e.g. LE1L/00012345/6; the check digit is not checked (its
    algorithm was not confirmed against the court rules)."""
    if not _KW.match(value or ""):
        raise ValidationError(
            _("Land register number “%(value)s” must look like LE1L/00012345/6."),
            code="kw_format",
            params={"value": value},
        )
