"""Tax register data for tests: accounts, taxpayers, objects, and a gmina with every kind
of discrepancy injected at known parcels (`discrepancy_gmina`)."""
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.gis.geos import MultiPolygon
from django.utils import timezone

from cadastre_sync.identifiers import pesel_checksum
from cadastre_sync.models import (
    AccountHolder,
    LandUsePiece,
    Owner,
    OwnershipShare,
    Parcel,
    RegisterUnit,
    TaxAccount,
    TaxObject,
    Taxpayer,
    TaxSettings,
)
from tests import factories

_seq = itertools.count(1)
YEAR = 2025
DISTRICT = 2


def pesel(n: int) -> str:
    body = f"8001{n % 28 + 1:02d}{n % 10000:04d}"
    return body + str(pesel_checksum(body))


def rate(key: str) -> Decimal:
    from cadastre_sync.tax.reconcile import rates_for

    return rates_for(None, YEAR)[key]


def person(unit, first: str, surname: str, pesel_no: str = "") -> Owner:
    return Owner.objects.create(unit=unit, kind="person", first_name=first, surname=surname,
                                pesel=pesel_no)


def owned(parcel: Parcel, owner: Owner, spouse: Owner | None = None, group: int = 7) -> None:
    ru = RegisterUnit.objects.create(unit=parcel.unit, register_id=f"G{next(_seq)}", group=group)
    OwnershipShare.objects.create(register_unit=ru, owner=owner, spouse=spouse, numerator=1,
                                  denominator=1)
    Parcel.objects.filter(pk=parcel.pk).update(register_unit=ru)


def land_use(parcel: Parcel, ofu: str, area: str, ozk: str = "") -> LandUsePiece:
    return LandUsePiece.objects.create(parcel=parcel, ofu=ofu, ozk=ozk, area_ha=Decimal(area))


def taxpayer(unit, first: str = "", surname: str = "", pesel_no: str = "",
             name: str = "", regon: str = "") -> Taxpayer:
    kind = "institution" if name else "person"
    key = f"P:{pesel_no}" if pesel_no else f"R:{regon}" if regon else f"X:{next(_seq)}"
    return Taxpayer.objects.create(unit=unit, ident_key=key, kind=kind, first_name=first,
                                   surname=surname, pesel=pesel_no, name=name, regon=regon)


def account(unit, *holders: Taxpayer, number: str | None = None) -> TaxAccount:
    acc = TaxAccount.objects.create(unit=unit, number=number or f"K/{next(_seq)}")
    for i, holder in enumerate(holders):
        AccountHolder.objects.create(account=acc, taxpayer=holder,
                                     role="owner" if i == 0 else "co_owner")
    return acc


def tax_object(acc: TaxAccount, kind: str, parcel_ref: str = "", **kw) -> TaxObject:
    key = "|".join([kind, parcel_ref, kw.get("building_ref", ""), kw.get("category", ""),
                    kw.get("land_use", ""), kw.get("soil_class", ""), str(next(_seq))])
    for name in ("area_ha", "floor_area_m2"):
        if kw.get(name) is not None:
            kw[name] = Decimal(str(kw[name]))
    return TaxObject.objects.create(unit=acc.unit, account=acc, object_key=key, kind=kind,
                                    parcel_ref=parcel_ref, **kw)


def box_parcel(number: str, x: float, side: float = 30.0, **kw) -> Parcel:
    y = factories.ORIGIN[1] + 500
    return factories.parcel(number, geom=factories.box(x, y, x + side, y + side), **kw)


@dataclass
class Gmina:
    """What was injected where: category -> [finding key], and the handles to fix them."""

    unit: object
    expected: dict[str, set[str]] = field(default_factory=dict)
    estimates: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    handles: dict[str, object] = field(default_factory=dict)

    def expect(self, category: str, key: str, estimate: Decimal | None = None) -> None:
        self.expected.setdefault(category, set()).add(key)
        if estimate is not None:
            self.estimates[(category, key)] = estimate.quantize(Decimal("0.01"))


AREA = "0.0900"  # a 30 m x 30 m parcel


def _clean(g: Gmina, number: str, x: float, *, ofu: str = "B", category: str = "other"):
    """A parcel taxed exactly as the cadastre says, owned by its taxpayer."""
    p = box_parcel(number, x)
    land_use(p, ofu, AREA)
    no = next(_seq)
    owned(p, person(g.unit, "Jan", f"Czysty{no}", pesel(no)))
    acc = account(g.unit, taxpayer(g.unit, "Jan", f"Czysty{no}", pesel(no)))
    tax_object(acc, "land", p.parcel_id, category=category, area_ha=AREA)
    return p, acc


