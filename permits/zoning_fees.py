"""Stamp duty (opłata skarbowa) on zoning extracts and WZ decisions.

Source: ustawa z 16 listopada 2006 r. o opłacie skarbowej (Dz.U. 2023 poz. 2111 t.j.),
załącznik "Wykaz przedmiotów opłaty skarbowej, stawki tej opłaty oraz zwolnienia",
as summarised in ../shared/docs/domain.md. STAMP_DUTY is the seed of the dated rules
`duty.<name>` (permits/legal.py); a computation reads the rates in force on its day, so
a change of the act is a new row. Rows with `verify=True` were not confirmed against
the statute text and are seeded as not verified.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from core.rules import rule_values


@dataclass(frozen=True)
class DutyRate:
    amount: Decimal
    source: str
    verify: bool = False


# Page limit of the cheaper wypis rate: "do 5 stron" (inclusive).
EXTRACT_TEXT_SHORT_PAGES = 5

STAMP_DUTY: dict[str, DutyRate] = {
    # cz. I pkt 4 ppkt 1 lit. a: wypis z planu, do 5 stron
    "extract_text_short": DutyRate(Decimal("30"), "ustawa o opłacie skarbowej, zał. cz. I "
                                   "pkt 4 ppkt 1 lit. a"),
    # cz. I pkt 4 ppkt 1 lit. b: wypis z planu, powyżej 5 stron
    "extract_text_long": DutyRate(Decimal("50"), "ustawa o opłacie skarbowej, zał. cz. I "
                                  "pkt 4 ppkt 1 lit. b"),
    # cz. I pkt 4 ppkt 2 lit. a: wyrys, za każdą pełną lub rozpoczętą część odpowiadającą
    # stronie formatu A4
    "extract_map_page": DutyRate(Decimal("20"), "ustawa o opłacie skarbowej, zał. cz. I "
                                 "pkt 4 ppkt 2 lit. a"),
    # cz. I pkt 4 ppkt 2 lit. b: wyrys, nie więcej niż 200 zł
    "extract_map_cap": DutyRate(Decimal("200"), "ustawa o opłacie skarbowej, zał. cz. I "
                                "pkt 4 ppkt 2 lit. b"),
    # domain.md: "at most 250 zł in all" for one wypis with its wyrys (not confirmed in the
    # act: flagged unverified)
    "extract_total_cap": DutyRate(Decimal("250"), "domain.md", verify=True),
    # cz. I pkt 9: decyzja o warunkach zabudowy; none for the owner or the perpetual
    # usufructuary of the site (domain review, December 2026; not read in the act: flagged)
    "wz_decision": DutyRate(Decimal("598"), "ustawa o opłacie skarbowej, zał. cz. I pkt 9",
                            verify=True),
    "wz_decision_owner": DutyRate(Decimal("0"), "ustawa o opłacie skarbowej, zał. cz. I "
                                  "pkt 9, kol. 4 (owner or perpetual usufructuary)",
                                  verify=True),
    # cz. IV: złożenie dokumentu stwierdzającego udzielenie pełnomocnictwa
    "power_of_attorney": DutyRate(Decimal("17"), "ustawa o opłacie skarbowej, zał. cz. IV"),
}


@dataclass(frozen=True)
class Duty:
    amount: Decimal
    lines: tuple[str, ...]  # how the amount was reached, for the resident and the officer


def _zl(amount: Decimal) -> str:
    return f"{amount:.2f} zł".replace(".", ",")


def duty_rates(*, on: date | None = None, unit=None) -> dict[str, Decimal]:
    """The stamp duty rates in force on `on` (today) for `unit`, by STAMP_DUTY name."""
    values = rule_values(keys=[f"duty.{name}" for name in STAMP_DUTY],
                         on=on or timezone.localdate(), unit=unit)
    return {name: Decimal(str(values[f"duty.{name}"])) for name in STAMP_DUTY}


def extract_set_duty(*, text_pages: int, map_pages: int, rates: dict[str, Decimal]
                     ) -> tuple[Decimal, list[str]]:
    """The duty on one copy of the extract: a wypis of `text_pages` pages (0 = none asked)
    and a wyrys of `map_pages` A4 pages (0 = none asked)."""
    if text_pages < 0 or map_pages < 0:
        raise ValueError("page counts cannot be negative")
    total, lines = Decimal(0), []
    if text_pages:
        short = text_pages <= EXTRACT_TEXT_SHORT_PAGES
        rate = rates["extract_text_short" if short else "extract_text_long"]
        total += rate
        lines.append(_("Extract text (wypis), %(pages)d page(s): %(amount)s")
                     % {"pages": text_pages, "amount": _zl(rate)})
    if map_pages:
        per_page = rates["extract_map_page"]
        cap = rates["extract_map_cap"]
        amount = min(per_page * map_pages, cap)
        total += amount
        line = _("Map excerpt (wyrys), %(pages)d A4 page(s) × %(rate)s: %(amount)s") % {
            "pages": map_pages, "rate": _zl(per_page), "amount": _zl(amount)}
        if amount == cap and per_page * map_pages > cap:
            line += " " + _("(capped at %(cap)s)") % {"cap": _zl(cap)}
        lines.append(line)
    cap = rates["extract_total_cap"]
    if total > cap:
        lines.append(_("Extract in all capped at %(cap)s") % {"cap": _zl(cap)})
        total = cap
    return total, lines


def extract_stamp_duty(*, text_pages: int, map_pages: int, copies: int,
                       power_of_attorney: bool = False, on: date | None = None,
                       unit=None) -> Duty:
    """Stamp duty on a zoning extract: each copy is an issued document and pays in full
    (some offices charge copies as one issue; not confirmed either way in the act)."""
    if copies < 1:
        raise ValueError("at least one copy")
    rates = duty_rates(on=on, unit=unit)
    per_copy, lines = extract_set_duty(text_pages=text_pages, map_pages=map_pages, rates=rates)
    total = per_copy * copies
    if copies > 1:
        lines.append(_("%(copies)d copies × %(amount)s") % {"copies": copies,
                                                           "amount": _zl(per_copy)})
    total += _attorney(power_of_attorney, lines, rates)
    lines.append(_("Stamp duty in all: %(amount)s") % {"amount": _zl(total)})
    return Duty(total, tuple(lines))


def wz_stamp_duty(*, applicant_is_owner: bool, power_of_attorney: bool = False,
                  on: date | None = None, unit=None) -> Duty:
    """Stamp duty on a WZ decision: 598 zł, none when the applicant owns or holds in
    perpetual usufruct the site in the cadastre (STAMP_DUTY rows, flagged unverified)."""
    lines = []
    rates = duty_rates(on=on, unit=unit)
    if applicant_is_owner:
        total = rates["wz_decision_owner"]
        lines.append(_("WZ decision for the owner of the site in the cadastre: %(amount)s")
                     % {"amount": _zl(total)})
    else:
        total = rates["wz_decision"]
        lines.append(_("WZ decision: %(amount)s") % {"amount": _zl(total)})
    total += _attorney(power_of_attorney, lines, rates)
    lines.append(_("Stamp duty in all: %(amount)s") % {"amount": _zl(total)})
    return Duty(total, tuple(lines))


def _attorney(filed_by_proxy: bool, lines: list[str], rates: dict[str, Decimal]) -> Decimal:
    if not filed_by_proxy:
        return Decimal(0)
    amount = rates["power_of_attorney"]
    lines.append(_("Power of attorney filed: %(amount)s") % {"amount": _zl(amount)})
    return amount
