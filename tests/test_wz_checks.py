"""Automatic checks on a WZ application: local plan cover, general plan limits, neighbourhood."""
from decimal import Decimal

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from cadastre_sync.models import LandUsePiece
from layers.models import ZoningPlan, ZoningZone
from permits.wz.checks import ANALYSED_AREA, Proposal, wz_checks
from tests import factories

SITE = (318000.0, 386000.0, 318040.0, 386050.0)  # 40 m × 50 m = 2000 m²


def _site() -> MultiPolygon:
    return factories.box(*SITE)


def _general_zone(**parameters) -> ZoningZone:
    plan = ZoningPlan.objects.create(unit=factories.unit(), kind="general", identifier="POG",
                                     name="Plan ogólny gminy Legnica")
    return ZoningZone.objects.create(plan=plan, local_id="1SJ", label="1SJ", symbol="SJ",
                                     designation="strefa SJ",
                                     geom=factories.box(317000, 385000, 319000, 387000),
                                     **parameters)


@pytest.mark.django_db
def test_a_proposal_over_the_zone_height_and_built_up_share_is_flagged_on_those_only():
    # given a general plan zone: height 12 m, built-up 30 %, biologically active 40 %,
    # intensity 0.9
    _general_zone(max_height_m=Decimal("12.00"), max_built_up_share=Decimal("30.00"),
                  min_biologically_active_share=Decimal("40.00"),
                  max_intensity=Decimal("0.90"))
    # and a proposal 14 m high, 700 m² built up (35 %), 900 m² green (45 %), 1400 m² floor (0.7)
    proposal = Proposal(height_m=Decimal("14"), built_up_area_m2=Decimal("700"),
                        biologically_active_area_m2=Decimal("900"),
                        above_ground_floor_area_m2=Decimal("1400"))

    # when the officer's checks run on the site
    checks = wz_checks(site=_site(), proposal=proposal)

    # then height and built-up share are exceeded, with the figures; nothing else
    assert not checks.local_plan_applies
    assert [(e.zone_label, e.limit.zone_field, e.allowed, e.proposed)
            for e in checks.exceedances] == [
        ("1SJ", "max_height_m", Decimal("12.00"), Decimal("14.00")),
        ("1SJ", "max_built_up_share", Decimal("30.00"), Decimal("35.00")),
    ]


@pytest.mark.django_db
def test_too_little_green_is_flagged_against_the_minimum():
    # given the same zone and a proposal leaving 30 % biologically active (limit: at least 40)
    _general_zone(min_biologically_active_share=Decimal("40.00"))

    # when
    checks = wz_checks(site=_site(), proposal=Proposal(
        biologically_active_area_m2=Decimal("600")))

    # then
    assert [(e.limit.bound, e.proposed) for e in checks.exceedances] == [
        ("min", Decimal("30.00"))]


@pytest.mark.django_db
def test_a_site_covered_by_a_local_plan_is_flagged_and_a_sliver_is_not():
    # given a local plan zone over the east 30 m of the site and another touching it by 5 cm
    plan = ZoningPlan.objects.create(unit=factories.unit(), kind="local", identifier="MPZP 7",
                                     name="MPZP Zachód")
    ZoningZone.objects.create(plan=plan, local_id="1MN", label="1MN", symbol="MN",
                              geom=factories.box(318010, 385900, 318200, 386200))
    ZoningZone.objects.create(plan=plan, local_id="2U", label="2U", symbol="U",
                              geom=factories.box(317900, 385900, 318000.05, 386050))

    # when
    checks = wz_checks(site=_site(), proposal=Proposal())

    # then the plan applies through 1MN (75 % of the site); WZ is not the procedure
    assert checks.local_plan_applies
    assert [(z.label, round(z.share, 4)) for z in checks.local_plan_zones] == [("1MN", 0.75)]


@pytest.mark.django_db
def test_a_site_with_no_plan_over_it_has_no_flags():
    # given no plans at all
    # when
    checks = wz_checks(site=_site(), proposal=Proposal(height_m=Decimal("30")))

    # then
    assert not checks.local_plan_applies
    assert checks.exceedances == ()


@pytest.mark.django_db
def test_the_neighbourhood_figures_come_from_parcels_and_buildings_in_the_analysed_area():
    # given the site's parcel, a 25 m road frontage to its south (3 × 25 = 75 m radius),
    # two built neighbours and one empty one inside 75 m, and a built parcel beyond it
    factories.parcel("1", geom=factories.box(318000, 386000, 318025, 386050))
    road = factories.parcel("2", geom=factories.box(317900, 385990, 318200, 386000))
    LandUsePiece.objects.create(parcel=road, ofu="dr", area_ha=Decimal("0.3"))
    west = factories.parcel("3", geom=factories.box(317975, 386000, 318000, 386040))  # 1000 m²
    east = factories.parcel("4", geom=factories.box(318025, 386000, 318050, 386040))  # 1000 m²
    factories.parcel("5", geom=factories.box(318050, 386000, 318075, 386040))
    far = factories.parcel("6", geom=factories.box(318400, 386000, 318425, 386040))
    _building(west, (317980, 386010, 317990, 386030), storeys_above=2)  # 200 m²: 20 %
    _building(east, (318030, 386010, 318045, 386030), storeys_above=3)  # 300 m²: 30 %
    _building(far, (318405, 386010, 318420, 386030), storeys_above=9)
    site = factories.box(318000, 386000, 318025, 386050)

    # when
    n = wz_checks(site=site, proposal=Proposal()).neighbourhood

    # then
    assert n.frontage_m == pytest.approx(25.0, abs=1.0)
    assert n.radius_m == pytest.approx(max(3 * n.frontage_m, ANALYSED_AREA["min_m"]))
    assert (n.parcels, n.built_parcels, n.buildings) == (3, 2, 2)
    assert n.built_up_share_mean == pytest.approx(25.0)
    assert (n.built_up_share_min, n.built_up_share_max) == (pytest.approx(20.0),
                                                            pytest.approx(30.0))
    assert (n.storeys_min, n.storeys_max) == (2, 3)


@pytest.mark.django_db
def test_a_site_off_every_road_gets_the_minimum_radius():
    # given a site with no road parcel next to it
    # when
    n = wz_checks(site=_site(), proposal=Proposal()).neighbourhood

    # then
    assert (n.frontage_m, n.radius_m) == (0.0, ANALYSED_AREA["min_m"])
    assert n.parcels == 0 and n.storeys_median is None


def _building(on, bbox, **kw):
    b = factories.building(on, **kw)
    b.geom = MultiPolygon(Polygon.from_bbox(bbox), srid=2180)
    b.save()
    return b
