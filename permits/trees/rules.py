"""Whether removing trees and shrubs needs nothing, a notification or a permit, and the fee.

Pure functions over small inputs, so the rules can be tested as tables; the thresholds and
rates themselves are data (Species, FeeRate rows), never constants here. Sources: ustawa o
ochronie przyrody art. 83f (when nothing is needed, when a notification), art. 84–86 (fees,
exemptions); rates: rozporządzenie Ministra Środowiska, Dz.U. 2017 poz. 1330.
"""
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

NOTHING, NOTIFICATION, PERMIT = "nothing", "notification", "permit"
VERDICT_ORDER = {NOTHING: 0, NOTIFICATION: 1, PERMIT: 2}

# Art. 84 ust. 4: when the permit orders replacement planting, the fee is deferred for this
# many years, counted from the planting deadline, and cancelled if the plants survive.
# (verify the counting start against the current text)
FEE_DEFERRAL_YEARS = 3

# Art. 83f ust. 1 pkt 2: shrubs growing in a cluster of up to 25 m² need no permit. (verify)
SHRUB_PERMIT_FREE_M2 = Decimal(25)


@dataclass(frozen=True)
class Holder:
    """Who removes and why: a natural person, on their own land, outside business needs no
    permit (art. 83f ust. 1 pkt 3a) but notifies trees above the threshold (ust. 4).
    `land_of_natural_persons`: the land is owned by natural persons (e.g. the applicant's
    parent), whoever applies."""

    natural_person: bool
    own_land: bool
    business: bool
    land_of_natural_persons: bool = False

    @property
    def private(self) -> bool:
        return self.natural_person and self.own_land and not self.business

    @property
    def natural_persons_land(self) -> bool:
        return self.land_of_natural_persons or (self.natural_person and self.own_land)


# Exemptions from the fee that follow from who removes and why, whatever the tree: (legal
# basis, the question asked of the Holder). Art. 86 ust. 1 pkt 1: trees and shrubs removed
# from land owned by natural persons for purposes not connected with business.
HOLDER_EXEMPTIONS: tuple[tuple[str, Callable[[Holder], bool]], ...] = (
    ("art. 86 ust. 1 pkt 1", lambda h: h.natural_persons_land and not h.business),
)


def holder_exemption(holder: Holder) -> str:
    """The legal basis of the first exemption the Holder's facts meet; "" when none."""
    return next((basis for basis, applies in HOLDER_EXEMPTIONS if applies(holder)), "")


@dataclass(frozen=True)
class SpeciesInfo:
    name: str
    fee_group: str
    shrub_group: str
    threshold_cm: int


@dataclass(frozen=True)
class TreeIn:
    species: SpeciesInfo
    circumference_5cm: int
    stems_130cm: Sequence[int]
    exemption: str = ""


@dataclass(frozen=True)
class ShrubIn:
    species: SpeciesInfo
    area_m2: Decimal
    exemption: str = ""


@dataclass(frozen=True)
class Rate:
    subject: str  # "tree" | "shrub"
    group: str
    band_from: int
    rate: Decimal


@dataclass(frozen=True)
class Assessment:
    verdict: str
    fee: Decimal
    lines: tuple[str, ...]


def tree_verdict(tree: TreeIn, holder: Holder) -> str:
    if tree.circumference_5cm <= tree.species.threshold_cm:
        return NOTHING
    return NOTIFICATION if holder.private else PERMIT


def shrub_verdict(shrub: ShrubIn, holder: Holder) -> str:
    if holder.private or shrub.area_m2 <= SHRUB_PERMIT_FREE_M2:
        return NOTHING
    return PERMIT


def effective_circumference(stems: Sequence[int]) -> Decimal:
    """Multi-stem trees (art. 84 ust. 4a, verify): the largest stem plus half of each other."""
    ordered = sorted(stems, reverse=True)
    if not ordered:
        return Decimal(0)
    return Decimal(ordered[0]) + sum((Decimal(s) / 2 for s in ordered[1:]), Decimal(0))


def pick_rate(rates: Iterable[Rate], subject: str, group: str, value: Decimal) -> Rate | None:
    """The band of `group` whose lower end is the highest not above `value`."""
    fitting = [r for r in rates if r.subject == subject and r.group == group
               and r.band_from <= value]
    return max(fitting, key=lambda r: r.band_from, default=None)


