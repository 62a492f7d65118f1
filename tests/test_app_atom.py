"""The APP download service: the INSPIRE ATOM feeds list the published plans and lead to
their GML files (APP 2.0 and 3.0); the OpenSearch description the feed links leads, through
its templates, to the same data sets and files; what is not published is missing and
refused on every path.
"""
import re
from urllib.parse import quote, urlsplit

import pytest
from django.test import Client
from lxml import etree

from core.roles import CASE_OFFICER
from layers import access
from layers.models import ZoningPlan
from layers.registry import Access
from tests import factories
from tests.app_schema import app_features_invalid, iso_metadata_schema
from tests.conftest import APP_ACT as ACT
from tests.conftest import APP_FIXTURES as FIXTURES
from tests.conftest import APP_SET2 as SET2

pytestmark = [pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not at {FIXTURES}"),
              pytest.mark.django_db]
NS = {"a": "http://www.w3.org/2005/Atom", "georss": "http://www.georss.org/georss",
      "dls": "http://inspire.ec.europa.eu/schemas/inspire_dls/1.0",
      "os": "http://a9.com/-/spec/opensearch/1.1/"}
DLS = "{http://inspire.ec.europa.eu/schemas/inspire_dls/1.0}"
GML = "application/gml+xml; version=3.2"
POLYGON = ("MULTIPOLYGON(((318000 386000, 318100 386000, 318100 386100, 318000 386100, "
           "318000 386000)))")


@pytest.fixture
def plans():
    from layers.services import zoning_import

    unit = factories.unit("121201_1", "Gmina Testowa")
    zoning_import(unit=unit, paths=[SET2 / ACT, SET2 / "StrefaPlanistyczna_OK.gml"])
    general = ZoningPlan.objects.get(unit=unit)
    local = factories.zoning_plan("local", "MPZP-7", u=unit, name="MPZP Rynek",
                                  valid_from="2020-05-01", geom=POLYGON,
                                  legal_status="prawnie wiążący lub realizowany")
    ended = factories.zoning_plan("local", "MPZP-OLD", u=unit, name="MPZP uchylony",
                                  valid_from="2001-01-01", valid_to="2020-05-01", geom=POLYGON,
                                  legal_status="prawnie wiążący lub realizowany")
    obsolete = factories.zoning_plan("local", "MPZP-OBS", u=unit, name="MPZP nieaktualny",
                                     valid_from="2001-01-01", geom=POLYGON,
                                     legal_status="nieaktualny")
    return {"unit": unit, "general": general, "local": local, "ended": ended,
            "obsolete": obsolete}


def _client(who: str) -> Client:
    """Anonymous, a resident, or a case officer of another gmina."""
    client = Client()
    if who == "resident":
        client.force_login(factories.user("resident1"))
    elif who == "other_staff":
        client.force_login(factories.staff(factories.unit("020101_1", "Bolesławiec"),
                                           CASE_OFFICER))
    return client


def _close_local_zones(monkeypatch) -> None:
    """The local plans' zone layer open to staff only, for their own units."""
    import dataclasses

    from layers import registry

    closed = dataclasses.replace(registry.layer_named("local_zones"), access=Access.STAFF)
    real = access.published_named
    monkeypatch.setattr(access, "published_named",
                        lambda name: closed if name == "local_zones" else real(name))


def _feed(client: Client, path: str) -> etree._Element:
    response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/atom+xml")
    return etree.fromstring(response.content)


def test_the_service_feed_lists_each_published_plan_as_a_data_set(plans):
    feed = _feed(Client(), "/atom/")

    entries = feed.findall("a:entry", NS)
    codes = {e.findtext("dls:spatial_dataset_identifier_code", namespaces=NS):
             e.findtext("dls:spatial_dataset_identifier_namespace", namespaces=NS)
             for e in entries}
    assert codes == {"1POG": "PL.ZIPPZP.1234/121201-POG",
                     "MPZP-7": "PL.ZIPPZP/121201-MPZP"}
    general = next(e for e in entries
                   if e.findtext("dls:spatial_dataset_identifier_code", namespaces=NS) == "1POG")
    dataset = general.find("a:link[@rel='alternate']", NS)
    assert dataset.get("type") == "application/atom+xml"
    assert dataset.get("href").endswith(f"/atom/plans/{plans['general'].pk}/")
    lat, lon = map(float, general.findtext("georss:polygon", namespaces=NS).split()[:2])
    assert 49 < lat < 55 and 14 < lon < 25  # latitude first, in Poland
    crs = [c.get("term") for c in general.findall("a:category", NS)]
    assert crs[-1] == "http://www.opengis.net/def/crs/EPSG/0/2180" and len(crs) == 2
    assert feed.find("a:link[@rel='self']", NS).get("href").endswith("/atom/")