def defaults_ensure() -> None:
    """The seeded rates and factors, again where a transactional test flushed them."""
    # The dated conversion factors (and the tax rules) first: the older seed finds them.
    factories.data_migration_reapply("cadastre_sync.migrations.0012_conversion_factor_dated")
    factories.data_migration_reapply("cadastre_sync.migrations.0005_tax_defaults")


def discrepancy_gmina() -> Gmina:
    defaults_ensure()
    unit = factories.unit()
    TaxSettings.objects.update_or_create(unit=unit, defaults={"tax_district": DISTRICT,
                                                              "exempt_register_groups": [4]})
    g = Gmina(unit)
    x = iter(range(int(factories.ORIGIN[0]), 10**7, 100))
    m2 = Decimal(AREA) * 10000

    # Clean parcels of every kind: nothing to find.
    p, acc = _clean(g, "1", next(x))
    b = factories.building(p, built_up_area_m2=Decimal("100"), storeys_above=2)
    tax_object(acc, "building", building_ref=b.building_id, category="residential",
               floor_area_m2=Decimal("150"))
    _clean(g, "2", next(x), ofu="Ba", category="business")
    farm = box_parcel("3", next(x))
    land_use(farm, "R", AREA, "IIIa")
    facc = account(unit, taxpayer(unit, "Anna", "Rolna"))
    tax_object(facc, "agricultural", farm.parcel_id, land_use="R", soil_class="IIIa",
               area_ha=AREA)
    forest = box_parcel("4", next(x))
    land_use(forest, "Ls", AREA)
    tax_object(facc, "forest", forest.parcel_id, area_ha=AREA)
    namesake, nacc = _clean(g, "5", next(x))  # owner matched by name only
    Owner.objects.filter(shares__register_unit__parcels=namesake).update(
        first_name="Łukasz", surname="Żółć")
    Taxpayer.objects.filter(holdings__account=nacc).update(
        first_name="ŁUKASZ ", surname="zolc", pesel="", ident_key="X:zolc")
    # Not expected in the register: the gmina's own land, its road (a road that is not
    # the gmina's is other land), a farm building.
    own = box_parcel("6", next(x))
    land_use(own, "B", AREA)
    owned(own, person(unit, "Gmina", "Legnica"), group=4)
    road = box_parcel("7", next(x))
    land_use(road, "dr", AREA)
    owned(road, person(unit, "Gmina", "Legnica"), group=4)
    # A farm building (KŚT 108) on a farm's land: 1.21 ha of arable land, declared.
    x0, y0 = next(x), factories.ORIGIN[1] + 1500
    farm = factories.parcel("8", geom=factories.box(x0, y0, x0 + 110, y0 + 110))
    land_use(farm, "R", "1.2100", ozk="IVa")
    owned(farm, person(unit, "Jan", "Rolnik", pesel(8001)))
    tax_object(account(unit, taxpayer(unit, "Jan", "Rolnik", pesel(8001))), "agricultural",
               farm.parcel_id, area_ha="1.2100", land_use="R", soil_class="IVa")
    factories.building(farm, kst_class="1271", built_up_area_m2=Decimal("80"))

    # 1. A parcel without a tax object.
    untaxed = box_parcel("20", next(x))
    land_use(untaxed, "B", AREA)
    g.expect("parcel_untaxed", untaxed.parcel_id, m2 * rate("land_other"))
    g.handles["untaxed"] = untaxed
    # 2. A tax object on a retired parcel, split into two current parcels.
    x0 = next(x)
    old = box_parcel("21", x0, retired_at=timezone.now())
    halves = []
    for i, dx in enumerate((0, 15)):
        half = factories.parcel(f"21/{i + 1}", geom=factories.box(
            x0 + dx, factories.ORIGIN[1] + 500, x0 + dx + 15, factories.ORIGIN[1] + 530))
        land_use(half, "B", "0.0450")
        halves.append(half)
    racc = account(unit, taxpayer(unit, "Piotr", "Podzielony"))
    tax_object(racc, "land", old.parcel_id, category="other", area_ha=AREA)
    for half in halves:
        tax_object(racc, "land", half.parcel_id, category="other", area_ha="0.0450")
    g.expect("retired_parcel", old.parcel_id, Decimal(0))
    g.handles["retired_successors"] = sorted(h.parcel_id for h in halves)
    # 3. A tax object on a parcel the cadastre never had.
    unknown = f"{unit.teryt}.0001.999"
    tax_object(racc, "land", unknown, category="other", area_ha=AREA)
    g.expect("unknown_parcel", unknown, Decimal(0))
    # 4. Declared area smaller than registered.
    small, sacc = _clean(g, "22", next(x))
    TaxObject.objects.filter(account=sacc).update(area_ha=Decimal("0.0500"))
    g.expect("area_difference", small.parcel_id, Decimal("0.0400") * 10000 * rate("land_other"))
    g.handles["small"] = small
    # 5. Land use changed the tax type: business land declared as other land.
    business, _b = _clean(g, "23", next(x), ofu="Ba", category="other")
    g.expect("land_use_difference", business.parcel_id,
             m2 * (rate("land_business") - rate("land_other")))
    # 6. Soil class changed the conversion hectares: IIIa in the cadastre, IVa declared.
    soil = box_parcel("24", next(x))
    land_use(soil, "R", AREA, "IIIa")
    tax_object(facc, "agricultural", soil.parcel_id, land_use="R", soil_class="IVa",
               area_ha=AREA)
    # A plot under 1 ha is no farm: it pays per physical hectare (agricultural tax act
    # art. 2 ust. 1), so the other class changes its conversion hectares but no tax.
    g.expect("land_use_difference", soil.parcel_id, Decimal(0))
    # 7. A building in the cadastre that nobody declared.
    built, _bacc = _clean(g, "25", next(x))
    new = factories.building(built, built_up_area_m2=Decimal("100"), storeys_above=2)
    g.expect("building_undeclared", new.building_id,
             Decimal("150") * rate("building_residential"))
    g.handles["new_building"] = new
    # 8. A declared building whose floor area is far below footprint x storeys.
    house, hacc = _clean(g, "26", next(x))
    hb = factories.building(house, built_up_area_m2=Decimal("100"), storeys_above=2)
    tax_object(hacc, "building", building_ref=hb.building_id, category="residential",
               floor_area_m2=Decimal("60"))
    g.expect("floor_area_difference", f"B:{hb.building_id}",
             Decimal("90") * rate("building_residential"))
    # 9. The owner is not the taxpayer.
    sold, _sacc = _clean(g, "27", next(x))
    Owner.objects.filter(shares__register_unit__parcels=sold).update(
        first_name="Ewa", surname="Nowa", pesel=pesel(9001))
    g.expect("owner_mismatch", sold.parcel_id, Decimal(0))
    g.handles["sold"] = sold
    # 10. A married couple in the cadastre, only one spouse taxed.
    couple = box_parcel("28", next(x))
    land_use(couple, "B", AREA)
    husband = person(unit, "Adam", "Mąż", pesel(9002))
    owned(couple, husband, person(unit, "Maria", "Mąż", pesel(9003)))
    cacc = account(unit, taxpayer(unit, "Adam", "Mąż", pesel(9002)))
    tax_object(cacc, "land", couple.parcel_id, category="other", area_ha=AREA)
    g.expect("owner_mismatch", couple.parcel_id, Decimal(0))
    g.handles["couple"] = couple
    return g


