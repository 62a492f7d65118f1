"""Whether removing trees and shrubs needs nothing, a notification or a permit, and the fee.

Pure functions over small inputs, so the rules can be tested as tables; the thresholds and
rates themselves are data (Species, FeeRate rows), never constants here. Sources: ustawa o
ochronie przyrody art. 83f (when nothing is needed, when a notification), art. 84–86 (fees,
exemptions); rates: rozporządzenie Ministra Środowiska, Dz.U. 2017 poz. 1330.
"""
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

NOTHING, NOTIFICATION, PERMIT = "nothing", "notification", "permit"
VERDICT_ORDER = {NOTHING: 0, NOTIFICATION: 1, PERMIT: 2}

# The figures (the shrub area needing no permit, the fee deferral, the notification terms)
# are dated rules (core.LegalRule, permits.trees.legal); the services pass them in.
SHRUB_FREE_M2_DEFAULT = Decimal(25)


@dataclass(frozen=True)
class Holder:
    """Who removes, why, and where.

    Art. 83f ust. 1 pkt 3a: trees and shrubs on land owned by natural persons, removed for
    purposes not connected with business, need no permit; a tree above the threshold is
    notified by the owner (ust. 4). `protected_site`: a registered monument or a public
    green area; `road_strip`: a road strip (where the no-permit cases for fruit trees and
    small shrubs do not apply)."""

    natural_person: bool
    own_land: bool
    business: bool
    land_of_natural_persons: bool = False
    protected_site: bool = False
    road_strip: bool = False

    @property
    def natural_persons_land(self) -> bool:
        return self.land_of_natural_persons or (self.natural_person and self.own_land)

    @property
    def private(self) -> bool:
        """The notification route: natural persons' land, a removal outside business."""
        return self.natural_persons_land and not self.business


@dataclass(frozen=True)
class SpeciesInfo:
    name: str
    fee_group: str
    shrub_group: str
    threshold_cm: int
    fruit: bool = False


@dataclass(frozen=True)
class TreeIn:
    species: SpeciesInfo
    circumference_5cm: int
    stems_130cm: Sequence[int]
    exemption: str = ""  # a code of permits.trees.models.EXEMPTIONS
    exemption_kind: str = ""  # "no_permit" | "no_fee" | ""
    exemption_basis: str = ""


@dataclass(frozen=True)
class ShrubIn:
    species: SpeciesInfo
    area_m2: Decimal
    exemption: str = ""
    exemption_kind: str = ""
    exemption_basis: str = ""


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


def tree_free_reason(tree: TreeIn, holder: Holder) -> str:
    """Why removing the tree needs no permit (art. 83f ust. 1), or "" when it needs one
    (or, on natural persons' land outside business, a notification)."""
    if tree.exemption_kind == "no_permit":
        return tree.exemption_basis
    if tree.species.fruit and not holder.protected_site:
        return "art. 83f ust. 1"
    if tree.circumference_5cm <= tree.species.threshold_cm:
        return "art. 83f ust. 1 pkt 3"
    return ""


def tree_verdict(tree: TreeIn, holder: Holder) -> str:
    if tree_free_reason(tree, holder):
        return NOTHING
    return NOTIFICATION if holder.private else PERMIT


def shrub_free_reason(shrub: ShrubIn, holder: Holder,
                      free_m2: Decimal = SHRUB_FREE_M2_DEFAULT) -> str:
    if holder.private:
        return "art. 83f ust. 1 pkt 3a"
    if shrub.exemption_kind == "no_permit":
        return shrub.exemption_basis
    if shrub.species.fruit and not holder.protected_site:
        return "art. 83f ust. 1"
    if shrub.area_m2 <= free_m2 and not (holder.protected_site or holder.road_strip):
        return "art. 83f ust. 1 pkt 1"
    return ""


def shrub_verdict(shrub: ShrubIn, holder: Holder,
                  free_m2: Decimal = SHRUB_FREE_M2_DEFAULT) -> str:
    return NOTHING if shrub_free_reason(shrub, holder, free_m2) else PERMIT


