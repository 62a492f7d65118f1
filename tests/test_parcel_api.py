"""The parcel API behind the resident's map: at a point, by id (the card), search.

Real PostGIS rows; the answers are compared with what PostGIS itself says of them.
"""
import dataclasses
from decimal import Decimal

import pytest
from django.contrib.gis.geos import LinearRing, MultiPolygon, Point, Polygon
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cadastre_sync.models import Address, LandUsePiece, Parcel
from core.roles import CASE_OFFICER
from layers import registry
from layers.registry import Access
from tests import factories as f

pytestmark = pytest.mark.django_db

# A 100 m square parcel in Legnica (EPSG:2180) and its neighbour to the east.
PARCEL = (318000.0, 386000.0, 318100.0, 386100.0)
NEIGHBOUR = (318100.0, 386000.0, 318200.0, 386100.0)
INSIDE = (318050.0, 386050.0)
EMPTY_FIELD = (330000.0, 390000.0)  # in Poland, 12 km from any test parcel


def english(client):
    client.cookies["django_language"] = "en"
    return client


def lonlat(x: float, y: float) -> tuple[float, float]:
    point = Point(x, y, srid=2180).transform(4326, clone=True)
    return point.x, point.y


@pytest.fixture
def parcel():
    """Parcel 123/4 of precinct 0001 Centrum with land use, a building, an address, and a
    local plan whose zone 1MN covers its western 70 m and 2U the rest."""
    p = f.parcel("123/4", geom=f.box(*PARCEL), area_ha="1.0012")
    LandUsePiece.objects.create(parcel=p, ofu="B", area_ha=Decimal("0.7000"))
    LandUsePiece.objects.create(parcel=p, ofu="R", ozk="IIIa", area_ha=Decimal("0.3012"))
    f.building(p, building_id="026101_1.0001.BUD_1", storeys_above=2)
    Address.objects.create(unit=p.unit, parcel=p, locality="Legnica", street="Polna",
                           house_number="12", postcode="59-220")
    plan = f.zoning_plan("local", "MPZP XII/45/2019")
    f.zoning_zone(plan, "1MN", "MN", f.box(317900, 385900, 318070, 386200),
                  max_height_m=Decimal("9.5"), max_built_up_share=Decimal("30.00"))
    f.zoning_zone(plan, "2U", "U", f.box(318070, 385900, 318300, 386200))
    return p