def fix_half(g: Gmina) -> set[tuple[str, str]]:
    """Correct four of the injected discrepancies the way an officer would; return them."""
    unit = g.unit
    untaxed = g.handles["untaxed"]
    acc = account(unit, taxpayer(unit, "Nowy", "Podatnik"))
    tax_object(acc, "land", untaxed.parcel_id, category="other", area_ha=AREA)
    TaxObject.objects.filter(parcel_ref=g.handles["small"].parcel_id).update(
        area_ha=Decimal(AREA))
    new = g.handles["new_building"]
    owner_acc = TaxObject.objects.filter(parcel_ref=new.parcels.first().parcel_id).first()
    tax_object(owner_acc.account, "building", building_ref=new.building_id,
               category="residential", floor_area_m2=Decimal("150"))
    sold = g.handles["sold"]
    owner = Owner.objects.get(shares__register_unit__parcels=sold)
    Taxpayer.objects.filter(holdings__account__tax_objects__parcel_ref=sold.parcel_id).update(
        first_name=owner.first_name, surname=owner.surname, pesel=owner.pesel)
    return {("parcel_untaxed", untaxed.parcel_id),
            ("area_difference", g.handles["small"].parcel_id),
            ("building_undeclared", new.building_id), ("owner_mismatch", sold.parcel_id)}