def test_the_data_set_feed_links_each_crs_to_a_valid_app_file(plans):
    client = Client()
    feed = _feed(client, f"/atom/plans/{plans['general'].pk}/")

    assert feed.findtext("a:title", namespaces=NS) == plans["general"].name
    assert "plan ogólny gminy" in feed.findtext("a:subtitle", namespaces=NS)
    downloads = [e.find("a:link[@rel='alternate']", NS) for e in feed.findall("a:entry", NS)]
    assert [d.get("type") for d in downloads] == [GML] * 4  # APP 3.0 and 2.0, two CRS each
    versions = []
    for link in downloads:
        url = urlsplit(link.get("href"))
        response = client.get(f"{url.path}?{url.query}")
        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"]
        root = etree.fromstring(response.content)
        assert app_features_invalid(root) == []
        srid = re.search(r"crs=EPSG:(\d+)", url.query).group(1)
        assert root[0][0].find(".//{*}MultiSurface").get("srsName").endswith(f"/{srid}")
        versions.append(etree.QName(root[0][0]).namespace.rsplit("/", 1)[1])
    assert versions == ["3.0", "3.0", "2.0", "2.0"]


@pytest.mark.parametrize("who", ["anonymous", "resident", "other_staff"])
def test_plans_no_longer_published_are_missing_and_not_found_for_everyone(plans, who):
    client = _client(who)

    feed = client.get("/atom/").content.decode()

    for name in ("ended", "obsolete"):
        assert plans[name].name not in feed
        for path in (f"/atom/plans/{plans[name].pk}/", f"/atom/plans/{plans[name].pk}/app.gml",
                     f"/atom/plans/{plans[name].pk}/metadata.xml"):
            response = client.get(path)
            assert response.status_code == 404
            assert plans[name].name.encode() not in response.content


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("resident", 403),
                                             ("other_staff", 404)])
def test_plans_of_a_restricted_zone_layer_follow_the_one_access_policy(plans, monkeypatch,
                                                                      who, status):
    # given the local plans' zone layer open to staff only, for their own units
    _close_local_zones(monkeypatch)
    client = _client(who)
    own = Client()
    own.force_login(factories.staff(plans["unit"], CASE_OFFICER))

    # then the local plan is missing from the feed and refused, the general plan is not
    feed = client.get("/atom/").content.decode()
    assert "MPZP Rynek" not in feed and plans["general"].name in feed
    for path in (f"/atom/plans/{plans['local'].pk}/", f"/atom/plans/{plans['local'].pk}/app.gml",
                 f"/atom/plans/{plans['local'].pk}/metadata.xml"):
        response = client.get(path)
        assert response.status_code == status
        assert b"MPZP" not in response.content
    if status == 401:
        assert response["WWW-Authenticate"]
    # and the plan's own unit's staff get it
    assert "MPZP Rynek" in own.get("/atom/").content.decode()
    assert own.get(f"/atom/plans/{plans['local'].pk}/app.gml").status_code == 200


@pytest.mark.parametrize("crs", ["EPSG:4326", "abc", "EPSG:", "9" * 40, "\x00", "2176" * 30])
def test_a_crs_not_offered_is_refused_naming_it(plans, crs):
    response = Client().get(f"/atom/plans/{plans['general'].pk}/app.gml", {"crs": crs})

    assert response.status_code == 400
    assert b"crs" in response.content  # named; a NUL is refused before the view


@pytest.mark.parametrize("path", ["/atom/plans/0/", "/atom/plans/99999999999/app.gml",
                                  "/atom/plans/abc/", "/atom/plans/1/app.gml?crs=%00"])
def test_hostile_paths_are_answered_without_an_error(plans, path):
    assert Client().get(path).status_code in {400, 404}


def test_the_feeds_accept_only_get(plans):
    for path in ("/atom/", f"/atom/plans/{plans['general'].pk}/", "/atom/opensearch.xml",
                 "/atom/search/"):
        assert Client().post(path, {"x": "1"}).status_code == 405


def _fill(template: str, values: dict[str, str]) -> str:
    """An OpenSearch client's substitution: every {name} or {name?} in `template` by its
    value (URL-encoded), an optional one not given by nothing."""
    def value(match: re.Match) -> str:
        name, optional = match.group(1), match.group(2)
        if name not in values and not optional:
            raise KeyError(name)
        return quote(values.get(name, ""), safe="")
    url = urlsplit(re.sub(r"\{([^}?]+)(\?)?\}", value, template))
    return f"{url.path}?{url.query}"


