"""Per-parcel zoning for the zoning extract: plans and zones with their shares, from PostGIS."""
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Polygon
from django.db import connection
from django.test.utils import CaptureQueriesContext

from layers.models import ZoningPlan, ZoningZone
from layers.selectors import area_zoning, parcels_zoning
from tests import factories
from tests.conftest import NEIGHBOUR, PARCEL

FAR = (320000.0, 386000.0, 320100.0, 386100.0)


def _plan(kind: str, identifier: str, **fields) -> ZoningPlan:
    return ZoningPlan.objects.create(unit=factories.unit(), kind=kind, identifier=identifier,
                                     name=f"Plan {identifier}", **fields)


def _zone(plan: ZoningPlan, label: str, symbol: str, bbox, **fields) -> ZoningZone:
    return ZoningZone.objects.create(plan=plan, local_id=label, label=label, symbol=symbol,
                                     designation=f"teren {symbol}", geom=factories.box(*bbox),
                                     **fields)


def _postgis_share(zone: ZoningZone, parcel) -> tuple[float, float]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_Area(ST_Intersection(z.geom, p.geom)), "
                       "ST_Area(ST_Intersection(z.geom, p.geom)) / ST_Area(p.geom) "
                       "FROM layers_zoningzone z, cadastre_sync_parcel p "
                       "WHERE z.id = %s AND p.id = %s", [zone.pk, parcel.pk])
        return cursor.fetchone()


@pytest.mark.django_db
def test_parcels_split_between_zones_and_outside_every_plan_come_in_one_query():
    # given parcel 10/1 split 40/60 between two local plan zones and lying in one general
    # zone, parcel 10/2 in the general zone only, and parcel 11 far outside every plan
    first = factories.parcel("10/1", geom=factories.box(*PARCEL))
    second = factories.parcel("10/2", geom=factories.box(*NEIGHBOUR))
    outside = factories.parcel("11", geom=factories.box(*FAR))
    general = _plan("general", "POG")
    sj = _zone(general, "1SJ", "SJ", (317900, 385900, 318300, 386300),
               max_height_m=Decimal("12.00"), provisions="Wysokość do 12 m.")
    local = _plan("local", "MPZP 1", resolution_number="XII/45/2019", scale_denominator=1000)
    mn = _zone(local, "1MN", "MN", (317900, 385900, 318040, 386300), provisions="§ 5. MN ...")
    u = _zone(local, "2U", "U", (318040, 385900, 318100, 386300))

    # when the extract asks for all three (in this order)
    with CaptureQueriesContext(connection) as queries:
        result = parcels_zoning(parcel_ids=[outside.pk, first.pk, second.pk])

    # then one statement answers, in the order asked, local plans before the general plan
    assert len(queries) == 1
    assert [r.parcel_id for r in result] == [outside.parcel_id, first.parcel_id,
                                            second.parcel_id]
    assert result[0].zones == () and result[0].plans == []
    assert [(z.plan.kind, z.label) for z in result[1].zones] == [
        ("local", "2U"), ("local", "1MN"), ("general", "1SJ")]
    for cover, zone in zip(result[1].zones, (u, mn, sj), strict=True):
        area, share = _postgis_share(zone, first)
        assert cover.zone_id == zone.pk
        assert cover.area_m2 == pytest.approx(area, abs=1e-6)
        assert cover.share == pytest.approx(share, abs=1e-9)
    assert [round(z.share, 6) for z in result[1].zones] == [0.6, 0.4, 1.0]
    assert [p.name for p in result[1].plans] == ["Plan MPZP 1", "Plan POG"]
    assert result[1].local_plans[0].resolution_number == "XII/45/2019"
    assert result[1].zones[1].provisions == "§ 5. MN ..."
    assert [z.label for z in result[2].zones] == ["1SJ"]
    assert result[1].area_m2 == pytest.approx(10000.0)


@pytest.mark.django_db
def test_ids_of_no_parcel_are_left_out():
    # given one parcel
    parcel = factories.parcel("12", geom=factories.box(*PARCEL))

    # when an unknown id is asked for with it
    result = parcels_zoning(parcel_ids=[parcel.pk, parcel.pk + 1000])

    # then only the parcel comes back
    assert [r.parcel_pk for r in result] == [parcel.pk]


@pytest.mark.django_db
def test_a_drawn_site_gets_the_zones_over_it_with_their_shares():
    # given a general zone covering the west half of a drawn site
    general = _plan("general", "POG")
    _zone(general, "1SJ", "SJ", (317900, 385900, 318050, 386300))
    site = Polygon.from_bbox(PARCEL)
    site.srid = 2180

    # when / then
    assert [(z.label, round(z.share, 6)) for z in area_zoning(geom=site)] == [("1SJ", 0.5)]


@pytest.mark.django_db
def test_a_plan_being_drafted_is_not_listed_for_a_parcel_or_a_site():
    # given a parcel in a local plan in force and in a general plan still being drafted
    # (APP status "w opracowaniu", as real plan ogólny files are today)
    parcel = factories.parcel("13", geom=factories.box(*PARCEL))
    local = _plan("local", "MPZP 1", legal_status="obowiązujący")
    _zone(local, "1MN", "MN", (317900, 385900, 318300, 386300))
    draft = _plan("general", "POG", legal_status="w opracowaniu")
    _zone(draft, "1SJ", "SJ", (317900, 385900, 318300, 386300), status="w opracowaniu")
    site = Polygon.from_bbox(PARCEL)
    site.srid = 2180

    # when the extract and the WZ checks ask what is in force there
    [result] = parcels_zoning(parcel_ids=[parcel.pk])
    over_site = area_zoning(geom=site)

    # then only the local plan is listed
    assert [(p.identifier, p.kind) for p in result.plans] == [("MPZP 1", "local")]
    assert [z.label for z in result.zones] == ["1MN"]
    assert [z.label for z in over_site] == ["1MN"]