def as_multipolygon(geom) -> MultiPolygon:
    return geom if isinstance(geom, MultiPolygon) else MultiPolygon(geom, srid=geom.srid)


def tax_unit():
    """An empty unit with the seeded rates and its tax settings (district II)."""
    defaults_ensure()
    unit = factories.unit()
    TaxSettings.objects.update_or_create(unit=unit, defaults={"tax_district": DISTRICT})
    return unit


def taxed_land(parcel: Parcel, area: str = AREA, category: str = "other") -> TaxObject:
    """Land of `parcel` declared on a new account of a new taxpayer."""
    acc = account(parcel.unit, taxpayer(parcel.unit, "Jan", f"Podatnik{next(_seq)}"))
    return tax_object(acc, "land", parcel.parcel_id, category=category, area_ha=area)


def clean_gmina():
    """A unit whose tax register says exactly what its cadastre says: land of every tax
    class, buildings declared by id and by parcel, a married couple taxed together, an
    institution known by REGON. Returns the unit."""
    unit = tax_unit()
    g = Gmina(unit)
    x = iter(range(int(factories.ORIGIN[0]), 10**7, 100))
    house, hacc = _clean(g, "1", next(x))
    declared = factories.building(house, built_up_area_m2=Decimal("100"), storeys_above=2)
    tax_object(hacc, "building", building_ref=declared.building_id, category="residential",
               floor_area_m2="150")
    shop, sacc = _clean(g, "2", next(x), ofu="Ba", category="business")
    factories.building(shop, kst_class="1230", built_up_area_m2=Decimal("100"), storeys_above=1)
    tax_object(sacc, "building", shop.parcel_id, category="business", floor_area_m2="75")
    farm = box_parcel("3", next(x))
    land_use(farm, "R", "0.0600", "IIIa")
    land_use(farm, "Ls", "0.0300")
    no = next(_seq)
    owned(farm, person(unit, "Anna", "Rolna", pesel(no)))
    facc = account(unit, taxpayer(unit, "Anna", "Rolna", pesel(no)))
    tax_object(facc, "agricultural", farm.parcel_id, land_use="R", soil_class="IIIa",
               area_ha="0.0600")
    tax_object(facc, "forest", farm.parcel_id, area_ha="0.0300")
    couple = box_parcel("4", next(x))
    land_use(couple, "B", AREA)
    owned(couple, person(unit, "Adam", "Mąż", pesel(9102)),
          person(unit, "Maria", "Mąż", pesel(9103)))
    cacc = account(unit, taxpayer(unit, "Adam", "Mąż", pesel(9102)),
                   taxpayer(unit, "Maria", "Mąż", pesel(9103)))
    tax_object(cacc, "land", couple.parcel_id, category="other", area_ha=AREA)
    firm = box_parcel("5", next(x))
    land_use(firm, "Ba", AREA)
    owned(firm, Owner.objects.create(unit=unit, kind="institution", name="Spółka Sp. z o.o.",
                                     regon="123456785"))
    iacc = account(unit, taxpayer(unit, name="SPÓŁKA sp. z o.o.", regon="123456785"))
    tax_object(iacc, "land", firm.parcel_id, category="business", area_ha=AREA)
    return unit


def held(parcel: Parcel, owner: Owner, holder: Owner, right: str = "perpetual_usufruct",
         group: int = 2) -> None:
    """`parcel` owned by `owner` (the State Treasury, a gmina) and held by `holder` in
    perpetual usufruct or trust management, as one register unit with both shares."""
    ru = RegisterUnit.objects.create(unit=parcel.unit, register_id=f"G{next(_seq)}", group=group)
    OwnershipShare.objects.create(register_unit=ru, owner=owner, numerator=1, denominator=1)
    OwnershipShare.objects.create(register_unit=ru, owner=holder, right=right, numerator=1,
                                  denominator=1)
    Parcel.objects.filter(pk=parcel.pk).update(register_unit=ru)


def institution(unit, name: str, regon: str) -> Owner:
    return Owner.objects.create(unit=unit, kind="institution", name=name, regon=regon)