def effective_circumference(stems: Sequence[int]) -> Decimal:
    """Multi-stem trees: the largest stem plus half of each other (the rule as the domain
    review states it; the article of the act was not re-read)."""
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


def tree_fee(n: int, tree: TreeIn, rates: Sequence[Rate]) -> tuple[Decimal, str]:
    circ = effective_circumference(tree.stems_130cm)
    if tree.exemption_kind == "no_fee":
        return Decimal(0), _("Tree %(n)s (%(species)s): no fee (%(basis)s).") % {
            "n": n, "species": tree.species.name, "basis": tree.exemption_basis}
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


def shrub_fee(n: int, shrub: ShrubIn, rates: Sequence[Rate]) -> tuple[Decimal, str]:
    if shrub.exemption_kind == "no_fee":
        return Decimal(0), _("Shrubs %(n)s (%(species)s): no fee (%(basis)s).") % {
            "n": n, "species": shrub.species.name, "basis": shrub.exemption_basis}
    rate = pick_rate(rates, "shrub", shrub.species.shrub_group, shrub.area_m2)
    if rate is None:
        return Decimal(0), _("Shrubs %(n)s: no rate for this group; the office will set the "
                             "fee.") % {"n": n}
    fee = _money(shrub.area_m2 * rate.rate)
    return fee, _("Shrubs %(n)s (%(species)s): %(area)s m² × %(rate)s zł/m² = %(fee)s zł") % {
        "n": n, "species": shrub.species.name, "area": _num(shrub.area_m2),
        "rate": _num(rate.rate, 2), "fee": _num(fee, 2)}


def assess(trees: Sequence[TreeIn], shrubs: Sequence[ShrubIn], holder: Holder,
           rates: Sequence[Rate], shrub_free_m2: Decimal = SHRUB_FREE_M2_DEFAULT
           ) -> Assessment:
    """The verdict for the whole removal and, for a permit, the fee with its explanation.
    A removal that needs no permit pays no fee (art. 86 ust. 1 pkt 1)."""
    verdicts = [tree_verdict(t, holder) for t in trees] + [
        shrub_verdict(s, holder, shrub_free_m2) for s in shrubs]
    verdict = max(verdicts, key=VERDICT_ORDER.__getitem__, default=NOTHING)
    lines: list[str] = []
    total = Decimal(0)
    for n, (tree, v) in enumerate(zip(trees, verdicts, strict=False), start=1):
        if v == PERMIT:
            fee, line = tree_fee(n, tree, rates)
            total += fee
            lines.append(line)
        else:
            lines.append(_explain_free(n, tree, v, tree_free_reason(tree, holder)))
    for n, (shrub, v) in enumerate(zip(shrubs, verdicts[len(trees):], strict=True), start=1):
        if v == PERMIT:
            fee, line = shrub_fee(n, shrub, rates)
            total += fee
            lines.append(line)
        else:
            lines.append(_("Shrubs %(n)s: no permit needed (%(why)s).") % {
                "n": n, "why": shrub_free_reason(shrub, holder, shrub_free_m2)})
    if verdict == NOTIFICATION and not holder.own_land:
        lines.append(_("The notification is filed by the owner of the land (art. 83f "
                       "ust. 4)."))
    return Assessment(verdict, _money(total), tuple(lines))


def _explain_free(n: int, tree: TreeIn, verdict: str, reason: str) -> str:
    params = {"n": n, "species": tree.species.name, "c": tree.circumference_5cm,
              "t": tree.species.threshold_cm, "why": reason}
    if verdict == NOTHING and reason == "art. 83f ust. 1 pkt 3":
        return _("Tree %(n)s (%(species)s): %(c)s cm at 5 cm is not above %(t)s cm, nothing "
                 "is needed (%(why)s).") % params
    if verdict == NOTHING:
        return _("Tree %(n)s (%(species)s): no permit needed (%(why)s).") % params
    return _("Tree %(n)s (%(species)s): %(c)s cm at 5 cm is above %(t)s cm, a notification "
             "is needed (no fee).") % params
