"""TERYT codes of local government units (rejestr TERYT, GUS).

A gmina code is `WWPPGG_R`: voivodeship (2 digits), powiat (2), gmina (2), and the
gmina type digit R. A powiat is `WWPP`, a voivodeship `WW`. See domain.md.
"""
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Voivodeship codes are the even numbers 02..32 (16 voivodeships).
VOIVODESHIP_CODES = frozenset(f"{n:02d}" for n in range(2, 33, 2))
# Their names as the TERYT register writes them (proper names: never translated).
VOIVODESHIP_NAMES = {
    "02": "dolnośląskie", "04": "kujawsko-pomorskie", "06": "lubelskie", "08": "lubuskie",
    "10": "łódzkie", "12": "małopolskie", "14": "mazowieckie", "16": "opolskie",
    "18": "podkarpackie", "20": "podlaskie", "22": "pomorskie", "24": "śląskie",
    "26": "świętokrzyskie", "28": "warmińsko-mazurskie", "30": "wielkopolskie",
    "32": "zachodniopomorskie",
}

# The gmina type digit (rodzaj gminy), TERYT.
GMINA_TYPES = {
    "1": _("urban gmina"),
    "2": _("rural gmina"),
    "3": _("urban-rural gmina"),
    "4": _("town within an urban-rural gmina"),
    "5": _("rural area of an urban-rural gmina"),
    "8": _("district of the capital city of Warsaw"),
    "9": _("district (delegatura) of a city"),
}

LEVEL_VOIVODESHIP = "voivodeship"
LEVEL_POWIAT = "powiat"
LEVEL_GMINA = "gmina"

_GMINA = re.compile(r"^(\d{2})(\d{2})(\d{2})_?(\d)$")
_POWIAT = re.compile(r"^(\d{2})(\d{2})$")
_VOIVODESHIP = re.compile(r"^(\d{2})$")


@dataclass(frozen=True)
class Teryt:
    code: str  # normalised: WW, WWPP or WWPPGG_R
    level: str

    @property
    def voivodeship(self) -> str:
        return self.code[:2]

    def contains(self, other: "Teryt") -> bool:
        """A unit contains another when the other's code extends its own."""
        return other.code.startswith(self.code) and other.code != self.code


def _check_voivodeship(ww: str, value: str) -> None:
    if ww not in VOIVODESHIP_CODES:
        raise ValidationError(
            _("TERYT code %(value)s: %(ww)s is not a voivodeship code (even numbers 02 to 32)."),
            code="teryt_voivodeship",
            params={"value": value, "ww": ww},
        )


def _check_nonzero(part: str, what: str, value: str) -> None:
    if part == "00":
        raise ValidationError(
            _("TERYT code %(value)s: the %(what)s number cannot be 00."),
            code="teryt_zero",
            params={"value": value, "what": what},
        )


def parse_teryt(value: str) -> Teryt:
    """Parse and validate a TERYT unit code; raise ValidationError naming the reason."""
    raw = (value or "").strip()
    if match := _GMINA.match(raw):
        ww, pp, gg, kind = match.groups()
        _check_voivodeship(ww, raw)
        _check_nonzero(pp, _("powiat"), raw)
        _check_nonzero(gg, _("gmina"), raw)
        if kind not in GMINA_TYPES:
            raise ValidationError(
                _(
                    "TERYT code %(value)s: %(kind)s is not a gmina type digit "
                    "(allowed: 1, 2, 3, 4, 5, 8, 9)."
                ),
                code="teryt_type",
                params={"value": raw, "kind": kind},
            )
        if kind == "8" and f"{ww}{pp}" != "1465":
            raise ValidationError(
                _("TERYT code %(value)s: type 8 is used only for the districts of Warsaw (1465)."),
                code="teryt_type",
                params={"value": raw},
            )
        return Teryt(f"{ww}{pp}{gg}_{kind}", LEVEL_GMINA)
    if match := _POWIAT.match(raw):
        ww, pp = match.groups()
        _check_voivodeship(ww, raw)
        _check_nonzero(pp, _("powiat"), raw)
        return Teryt(raw, LEVEL_POWIAT)
    if _VOIVODESHIP.match(raw):
        _check_voivodeship(raw, raw)
        return Teryt(raw, LEVEL_VOIVODESHIP)
    raise ValidationError(
        _(
            "“%(value)s” is not a TERYT code: expected WWPPGG_R for a gmina (e.g. 026101_1), "
            "WWPP for a powiat or WW for a voivodeship."
        ),
        code="teryt_format",
        params={"value": raw},
    )


def validate_teryt(value: str) -> None:
    parse_teryt(value)


def validate_gmina_teryt(value: str) -> None:
    if parse_teryt(value).level != LEVEL_GMINA:
        raise ValidationError(
            _("TERYT code %(value)s is not a gmina code (WWPPGG_R)."),
            code="teryt_level",
            params={"value": value},
        )


def nrb_is_valid(digits: str) -> bool:
    """A Polish account number (NRB, 26 digits): its IBAN check digits hold (ISO 13616,
    mod 97 with "PL" as 2521)."""
    if not re.fullmatch(r"\d{26}", digits or ""):
        return False
    return int(digits[2:] + "2521" + digits[:2]) % 97 == 1


def validate_nrb(value: str) -> None:
    if not nrb_is_valid(value):
        raise ValidationError(_("Give the 26 digits of the account number (NRB) without spaces "
                                "or PL; %(value)s is not a valid account number."),
                              params={"value": value}, code="invalid_nrb")


# A host name as DNS has it (RFC 1123 labels), with at least one dot and no port, no
# wildcard, no IP address: a unit's own address is answered as exactly this name.
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def validate_host_name(value: str) -> None:
    name = value.strip().lower().rstrip(".")
    labels = name.split(".")
    if (len(name) > 253 or len(labels) < 2 or not all(_HOST_LABEL.match(x) for x in labels)
            or labels[-1].isdigit()):
        raise ValidationError(_("“%(value)s” is not a host name such as geoportal.gmina-x.pl "
                                "(letters, digits and hyphens between dots; no port, no "
                                "address path)."), params={"value": value},
                              code="invalid_host_name")
