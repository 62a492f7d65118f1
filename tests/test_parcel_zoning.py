"""The zoning over a parcel with the share of its area under each zone, from PostGIS."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from layers.models import ZoningPlan, ZoningZone
from layers.selectors import PARCEL_SLIVER_M2, PlanRef, ZoneParameters, parcel_zoning
from tests import factories

# A 100 m square parcel in Legnica (EPSG:2180); zones are drawn around it.
PARCEL = (318000.0, 386000.0, 318100.0, 386100.0)


def _plan(kind: str, identifier: str, **fields) -> ZoningPlan:
    return ZoningPlan.objects.create(unit=factories.unit(), kind=kind, identifier=identifier,
                                     name=f"Plan {identifier}", **fields)


def _zone(plan: ZoningPlan, label: str, symbol: str, bbox, **fields) -> ZoningZone:
    return ZoningZone.objects.create(plan=plan, local_id=label, label=label, symbol=symbol,
                                     designation=f"teren {symbol}", geom=factories.box(*bbox),
                                     **fields)


def _postgis_area(zone: ZoningZone, parcel) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_Area(ST_Intersection(z.geom, p.geom)), ST_Area(p.geom) "
                       "FROM layers_zoningzone z, cadastre_sync_parcel p "
                       "WHERE z.id = %s AND p.id = %s", [zone.pk, parcel.pk])
        return cursor.fetchone()


@pytest.mark.django_db
def test_a_parcel_split_between_two_zones_gets_both_with_their_shares():
    # given a parcel whose western 30 m lie in zone 1SJ and the rest in 2SU of the general
    # plan, and a local plan's zone over all of it
    parcel = factories.parcel("7/3", geom=factories.box(*PARCEL))
    general = _plan("general", "PL.ZIPPZP.1/026101-POG/1POG")
    sj = _zone(general, "1SJ", "SJ", (317900, 385900, 318030, 386200),
               max_intensity=Decimal("0.9"), max_built_up_share=Decimal("30.0"),
               max_height_m=Decimal("12.0"), min_biologically_active_share=Decimal("40.0"))
    su = _zone(general, "2SU", "SU", (318030, 385900, 318300, 386200))
    local = _plan("local", "MPZP XII/45/2019")
    mn = _zone(local, "1MN", "MN", (317000, 385000, 319000, 387000))

    # when the map asks what covers the parcel
    shares = parcel_zoning(parcel=parcel)

    # then all three come, largest share first, with what PostGIS measures of each
    assert [(s.plan.kind, s.label, s.symbol) for s in shares] == [
        ("local", "1MN", "MN"), ("general", "2SU", "SU"), ("general", "1SJ", "SJ")]
    for share, zone in zip(shares, (mn, su, sj), strict=True):
        area, parcel_area = _postgis_area(zone, parcel)
        assert share.zone_id == zone.pk
        assert share.area_m2 == pytest.approx(area, abs=1e-6)
        assert share.share == pytest.approx(area / parcel_area, abs=1e-9)
    assert [round(s.share, 6) for s in shares] == [1.0, 0.7, 0.3]
    assert shares[2].plan == PlanRef(general.pk, general.identifier, general.name, "general")
    assert shares[2].designation == "teren SJ"
    assert shares[2].parameters == ZoneParameters(Decimal("0.9"), Decimal("30.0"),
                                                  Decimal("12.0"), Decimal("40.0"))


@pytest.mark.django_db
def test_slivers_expired_plans_and_far_zones_are_left_out():
    # given a parcel inside zone 1SJ, touched by a sliver of 2SU (0.5 m²) and covered by a
    # zone of a plan no longer in force
    parcel = factories.parcel("7/4", geom=factories.box(*PARCEL))
    general = _plan("general", "POG")
    _zone(general, "1SJ", "SJ", (317900, 385900, 318200, 386200))
    _zone(general, "2SU", "SU", (318099.995, 385900, 318300, 386200))  # 0.005 m x 100 m
    old = _plan("local", "MPZP 1/1999", valid_to=date.today() - timedelta(days=1))
    _zone(old, "1U", "U", (317000, 385000, 319000, 387000))
    _zone(general, "3SN", "SN", (320000, 386000, 320100, 386100))

    # when the map asks what covers it
    shares = parcel_zoning(parcel=parcel)

    # then only 1SJ is left: the sliver is under the tolerance, the old plan is history
    assert PARCEL_SLIVER_M2 > 0.5
    assert [(s.label, round(s.share, 4)) for s in shares] == [("1SJ", 1.0)]


@pytest.mark.django_db
def test_a_parcel_outside_every_plan_gets_nothing():
    # given zones far from the parcel
    parcel = factories.parcel("9", geom=factories.box(*PARCEL))
    _zone(_plan("general", "POG"), "1SJ", "SJ", (320000, 386000, 320100, 386100))

    # when / then
    assert parcel_zoning(parcel=parcel) == []


@pytest.mark.django_db
def test_the_lookup_is_one_query_that_can_use_the_zones_spatial_index():
    # given a parcel and a zone over it, among 400 zones of the plan elsewhere (so that the
    # planner, with fresh statistics, has a table worth an index)
    parcel = factories.parcel("10", geom=factories.box(*PARCEL))
    plan = _plan("general", "POG")
    _zone(plan, "1SJ", "SJ", (317900, 385900, 318200, 386200))
    for i in range(400):
        x, y = 300_000 + (i % 20) * 500, 370_000 + (i // 20) * 500
        _zone(plan, f"{i + 2}SJ", "SJ", (x, y, x + 400, y + 400))

    # when it is looked up (and its plan explained with sequential scans priced out)
    with CaptureQueriesContext(connection) as queries:
        parcel_zoning(parcel=parcel)
    with connection.cursor() as cursor:
        # (statistics of these rows, not of what earlier tests left, as after an import)
        cursor.execute("ANALYZE layers_zoningzone, layers_zoningplan, cadastre_sync_parcel")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + queries.captured_queries[0]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
        constraints = connection.introspection.get_constraints(cursor, "layers_zoningzone")

    # then it is one statement, and the zones are reached through their GiST index
    assert len(queries) == 1
    [index] = [name for name, c in constraints.items()
               if c["index"] and c["type"] == "gist" and c["columns"] == ["geom"]]
    assert f"Index Scan using {index}" in plan or f"Bitmap Index Scan on {index}" in plan, plan


@pytest.mark.django_db
def test_plans_and_zones_not_in_force_today_are_left_out():
    # given a parcel in an adopted general plan's zone 1SJ, also covered by a general plan
    # still being drafted (APP status "w opracowaniu"), a local plan in force only from
    # tomorrow, a plan that stopped being in force today, and, in the adopted plan, a zone
    # being drafted and a zone in force only from tomorrow
    today = timezone.localdate()
    parcel = factories.parcel("7/5", geom=factories.box(*PARCEL))
    adopted = _plan("general", "POG", legal_status="prawnie wiążący lub realizowany",
                    valid_from=today - timedelta(days=30))
    _zone(adopted, "1SJ", "SJ", (317900, 385900, 318200, 386200), status="")
    _zone(adopted, "2SU", "SU", (317900, 385900, 318200, 386200), status="w opracowaniu")
    _zone(adopted, "3SN", "SN", (317900, 385900, 318200, 386200),
          valid_from=today + timedelta(days=1))
    draft = _plan("general", "POG-2", legal_status="w opracowaniu")
    _zone(draft, "1SW", "SW", (317000, 385000, 319000, 387000))
    future = _plan("local", "MPZP 2/2099", legal_status="obowiązujący",
                   valid_from=today + timedelta(days=1))
    _zone(future, "1MN", "MN", (317000, 385000, 319000, 387000))
    ended = _plan("local", "MPZP 3/2001", valid_to=today)
    _zone(ended, "1U", "U", (317000, 385000, 319000, 387000))

    # when the map asks what covers the parcel
    shares = parcel_zoning(parcel=parcel)

    # then only the adopted plan's zone in force today comes
    assert [(s.plan.identifier, s.label) for s in shares] == [("POG", "1SJ")]
