"""Small factories for tests: real rows in the real PostGIS test database."""
import importlib
import itertools
from decimal import Decimal

from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import MultiPolygon, Polygon

from cadastre_sync.models import Building, Parcel, Precinct
from core.models import AdministrativeUnit
from core.services import membership_grant

_seq = itertools.count(1)

# A point in Legnica, in EPSG:2180 metres; tests place their geometry around it.
ORIGIN = (318000.0, 386000.0)


def box(x0: float, y0: float, x1: float, y1: float) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((x0, y0, x1, y1)), srid=2180)


def unit(teryt: str = "026101_1", name: str = "Legnica", **kw) -> AdministrativeUnit:
    obj, _ = AdministrativeUnit.objects.get_or_create(teryt=teryt, defaults={"name": name, **kw})
    return obj


def precinct(u: AdministrativeUnit | None = None, number: str = "0001", name: str = "Centrum",
             geom=None) -> Precinct:
    u = u or unit()
    obj, _ = Precinct.objects.get_or_create(unit=u, number=number,
                                            defaults={"name": name, "geom": geom})
    return obj


def parcel(number: str | None = None, *, p: Precinct | None = None, geom=None,
           area_ha: str | None = None, **kw) -> Parcel:
    p = p or precinct()
    number = number or str(next(_seq))
    if geom is None:
        i = next(_seq)
        x, y = ORIGIN[0] + 40 * i, ORIGIN[1]
        geom = box(x, y, x + 30, y + 30)
    area = Decimal(area_ha) if area_ha else Decimal(round(geom.area / 10000, 4)).quantize(
        Decimal("0.0001"))
    return Parcel.objects.create(
        unit=p.unit, precinct=p, number=number, parcel_id=f"{p.unit.teryt}.{p.number}.{number}",
        geom=geom, registered_area_ha=area, **kw,
    )


def building(on: Parcel, building_id: str | None = None, **kw) -> Building:
    b = Building.objects.create(
        unit=on.unit, building_id=building_id or f"{on.parcel_id}.{next(_seq)}_BUD",
        geom=MultiPolygon(on.geom.centroid.buffer(5, quadsegs=1), srid=2180),
        kst_class=kw.pop("kst_class", "1110"), **kw,
    )
    b.parcels.add(on)
    return b


def user(username: str | None = None, **kw):
    User = get_user_model()
    return User.objects.create_user(username=username or f"user{next(_seq)}", password="pw-test-1",
                                    **kw)


def staff(u: AdministrativeUnit, role: str, username: str | None = None):
    person = user(username)
    membership_grant(user=person, unit=u, role=role)
    return person


def zoning_plan(kind: str = "local", identifier: str | None = None, u=None, **kw):
    from layers.models import ZoningPlan

    identifier = identifier or f"PLAN-{next(_seq)}"
    return ZoningPlan.objects.create(unit=u or unit(), kind=kind, identifier=identifier,
                                     name=kw.pop("name", f"Plan {identifier}"), **kw)


def zoning_zone(plan, label: str, symbol: str, geom, **kw):
    from layers.models import ZoningZone

    return ZoningZone.objects.create(plan=plan, local_id=label, label=label, symbol=symbol,
                                     designation=kw.pop("designation", f"teren {symbol}"),
                                     geom=geom, **kw)


def data_migration_reapply(module: str) -> None:
    """Write again the rows a data migration's `seed(apps, schema_editor)` writes
    (idempotently): a transactional test's flush empties them for the tests after it."""
    importlib.import_module(module).seed(django_apps, None)