def _postgis_lonlat_ring(parcel) -> list[tuple[float, float]]:
    # as PostGIS transforms it and orients it by RFC 7946's right-hand rule
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_X((d).geom), ST_Y((d).geom) FROM (SELECT ST_DumpPoints("
                       "ST_ForcePolygonCCW(ST_Transform(geom, 4326))) AS d "
                       "FROM cadastre_sync_parcel WHERE id = %s) s", [parcel.pk])
        return cursor.fetchall()


def _signed_area(ring: list[list[float]]) -> float:
    """Twice the ring's signed area (shoelace): positive when it runs counter-clockwise."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False))


# --- at a point --------------------------------------------------------------------------

def test_at_lon_lat_answers_the_parcel_as_rfc7946_geojson_in_lon_lat(client, parcel):
    # given the parcel and a WGS84 point inside it
    lon, lat = lonlat(*INSIDE)

    # when the map asks what is there
    response = client.get("/api/parcels/at/", {"lon": lon, "lat": lat})

    # then the parcel comes as a GeoJSON feature in lon/lat, as PostGIS transforms it
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "Feature" and body["id"] == "026101_1.0001.123/4"
    assert "crs" not in body
    ring = body["geometry"]["coordinates"][0][0]
    expected = _postgis_lonlat_ring(parcel)
    assert len(ring) == len(expected)
    for got, want in zip(ring, expected, strict=True):
        assert got == pytest.approx(want, abs=2e-7)
    west, south, east, north = body["bbox"]
    assert 15.5 < west < east < 17 and 50.9 < south < north < 51.5  # lon first, then lat
    assert body["properties"]["registered_area_ha"] == "1.0012"
    assert body["properties"]["precinct"] == {"code": "026101_1.0001", "number": "0001",
                                              "name": "Centrum"}
    assert body["properties"]["url"] == "/api/parcels/026101_1.0001.123/4/"


def test_at_x_y_in_pl1992_answers_in_pl1992_with_its_crs_named(client, parcel):
    # when the point and the answer are asked for in EPSG:2180
    response = client.get("/api/parcels/at/", {"x": INSIDE[0], "y": INSIDE[1], "srid": 2180})

    # then the coordinates are the stored metres, and the feature says so
    body = response.json()
    assert response.status_code == 200
    assert body["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::2180"
    assert body["bbox"] == list(PARCEL)
    assert sorted(map(tuple, body["geometry"]["coordinates"][0][0])) == sorted(
        parcel.geom.coords[0][0])


@pytest.fixture
def courtyard_parcel():
    """Parcel 50 with a courtyard, both rings stored against RFC 7946: the outer clockwise
    (as factories.box writes it), the courtyard counter-clockwise."""
    outer = Polygon.from_bbox((318300.0, 386000.0, 318400.0, 386100.0))
    yard = LinearRing((318340, 386040), (318360, 386040), (318360, 386060), (318340, 386060),
                      (318340, 386040))
    geom = MultiPolygon(Polygon(outer.exterior_ring, yard), srid=2180)
    assert not geom[0].exterior_ring.is_counterclockwise and yard.is_counterclockwise
    return f.parcel("50", geom=geom)


def _rings_orientation(body: dict) -> list[list[bool]]:
    """For each polygon of the answer's MultiPolygon: is each ring counter-clockwise?"""
    return [[_signed_area(ring) > 0 for ring in polygon]
            for polygon in body["geometry"]["coordinates"]]


def _point_query(x: float, y: float, srid: int) -> dict:
    if srid == 4326:
        return dict(zip(("lon", "lat"), lonlat(x, y), strict=True))
    return {"x": x, "y": y, "srid": srid}


@pytest.mark.parametrize("srid", [4326, 2180])
def test_at_a_point_outer_rings_are_counter_clockwise_and_holes_clockwise(
        client, parcel, courtyard_parcel, srid):
    # given the clockwise 123/4 and parcel 50 whose courtyard runs counter-clockwise
    # when the map asks for each by a point inside it
    plain = client.get("/api/parcels/at/", _point_query(*INSIDE, srid))
    holed = client.get("/api/parcels/at/", _point_query(318310, 386010, srid))

    # then both follow RFC 7946's right-hand rule: outer rings CCW, holes CW
    assert plain.json()["id"] == parcel.parcel_id
    assert _rings_orientation(plain.json()) == [[True]]
    assert holed.json()["id"] == courtyard_parcel.parcel_id
    assert _rings_orientation(holed.json()) == [[True, False]]


@pytest.mark.parametrize("srid", [4326, 2180])
def test_the_card_outer_rings_are_counter_clockwise_and_holes_clockwise(
        client, parcel, courtyard_parcel, srid):
    # when the cards of the clockwise 123/4 and of parcel 50 with its courtyard are asked for
    plain = client.get(f"/api/parcels/{parcel.parcel_id}/", {"srid": srid})
    holed = client.get(f"/api/parcels/{courtyard_parcel.parcel_id}/", {"srid": srid})

    # then both follow RFC 7946's right-hand rule, as the click's answer does
    assert _rings_orientation(plain.json()) == [[True]]
    assert _rings_orientation(holed.json()) == [[True, False]]
    clicked = client.get("/api/parcels/at/", _point_query(318310, 386010, srid)).json()
    assert holed.json()["geometry"]["coordinates"] == clicked["geometry"]["coordinates"]


def test_at_a_point_is_one_query(client, parcel):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/parcels/at/", {"x": INSIDE[0], "y": INSIDE[1],
                                                    "srid": 2180})

    assert response.status_code == 200
    assert len(queries) == 1


def test_a_point_on_the_boundary_of_two_parcels_answers_the_older_one_every_time(client,
                                                                                  parcel):
    # given the neighbour sharing the parcel's eastern edge
    f.parcel("123/5", geom=f.box(*NEIGHBOUR))

    # when the point on that edge is asked for, three times
    answers = {client.get("/api/parcels/at/", {"x": PARCEL[2], "y": INSIDE[1],
                                               "srid": 2180}).json()["id"] for _ in range(3)}

    # then it is the older record, always
    assert answers == {parcel.parcel_id}