def _num(value: Decimal, places: int | None = None) -> str:
    """A number as the active language writes it (3600,00 in Polish)."""
    return number_format(value, places)


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def tree_fee(n: int, tree: TreeIn, rates: Sequence[Rate], holder_basis: str = ""
             ) -> tuple[Decimal, str]:
    circ = effective_circumference(tree.stems_130cm)
    if holder_basis:
        return Decimal(0), _("Tree %(n)s (%(species)s): fee exemption: %(basis)s (land owned "
                             "by natural persons, removal not connected with business).") % {
            "n": n, "species": tree.species.name, "basis": holder_basis}
    if tree.exemption:
        return Decimal(0), _("Tree %(n)s (%(species)s): exempt from the fee (art. 86).") % {
            "n": n, "species": tree.species.name}
    rate = pick_rate(rates, "tree", tree.species.fee_group, circ)
    if rate is None:
        return Decimal(0), _("Tree %(n)s: no rate for group %(group)s; the office will set "
                             "the fee.") % {"n": n, "group": tree.species.fee_group}
    fee = _money(circ * rate.rate)
    how = " + ".join([str(s) for s in sorted(tree.stems_130cm, reverse=True)[:1]]
                     + [f"{s}/2" for s in sorted(tree.stems_130cm, reverse=True)[1:]])
    return fee, _("Tree %(n)s (%(species)s, group %(group)s): %(how)s = %(circ)s cm × "
                  "%(rate)s zł/cm = %(fee)s zł") % {
        "n": n, "species": tree.species.name, "group": tree.species.fee_group, "how": how,
        "circ": _num(circ.normalize()), "rate": _num(rate.rate, 2), "fee": _num(fee, 2)}


def shrub_fee(n: int, shrub: ShrubIn, rates: Sequence[Rate], holder_basis: str = ""
              ) -> tuple[Decimal, str]:
    if holder_basis:
        return Decimal(0), _("Shrubs %(n)s (%(species)s): fee exemption: %(basis)s (land "
                             "owned by natural persons, removal not connected with "
                             "business).") % {
            "n": n, "species": shrub.species.name, "basis": holder_basis}
    if shrub.exemption:
        return Decimal(0), _("Shrubs %(n)s (%(species)s): exempt from the fee (art. 86).") % {
            "n": n, "species": shrub.species.name}
    rate = pick_rate(rates, "shrub", shrub.species.shrub_group, shrub.area_m2)
    if rate is None:
        return Decimal(0), _("Shrubs %(n)s: no rate for this group; the office will set the "
                             "fee.") % {"n": n}
    fee = _money(shrub.area_m2 * rate.rate)
    return fee, _("Shrubs %(n)s (%(species)s): %(area)s m² × %(rate)s zł/m² = %(fee)s zł") % {
        "n": n, "species": shrub.species.name, "area": _num(shrub.area_m2),
        "rate": _num(rate.rate, 2), "fee": _num(fee, 2)}


def assess(trees: Sequence[TreeIn], shrubs: Sequence[ShrubIn], holder: Holder,
           rates: Sequence[Rate]) -> Assessment:
    """The verdict for the whole removal and, for a permit, the fee with its explanation."""
    verdicts = [tree_verdict(t, holder) for t in trees] + [shrub_verdict(s, holder)
                                                          for s in shrubs]
    verdict = max(verdicts, key=VERDICT_ORDER.__getitem__, default=NOTHING)
    lines: list[str] = []
    total = Decimal(0)
    basis = holder_exemption(holder)
    for n, (tree, v) in enumerate(zip(trees, verdicts, strict=False), start=1):
        if v == PERMIT:
            fee, line = tree_fee(n, tree, rates, basis)
            total += fee
            lines.append(line)
        else:
            lines.append(_explain_free(n, tree, v))
    for n, (shrub, v) in enumerate(zip(shrubs, verdicts[len(trees):], strict=True), start=1):
        if v == PERMIT:
            fee, line = shrub_fee(n, shrub, rates, basis)
            total += fee
            lines.append(line)
        else:
            lines.append(_("Shrubs %(n)s: no permit needed (%(why)s).") % {
                "n": n, "why": _("own land, outside business") if holder.private
                else _("up to 25 m²")})
    return Assessment(verdict, _money(total), tuple(lines))


def _explain_free(n: int, tree: TreeIn, verdict: str) -> str:
    params = {"n": n, "species": tree.species.name, "c": tree.circumference_5cm,
              "t": tree.species.threshold_cm}
    if verdict == NOTHING:
        return _("Tree %(n)s (%(species)s): %(c)s cm at 5 cm is not above %(t)s cm, nothing "
                 "is needed.") % params
    return _("Tree %(n)s (%(species)s): %(c)s cm at 5 cm is above %(t)s cm, a notification "
             "is needed (no fee).") % params