def _description(client: Client) -> etree._Element:
    feed = _feed(client, "/atom/")
    link = feed.find("a:link[@rel='search']", NS)
    assert link.get("type") == "application/opensearchdescription+xml"
    response = client.get(urlsplit(link.get("href")).path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/opensearchdescription+xml")
    return etree.fromstring(response.content)


def _template(description: etree._Element, rel: str, media_type: str) -> str:
    return next(u.get("template") for u in description.findall("os:Url", NS)
                if u.get("rel") == rel and u.get("type") == media_type)


def test_the_service_feed_links_an_opensearch_description_as_inspire_asks(plans):
    # when a harvester follows the service feed's search link
    description = _description(Client())

    # then it reads the INSPIRE download service description: its own address, the three
    # operations' templates, the language, and an example query per data set and CRS
    assert len(description.findtext("os:ShortName", namespaces=NS)) <= 16
    assert description.findtext("os:Language", namespaces=NS) == "pl"
    assert _template(description, "self", "application/opensearchdescription+xml").endswith(
        "/atom/opensearch.xml")
    assert "{searchTerms?}" in _template(description, "results", "application/atom+xml")
    describe = _template(description, "describedby", "application/atom+xml")
    assert "{inspire_dls:spatial_dataset_identifier_code?}" in describe
    assert "{inspire_dls:crs?}" in _template(description, "results", GML)
    examples = {(q.get(f"{DLS}spatial_dataset_identifier_code"),
                 q.get(f"{DLS}spatial_dataset_identifier_namespace"),
                 q.get(f"{DLS}crs")) for q in description.findall("os:Query", NS)}
    assert ("1POG", "PL.ZIPPZP.1234/121201-POG",
            "http://www.opengis.net/def/crs/EPSG/0/2180") in examples
    assert len(examples) == 4  # two plans in two CRS each


def test_the_opensearch_templates_describe_and_get_each_example_data_set(plans):
    client = Client()
    description = _description(client)
    describe = _template(description, "describedby", "application/atom+xml")
    get = _template(description, "results", GML)

    for query in description.findall("os:Query", NS):
        values = {f"inspire_dls:{name}": query.get(f"{DLS}{name}") for name in (
            "spatial_dataset_identifier_code", "spatial_dataset_identifier_namespace", "crs")}
        values["language"] = query.get("language")
        # Describe Spatial Dataset: the data set feed of that plan
        feed = _feed(client, _fill(describe, values))
        assert feed.findtext("a:title", namespaces=NS) == query.get("title").rsplit(", ", 1)[0]
        # Get Spatial Dataset: the plan's APP file in that CRS, valid
        response = client.get(_fill(get, values))
        assert response.status_code == 200, response.content[:300]
        root = etree.fromstring(response.content)
        assert app_features_invalid(root) == []
        assert root[0][0].find(".//{*}MultiSurface").get("srsName") == values["inspire_dls:crs"]


def test_the_opensearch_search_finds_plans_by_name_and_gmina(plans):
    client = Client()
    search = _template(_description(client), "results", "application/atom+xml")

    def codes(terms: str) -> set[str]:
        feed = _feed(client, _fill(search, {"searchTerms": terms}))
        return {e.findtext("dls:spatial_dataset_identifier_code", namespaces=NS)
                for e in feed.findall("a:entry", NS)}

    assert codes("rynek") == {"MPZP-7"}
    assert codes("Gmina Testowa") == {"MPZP-7", "1POG"}
    assert codes("121201") == {"MPZP-7", "1POG"}
    assert codes("Bolesławiec") == set()
    assert codes("") == {"MPZP-7", "1POG"}


@pytest.mark.parametrize(("params", "status", "named"), [
    ({"spatial_dataset_identifier_code": "NOPE"}, 404, b"NOPE"),
    ({"spatial_dataset_identifier_code": "1POG",
      "spatial_dataset_identifier_namespace": "PL.ZIPPZP.9/999999-POG"}, 404, b"999999"),
    ({"spatial_dataset_identifier_code": "1POG", "crs": "EPSG:4326"}, 400, b"crs"),
    ({"spatial_dataset_identifier_code": "1POG", "crs": "EPSG:2180", "version": "9"}, 400,
     b"version"),
    ({"crs": "EPSG:2180"}, 400, b"spatial_dataset_identifier_code"),
    ({"spatial_dataset_identifier_code": "%_%"}, 404, b"spatial_dataset"),
])
def test_opensearch_requests_for_what_is_not_there_are_refused_naming_it(plans, params, status,
                                                                          named):
    response = Client().get("/atom/search/", params)

    assert response.status_code == status
    assert named in response.content


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("resident", 403),
                                             ("other_staff", 404)])