def test_at_a_point_outside_every_parcel_is_404(client, parcel):
    lon, lat = lonlat(*EMPTY_FIELD)

    response = english(client).get("/api/parcels/at/", {"lon": lon, "lat": lat})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert response.json()["message"] == "There is no parcel at this point."


def test_at_with_lon_and_lat_swapped_is_400_with_a_hint(client, parcel):
    # given a point inside the parcel with its latitude sent as lon and longitude as lat
    lon, lat = lonlat(*INSIDE)

    response = english(client).get("/api/parcels/at/", {"lon": lat, "lat": lon})

    # then the answer says the numbers look swapped and how to ask instead
    assert response.status_code == 400
    body = response.json()
    assert body["detail"]["hint"] == "swapped"
    assert "swapped" in body["message"]
    assert f"lon={lon}&lat={lat}" in body["message"]


def test_at_a_point_outside_poland_is_400(client):
    response = english(client).get("/api/parcels/at/", {"lon": "2.35", "lat": "48.85"})

    assert response.status_code == 400
    assert response.json()["detail"]["hint"] == "outside_poland"


@pytest.mark.parametrize(("query", "named"), [
    ({}, "lon"),
    ({"lon": "16.1"}, "lat"),
    ({"lon": "east", "lat": "51.2"}, "lon"),
    ({"x": "318050", "y": "386050", "srid": "2177"}, "srid"),
])
def test_at_with_missing_or_bad_parameters_is_400_naming_them(client, query, named):
    response = english(client).get("/api/parcels/at/", query)

    assert response.status_code == 400
    assert named in response.json()["detail"]
    assert named in response.json()["message"]


# --- the card ----------------------------------------------------------------------------

def test_card_holds_area_land_use_buildings_address_and_zoning_shares(client, parcel):
    # when the card of the parcel is asked for, with the fraction's slash as is
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/parcels/026101_1.0001.123/4/")

    # then it holds what the cadastre and the plan say, in a bounded number of queries
    assert response.status_code == 200
    props = response.json()["properties"]
    assert props["registered_area_ha"] == "1.0012"
    assert [(r["ofu"], r["ozk"], r["area_ha"]) for r in props["land_use"]] == [
        ("B", "", "0.7000"), ("R", "IIIa", "0.3012")]
    assert [(b["id"], b["storeys_above"]) for b in props["buildings"]] == [
        ("026101_1.0001.BUD_1", 2)]
    assert props["addresses"] == ["Polna 12, 59-220 Legnica"]
    assert [(z["label"], z["share"], z["area_m2"]) for z in props["zoning"]] == [
        ("1MN", 0.7, 7000.0), ("2U", 0.3, 3000.0)]
    mn = props["zoning"][0]
    assert mn["plan"] == {"identifier": "MPZP XII/45/2019", "name": "Plan MPZP XII/45/2019",
                          "kind": "local"}
    assert mn["parameters"]["max_height_m"] == "9.50"
    assert mn["parameters"]["max_built_up_share"] == "30.00"
    assert mn["parameters"]["max_intensity"] is None
    assert len(queries) <= 10


def test_card_of_an_encoded_id_is_the_same(client, parcel):
    plain = client.get("/api/parcels/026101_1.0001.123/4/")
    encoded = client.get("/api/parcels/026101_1.0001.123%2F4/")

    assert encoded.status_code == 200
    assert encoded.json() == plain.json()


@pytest.mark.parametrize(("parcel_id", "part"), [
    ("026101_1.001.123/4", "precinct"),
    ("026101.0001.123/4", "gmina"),
    ("026101_1.0001.12a", "number"),
    ("nonsense", "parts"),
])
def test_card_of_a_malformed_id_is_400_saying_what_is_wrong(client, parcel_id, part):
    response = english(client).get(f"/api/parcels/{parcel_id}/")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_input"
    assert part in body["message"]
    assert body["detail"] == {"id": parcel_id}


def test_card_of_an_unknown_id_is_404_with_the_near_misses(client, parcel):
    # given parcels 123/40 and 123/41 beside 123/4 in the same precinct, 123/4 elsewhere
    f.parcel("123/40")
    f.parcel("123/41")
    f.parcel("123/4", p=f.precinct(number="0002", name="Zachód"))

    # when a resident mistypes 123/4 as 123/400... or as 123/5
    response = english(client).get("/api/parcels/026101_1.0001.123/5/")

    # then nothing is found, and the same precinct's numbers of that base are offered
    assert response.status_code == 404
    body = response.json()
    assert body["message"] == "There is no parcel 026101_1.0001.123/5."
    assert set(body["detail"]["suggestions"]) == {
        "026101_1.0001.123/4", "026101_1.0001.123/40", "026101_1.0001.123/41"}


# --- another unit's parcels that are not public ------------------------------------------

@pytest.fixture
def retired_in_another_unit():
    """A retired parcel (history, not on the public map) of Chojnów, beside Legnica."""
    chojnow = f.unit("020102_1", "Chojnów")
    return f.parcel("7", p=f.precinct(chojnow), geom=f.box(*NEIGHBOUR),
                    retired_at=timezone.now())


def test_a_retired_parcel_of_another_unit_is_refused_to_other_staff(client, parcel,
                                                                     retired_in_another_unit):
    # given a case officer of Legnica, logged in
    client.force_login(f.staff(parcel.unit, CASE_OFFICER))

    # when she asks for the retired parcel of Chojnów
    response = client.get("/api/parcels/020102_1.0001.7/")

    # then the access rules refuse it, naming the unit
    assert response.status_code == 403
    assert response.json()["detail"] == {"unit": "020102_1"}


def test_a_retired_parcel_needs_a_login_and_is_shown_to_its_own_units_staff(
        client, retired_in_another_unit):
    anonymous = client.get("/api/parcels/020102_1.0001.7/")
    client.force_login(f.staff(retired_in_another_unit.unit, CASE_OFFICER))
    own = client.get("/api/parcels/020102_1.0001.7/")

    assert anonymous.status_code == 401
    assert own.status_code == 200
    assert own.json()["properties"]["current"] is False


def test_a_retired_parcel_is_not_found_at_its_point(client, retired_in_another_unit):
    response = client.get("/api/parcels/at/", {"x": 318150, "y": 386050, "srid": 2180})

    assert response.status_code == 404


@pytest.fixture
def staff_only_parcels(monkeypatch):
    """The parcels layer published for staff of their own unit only (Access.STAFF)."""
    restricted = dataclasses.replace(registry.layer_named("parcels"), access=Access.STAFF)
    monkeypatch.setitem(registry._BY_NAME, "parcels", restricted)


def test_where_parcels_are_staff_only_another_units_parcel_is_refused(
        client, parcel, staff_only_parcels):
    # given Chojnów's current parcel and a case officer of Legnica
    chojnow = f.parcel("8", p=f.precinct(f.unit("020102_1", "Chojnów")),
                       geom=f.box(*NEIGHBOUR))
    client.force_login(f.staff(parcel.unit, CASE_OFFICER))

    # when she asks for it by id, at its point, and by search
    by_id = client.get(f"/api/parcels/{chojnow.parcel_id}/")
    at = client.get("/api/parcels/at/", {"x": 318150, "y": 386050, "srid": 2180})
    found = client.get("/api/parcels/search/", {"q": "8"})

    # then it is refused, not there, and not found, while her own unit's parcel is there
    assert by_id.status_code == 403
    assert at.status_code == 404
    assert found.json()["results"] == []
    assert client.get(f"/api/parcels/{parcel.parcel_id}/").status_code == 200


def test_where_parcels_are_staff_only_an_anonymous_client_must_log_in(
        client, parcel, staff_only_parcels):
    assert client.get(f"/api/parcels/{parcel.parcel_id}/").status_code == 401


# --- search ------------------------------------------------------------------------------