def test_opensearch_of_a_restricted_plan_follows_the_one_access_policy(plans, monkeypatch,
                                                                       who, status):
    # given the local plans' zone layer open to staff only, for their own units
    _close_local_zones(monkeypatch)
    client = _client(who)
    dataset = {"spatial_dataset_identifier_code": "MPZP-7",
               "spatial_dataset_identifier_namespace": "PL.ZIPPZP/121201-MPZP"}

    # then the description, the search, the description and the file keep the plan away
    description = client.get("/atom/opensearch.xml").content
    assert b"MPZP-7" not in description and b"Rynek" not in description
    assert b"1POG" in description
    assert b"Rynek" not in client.get("/atom/search/", {"q": "rynek"}).content
    for params in (dataset, {**dataset, "crs": "EPSG:2180"}):
        response = client.get("/atom/search/", params)
        assert response.status_code == status
        assert b"Rynek" not in response.content
    # and the plan's own unit's staff get it
    own = Client()
    own.force_login(factories.staff(plans["unit"], CASE_OFFICER))
    assert b"MPZP-7" in own.get("/atom/opensearch.xml").content
    assert own.get("/atom/search/", {**dataset, "crs": "EPSG:2180"}).status_code == 200


def test_a_plan_missing_what_app_requires_answers_409_naming_it(plans):
    # given a general plan zone with no functional profile (APP requires one)
    zone = plans["general"].zones.order_by("local_id").first()
    type(zone).objects.filter(pk=zone.pk).update(profiles=[], provisions="")

    response = Client().get(f"/atom/plans/{plans['general'].pk}/app.gml", {"version": "3.0"})

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "app_data_incomplete"
    assert body["detail"] == {"plan": plans["general"].identifier, "zone": zone.local_id,
                              "missing": "profilPodstawowy"}
    assert "APP" in body["description"]


def test_each_data_set_links_its_iso_19139_metadata_record_valid_against_gmd(plans):
    # given the unit's office entered with its e-mail
    type(plans["unit"]).objects.filter(pk=plans["unit"].pk).update(
        office_name="Urząd Gminy Testowej", office_email="planowanie@testowa.example.pl")
    client = Client()
    service = _feed(client, "/atom/")
    entry = next(e for e in service.findall("a:entry", NS)
                 if e.findtext("dls:spatial_dataset_identifier_code", namespaces=NS) == "1POG")

    # when a harvester follows the data set's describedby link
    link = entry.find("a:link[@type='application/vnd.iso.19139+xml']", NS)
    assert link.get("rel") == "describedby"
    dataset = _feed(client, urlsplit(entry.find("a:link[@rel='alternate']", NS).get("href")).path)
    assert dataset.find("a:link[@type='application/vnd.iso.19139+xml']", NS).get(
        "href") == link.get("href")
    response = client.get(urlsplit(link.get("href")).path)

    # then it reads an ISO 19139 record, valid, naming the data set as the feeds do
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.iso.19139+xml")
    record = etree.fromstring(response.content)
    schema = iso_metadata_schema()
    assert schema.validate(record), schema.error_log
    gmd = {"gmd": "http://www.isotc211.org/2005/gmd", "gco": "http://www.isotc211.org/2005/gco"}
    text = lambda path: record.findtext(path, namespaces=gmd)  # noqa: E731
    citation = "gmd:identificationInfo/gmd:MD_DataIdentification/gmd:citation/gmd:CI_Citation"
    assert text(f"{citation}/gmd:identifier/gmd:RS_Identifier/gmd:code/gco:CharacterString") == (
        "1POG")
    assert text(f"{citation}/gmd:identifier/gmd:RS_Identifier/gmd:codeSpace/"
                "gco:CharacterString") == "PL.ZIPPZP.1234/121201-POG"
    assert text(f"{citation}/gmd:title/gco:CharacterString") == plans["general"].name
    assert text(".//gmd:electronicMailAddress/gco:CharacterString") == (
        "planowanie@testowa.example.pl")
    assert text(".//gmd:keyword/gco:CharacterString") == "Zagospodarowanie przestrzenne"
    west = float(text(".//gmd:westBoundLongitude/gco:Decimal"))
    north = float(text(".//gmd:northBoundLatitude/gco:Decimal"))
    assert 14 < west < 25 and 49 < north < 55
    assert text(".//gmd:linkage/gmd:URL").endswith(f"/atom/plans/{plans['general'].pk}/")