def _search(client, q: str, **params) -> dict:
    response = english(client).get("/api/parcels/search/", {"q": q, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_search_by_full_id_finds_the_parcel_with_its_box(client, parcel):
    body = _search(client, "026101_1.0001.123/4", srid=2180)

    assert [(h["kind"], h["parcel_id"]) for h in body["results"]] == [
        ("parcel", "026101_1.0001.123/4")]
    assert body["results"][0]["bbox"] == list(PARCEL)


@pytest.mark.parametrize("q", ["Centrum 123/4", "centr 123/4", "0001 123/4", "1 123/4",
                               "obręb Centrum, dz. 123/4", "123/4"])
def test_search_by_precinct_and_number_finds_the_parcel(client, parcel, q):
    f.parcel("123/4", p=f.precinct(number="0002", name="Zachód"))
    body = _search(client, q)

    ids = [h["parcel_id"] for h in body["results"]]
    if q == "123/4":  # the number alone: every precinct's
        assert ids == ["026101_1.0001.123/4", "026101_1.0002.123/4"]
    else:
        assert ids == ["026101_1.0001.123/4"]


def test_a_number_alone_is_answered_by_unit_then_precinct_a_page_at_most(client):
    # given parcel 7 in six precincts of Legnica and six of Chojnów (whose TERYT code sorts
    # first), made in no order, beside 7/1 and 17
    for number in ("0012", "0003", "0101", "0007", "0010", "0002"):
        f.parcel("7", p=f.precinct(number=number, name=f"Obręb {number}"))
        f.parcel("7", p=chojnow_precinct(number, f"Obręb {number}"))
    f.parcel("7/1")
    f.parcel("17")

    # when the number alone is looked for
    body = _search(client, "7")

    # then a page of parcels 7 comes, Chojnów's by precinct number, then Legnica's
    assert [h["parcel_id"] for h in body["results"]] == [
        *(f"020102_1.{n}.7" for n in ("0002", "0003", "0007", "0010", "0012", "0101")),
        *(f"026101_1.{n}.7" for n in ("0002", "0003", "0007", "0010"))]


def test_a_two_letter_term_finds_precincts_containing_it(client):
    # given precincts whose folded names hold "od" at the end and inside, and one without
    f.precinct(number="0002", name="Zachód", geom=f.box(318000, 387000, 319000, 388000))
    f.precinct(number="0003", name="Wschodnie", geom=f.box(318000, 388000, 319000, 389000))
    f.precinct(number="0004", name="Centrum", geom=f.box(318000, 389000, 319000, 390000))

    # when two letters are typed (too short for a trigram)
    body = _search(client, "od")

    # then both precincts holding them are offered, by name
    assert [h["precinct"] for h in body["results"] if h["kind"] == "precinct"] == [
        "026101_1.0003", "026101_1.0002"]


def test_search_for_a_missing_number_offers_near_misses_in_that_precinct(client, parcel):
    # given 123/40 beside 123/4, and 123/40 in another precinct
    f.parcel("123/40")
    f.parcel("123/40", p=f.precinct(number="0002", name="Zachód"))

    # when 123/400 is looked for in Centrum
    body = _search(client, "Centrum 123/400")

    # then nothing is found, and Centrum's 123/40 and 123/4 come first, the typed prefix first
    assert body["results"] == []
    assert body["message"] == "There is no parcel 123/400 in precinct “Centrum”."
    assert [h["parcel_id"] for h in body["suggestions"]][:2] == [
        "026101_1.0001.123/40", "026101_1.0001.123/4"]
    assert all(h["precinct"] == "026101_1.0001" for h in body["suggestions"])


def test_search_for_123_4_offers_123_40(client):
    f.parcel("123/40")

    body = _search(client, "Centrum 123/4")

    assert body["results"] == []
    assert [h["parcel_id"] for h in body["suggestions"]] == ["026101_1.0001.123/40"]


def test_a_precinct_named_exactly_excludes_its_longer_namesakes(client):
    # given Stare Miasto 1 and Stare Miasto 10, each with a parcel 2
    one = f.precinct(number="0001", name="Stare Miasto 1")
    ten = f.precinct(number="0010", name="Stare Miasto 10")
    f.parcel("2", p=one)
    f.parcel("2", p=ten)

    body = _search(client, "Stare Miasto 1 2")

    assert [h["parcel_id"] for h in body["results"]] == ["026101_1.0001.2"]


def test_search_by_precinct_name_suggests_precincts(client, parcel):
    f.precinct(number="0002", name="Centrum Północ", geom=f.box(318000, 387000, 319000, 388000))
    f.precinct(number="0003", name="Stare Centrum", geom=f.box(318000, 388000, 319000, 389000))
    f.precinct(number="0004", name="Zachód", geom=f.box(318000, 389000, 319000, 390000))

    body = _search(client, "centrum")

    # the name itself first, then names starting with the term, then names containing it;
    # only precincts with a shape can be shown (Centrum of the fixture has none)
    assert [(h["kind"], h["precinct"]) for h in body["results"]] == [
        ("precinct", "026101_1.0002"), ("precinct", "026101_1.0003")]


def test_search_by_address_finds_its_parcel(client, parcel):
    body = _search(client, "ul. Polna 12")

    assert [(h["kind"], h["parcel_id"]) for h in body["results"]] == [
        ("address", "026101_1.0001.123/4")]


def test_a_street_is_answered_a_page_at_a_time_past_retired_parcels(client):
    # given twelve addresses on Lipowa, made in no order, the first three by house number
    # on retired parcels, and the same house numbers in a locality named Lipowa-Kolonia
    # without streets
    numbers = ["11", "3", "12", "1", "9", "2", "10", "4", "8", "5", "7", "6"]
    for house_number in numbers:
        retired = timezone.now() if house_number in ("1", "10", "11") else None
        on = f.parcel(f"7{house_number}", retired_at=retired)
        Address.objects.create(unit=on.unit, parcel=on, locality="Legnica", street="Lipowa",
                               house_number=house_number)
        Address.objects.create(unit=on.unit, parcel=on, locality="Lipowa-Kolonia", street="",
                               house_number=house_number)

    # when the street is looked for, and a house number on it
    page = _search(client, "lipowa")
    one = _search(client, "Lipowa 12")

    # then a page of the current parcels' addresses comes, by street (none before any),
    # locality and house number as text; the retired parcels' are left out
    assert [h["label"].split(",")[0] for h in page["results"]] == [
        *(f"Lipowa-Kolonia {n}" for n in ("12", "2", "3", "4", "5", "6", "7", "8", "9")),
        "Lipowa 12"]
    assert [h["label"].split(",")[0] for h in one["results"]] == [
        "Lipowa-Kolonia 12", "Lipowa 12"]


def test_a_house_number_is_found_whatever_the_case_of_its_letter(client):
    # given Polna 7a in Legnica and 7A in a village without streets named Polanka, and
    # Polna 7 and 17a beside them
    for house_number, street, locality in (("7a", "Polna", "Legnica"), ("7A", "", "Polanka"),
                                           ("7", "Polna", "Legnica"),
                                           ("17a", "Polna", "Legnica")):
        on = f.parcel()
        Address.objects.create(unit=on.unit, parcel=on, locality=locality, street=street,
                               house_number=house_number)

    # when "pol 7A" is typed
    body = _search(client, "pol 7A")

    # then both 7a and 7A are found, the village without streets first
    assert [h["label"].split(",")[0] for h in body["results"]] == ["Polanka 7A", "Polna 7a"]


def test_search_forgives_missing_polish_letters(client, parcel):
    # given a precinct Śródmieście with parcel 5 on ulica Żytnia 3
    centre = f.precinct(number="0002", name="Śródmieście",
                        geom=f.box(318000, 387000, 319000, 388000))
    on_zytnia = f.parcel("5", p=centre)
    Address.objects.create(unit=centre.unit, parcel=on_zytnia, locality="Legnica",
                           street="Żytnia", house_number="3")

    # when they are typed without the Polish letters
    precincts = _search(client, "srodmiescie")
    parcels = _search(client, "Srodmiescie 5")
    addresses = _search(client, "zytnia 3")

    # then they are found all the same
    assert [h["precinct"] for h in precincts["results"]] == ["026101_1.0002"]
    assert [h["parcel_id"] for h in parcels["results"]] == ["026101_1.0002.5"]
    assert [(h["kind"], h["parcel_id"]) for h in addresses["results"]] == [
        ("address", "026101_1.0002.5")]


def test_search_by_the_full_id_of_a_hidden_parcel_answers_as_for_an_unknown_id(
        client, retired_in_another_unit):
    # given Chojnów's retired parcel 7, which an anonymous resident may not see
    # when she searches its full id, and an id that does not exist in the same precinct
    hidden = _search(client, "020102_1.0001.7")
    unknown = _search(client, "020102_1.0001.9")

    # then both are answered alike: nothing found, nothing suggested
    assert hidden == {"query": "020102_1.0001.7", "srid": 4326, "results": [],
                      "suggestions": [], "message": "There is no parcel 020102_1.0001.7."}
    assert unknown == {**hidden, "query": "020102_1.0001.9",
                       "message": "There is no parcel 020102_1.0001.9."}


def test_where_parcels_are_staff_only_the_full_id_of_another_units_parcel_finds_nothing(
        client, parcel, staff_only_parcels):
    # given Chojnów's current parcel 8 and 8/1, and a case officer of Legnica
    chojnow = f.precinct(f.unit("020102_1", "Chojnów"))
    f.parcel("8", p=chojnow)
    f.parcel("8/1", p=chojnow)
    client.force_login(f.staff(parcel.unit, CASE_OFFICER))

    # when she searches parcel 8's full id
    body = _search(client, "020102_1.0001.8")

    # then it is not found, and its neighbour is not offered either
    assert (body["results"], body["suggestions"]) == ([], [])
    assert body["message"] == "There is no parcel 020102_1.0001.8."


@pytest.fixture
def legnica_officer_where_parcels_are_staff_only(client, parcel, staff_only_parcels):
    """A case officer of Legnica, logged in, who may not see Chojnów's parcels."""
    client.force_login(f.staff(parcel.unit, CASE_OFFICER))
    return client


def chojnow_precinct(number: str = "0001", name: str = "Centrum", geom=None):
    return f.precinct(f.unit("020102_1", "Chojnów"), number, name, geom=geom)


def test_search_by_name_leaves_out_precincts_of_units_whose_parcels_are_hidden(
        legnica_officer_where_parcels_are_staff_only):
    # given precincts Zachód in Chojnów (hidden from her) and in Legnica
    chojnow_precinct("0002", "Zachód", geom=f.box(317000, 385000, 317500, 385500))
    f.precinct(number="0002", name="Zachód", geom=f.box(318000, 387000, 319000, 388000))

    # when the Legnica officer searches the name
    body = _search(legnica_officer_where_parcels_are_staff_only, "Zachód")

    # then only Legnica's precinct is offered
    assert [h["precinct"] for h in body["results"]] == ["026101_1.0002"]


def test_search_by_number_is_not_crowded_out_by_hidden_parcels(
        legnica_officer_where_parcels_are_staff_only, parcel):
    # given parcel 5 in ten of Chojnów's precincts (more than a page, sorted first) and
    # one in Legnica
    for i in range(1, 11):
        f.parcel("5", p=chojnow_precinct(f"{i:04d}", f"Obręb {i}"))
    f.parcel("5")

    # when the Legnica officer searches the number
    body = _search(legnica_officer_where_parcels_are_staff_only, "5")

    # then Legnica's parcel is found
    assert [h["parcel_id"] for h in body["results"]] == ["026101_1.0001.5"]


def test_near_misses_are_not_crowded_out_by_hidden_parcels(
        legnica_officer_where_parcels_are_staff_only):
    # given 12/1 to 12/8 in Chojnów (a full list of near misses, sorted first) and 12/9 in
    # Legnica, and no parcel 12 anywhere
    for i in range(1, 9):
        f.parcel(f"12/{i}", p=chojnow_precinct())
    f.parcel("12/9")

    # when the Legnica officer searches parcel 12
    body = _search(legnica_officer_where_parcels_are_staff_only, "12")

    # then Legnica's 12/9 is offered (before 123/4, also starting with 12)
    assert body["results"] == []
    assert [h["parcel_id"] for h in body["suggestions"]] == [
        "026101_1.0001.12/9", "026101_1.0001.123/4"]


def test_search_by_street_is_not_crowded_out_by_hidden_addresses(
        legnica_officer_where_parcels_are_staff_only):
    # given ten addresses on Polna in Chojnów (sorted before Legnica) and Polna 12 in
    # Legnica (the fixture's)
    precinct = chojnow_precinct()
    for i in range(1, 11):
        on = f.parcel(str(i), p=precinct)
        Address.objects.create(unit=on.unit, parcel=on, locality="Chojnów", street="Polna",
                               house_number=str(i))

    # when the Legnica officer searches the street
    body = _search(legnica_officer_where_parcels_are_staff_only, "Polna")

    # then Legnica's address is found
    assert [(h["kind"], h["parcel_id"]) for h in body["results"]] == [
        ("address", "026101_1.0001.123/4")]


def test_search_with_a_malformed_full_id_is_400(client, parcel):
    response = english(client).get("/api/parcels/search/", {"q": "026101_1.01.123/4"})

    assert response.status_code == 400
    assert "precinct" in response.json()["message"]


def test_search_for_nothing_is_400(client):
    assert client.get("/api/parcels/search/", {"q": " "}).status_code == 400


def test_search_that_finds_nothing_says_so(client, parcel):
    body = _search(client, "Nieistniejąca")

    assert body["results"] == [] and body["suggestions"] == []
    assert body["message"] == "Nothing found for “Nieistniejąca”."


# --- the schema --------------------------------------------------------------------------

def test_the_openapi_schema_documents_the_parcel_endpoints(client):
    response = client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/parcels/at/", "/api/parcels/search/", "/api/parcels/{parcel_id}/",
            "/api/parcels/actions/"} <= set(paths)
    at = paths["/api/parcels/at/"]["get"]
    assert {p["name"] for p in at["parameters"]} == {"lon", "lat", "x", "y", "srid", "format"}
    assert set(at["responses"]) == {"200", "400", "401", "403", "404"}


def test_no_parcel_is_changed_by_reading(client, parcel):
    before = list(Parcel.objects.values_list("id", "parcel_id", "updated_at"))
    client.get("/api/parcels/026101_1.0001.123/4/")
    client.get("/api/parcels/search/", {"q": "123/4"})

    assert list(Parcel.objects.values_list("id", "parcel_id", "updated_at")) == before


# --- actions -----------------------------------------------------------------------------

def test_the_card_offers_the_kinds_its_unit_switched_on_with_the_parcel_filled_in(client,
                                                                                   parcel):
    # given Legnica offering tree removal, and another kind switched off
    from permits.models import KindSetting

    KindSetting.objects.create(unit=parcel.unit, kind="trees", enabled=True)
    KindSetting.objects.create(unit=parcel.unit, kind="wz", enabled=False)

    # when the card and the actions for two parcels are asked for
    card = client.get("/api/parcels/026101_1.0001.123/4/").json()
    other = f.parcel("123/5")
    both = client.get("/api/parcels/actions/", {"ids": f"{parcel.parcel_id},{other.parcel_id}"})

    # then tree removal is offered, its form with the parcel(s) in the address
    (action,) = card["properties"]["actions"]
    assert action["code"] == "trees"
    assert action["url"].endswith("?parcels=026101_1.0001.123%2F4")
    assert both.status_code == 200
    assert [a["code"] for a in both.json()["actions"]] == ["trees"]
    assert both.json()["actions"][0]["url"].endswith(
        "?parcels=026101_1.0001.123%2F4%2C026101_1.0001.123%2F5")


def test_parcels_of_two_units_get_no_actions(client, parcel):
    from permits.models import KindSetting

    KindSetting.objects.create(unit=parcel.unit, kind="trees", enabled=True)
    chojnow = f.parcel("8", p=f.precinct(f.unit("020102_1", "Chojnów")))

    ids = f"{parcel.parcel_id},{chojnow.parcel_id}"

    response = client.get("/api/parcels/actions/", {"ids": ids})

    assert response.json()["actions"] == []


def test_actions_for_an_unknown_parcel_are_404(client):
    assert client.get("/api/parcels/actions/", {"ids": "026101_1.0001.999"}).status_code == 404


def test_search_for_a_divided_number_finds_its_parts(client):
    # given parcel 12 divided into 12/1 and 12/2 in Centrum, and a 12/3 elsewhere
    f.parcel("12/1")
    f.parcel("12/2")
    f.parcel("12/3", p=f.precinct(number="0002", name="Zachód"))

    # when "Centrum 12" is looked for, as the search's hint suggests
    body = _search(client, "Centrum 12")

    # then Centrum's parts of 12 are the answer, not a failure
    assert [h["parcel_id"] for h in body["results"]] == [
        "026101_1.0001.12/1", "026101_1.0001.12/2"]
