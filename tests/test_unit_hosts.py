"""A unit's own host name: it lands on the unit's page and opens the map on the unit; the
site answers no other host than those configured and those of its units."""
import dataclasses
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from cadastre_sync.models import Address
from core.identifiers import validate_host_name
from core.models import AdministrativeUnit
from core.roles import CASE_OFFICER
from geo_portal.hosts import AllowedHosts
from layers import registry
from layers.registry import Access
from tests import factories
from tests.permits_factories import enable

pytestmark = pytest.mark.django_db

PORTAL, UNIT_HOST = "portal.example.gov.pl", "geoportal.chojnow.example"


@pytest.fixture
def hosts(settings):
    settings.ALLOWED_HOSTS = AllowedHosts([PORTAL])
    unit = factories.unit("020901_1", "Chojnów", host_name=UNIT_HOST,
                          boundary=factories.box(300000, 400000, 306000, 405000))
    factories.unit("026101_1", "Legnica", boundary=factories.box(310000, 380000, 320000, 390000))
    return unit


def _map_extent(page) -> list[float]:
    found = re.search(r'<script id="map-config" type="application/json">(.*?)</script>',
                      page.text, re.S)
    return json.loads(found.group(1))["extent"]


def test_the_units_host_name_lands_on_its_page(client, hosts):
    on_unit = client.get("/", HTTP_HOST=UNIT_HOST)
    on_portal = client.get("/", HTTP_HOST=PORTAL)

    assert on_unit.status_code == 200 and on_portal.status_code == 200
    assert "Chojnów" in on_unit.text and on_unit.templates[0].name == "geo_portal/unit.html"
    assert on_portal.templates[0].name == "geo_portal/home.html"


def test_the_map_on_the_units_host_opens_on_the_unit(client, hosts):
    on_unit = client.get(reverse("map"), HTTP_HOST=UNIT_HOST)
    on_portal = client.get(reverse("map"), HTTP_HOST=PORTAL)

    assert on_unit.status_code == 200
    assert _map_extent(on_unit) == pytest.approx([300000, 400000, 306000, 405000])
    assert _map_extent(on_portal) == pytest.approx([300000, 380000, 320000, 405000])


@pytest.mark.parametrize("host", [
    "evil.example", f"{UNIT_HOST}.evil.example", f"evil.{UNIT_HOST}", "chojnow.example",
    f"{UNIT_HOST}@evil.example"])
def test_any_other_host_is_refused_before_a_view_runs(client, hosts, host):
    answer = client.get("/", HTTP_HOST=host)

    assert answer.status_code == 400


def test_a_host_name_given_to_a_unit_is_answered_at_once_and_dropped_at_once(client, hosts):
    other = factories.unit("020902_2", "Gmina Chojnów")
    assert client.get("/", HTTP_HOST="mapa.gmina-chojnow.example").status_code == 400

    other.host_name = "mapa.gmina-chojnow.example"
    other.save()
    given = client.get("/", HTTP_HOST="mapa.gmina-chojnow.example")
    other.host_name = ""
    other.save()
    dropped = client.get("/", HTTP_HOST="mapa.gmina-chojnow.example")

    assert given.status_code == 200 and "Gmina Chojnów" in given.text
    assert dropped.status_code == 400


def test_forms_on_the_units_host_pass_csrf_only_from_that_host(hosts):
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("login"), HTTP_HOST=UNIT_HOST)
    token = client.cookies["csrftoken"].value
    form = {"csrfmiddlewaretoken": token, "username": "x", "password": "y"}

    same = client.post(reverse("login"), form, HTTP_HOST=UNIT_HOST,
                       HTTP_ORIGIN=f"http://{UNIT_HOST}")
    cross = client.post(reverse("login"), form, HTTP_HOST=UNIT_HOST,
                        HTTP_ORIGIN="http://evil.example")

    assert same.status_code != 403
    assert cross.status_code == 403


@pytest.mark.parametrize("value", ["geoportal.gmina-x.pl", "GIS.Legnica.EU", "mapa.gmina.pl."])
def test_a_host_name_is_accepted(value):
    validate_host_name(value)


@pytest.mark.parametrize("value", [
    "*.gmina-x.pl", ".gmina-x.pl", "gmina-x.pl:8443", "https://gmina-x.pl", "gmina-x.pl/mapa",
    "10.0.0.1", "localhost", "-x.gmina.pl", "gmina_x.pl", "a" * 64 + ".pl", "gmina x.pl"])
def test_a_pattern_port_path_address_or_malformed_name_is_refused(value):
    with pytest.raises(ValidationError) as refused:
        validate_host_name(value)

    assert refused.value.code == "invalid_host_name"


def test_two_units_cannot_share_a_host_name(hosts):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.unit("020902_2", "Gmina Chojnów", host_name=UNIT_HOST)


def test_the_operator_sets_a_units_host_name_in_the_admin_normalised(client, hosts):
    from core.roles import OPERATOR

    operator = factories.staff(factories.unit("02", "dolnośląskie"), OPERATOR)
    operator.is_staff = True
    operator.save()
    client.force_login(operator)
    url = reverse("admin:core_administrativeunit_change", args=[hosts.pk])
    form = client.get(url, HTTP_HOST=PORTAL)
    assert form.status_code == 200 and 'name="host_name"' in form.text

    bad = client.post(url, {"teryt": hosts.teryt, "name": hosts.name,
                            "host_name": "*.chojnow.example"}, HTTP_HOST=PORTAL)
    good = client.post(url, {"teryt": hosts.teryt, "name": hosts.name,
                             "host_name": "GIS.Chojnow.example"}, HTTP_HOST=PORTAL)

    hosts.refresh_from_db()
    assert bad.status_code == 200 and "geoportal.gmina-x.pl" in bad.text
    assert good.status_code == 302 and hosts.host_name == "gis.chojnow.example"


# --- search on a unit's host name -------------------------------------------------------

SEARCH = "/api/parcels/search/"


@pytest.fixture
def twin_parcels(hosts):
    """Parcel 12 in a precinct Centrum, with a Rynek 1 address, in Chojnów and in Legnica."""
    legnica = AdministrativeUnit.objects.get(teryt="026101_1")
    found = {}
    for unit in (legnica, hosts):  # Legnica holds the first parcel of all
        twelve = factories.parcel("12", p=factories.precinct(unit, name="Centrum"))
        Address.objects.create(unit=unit, parcel=twelve, locality=unit.name, street="Rynek",
                               house_number="1")
        found[unit.teryt] = twelve.parcel_id
    return found


def _found(client, q: str, host: str, **params) -> list[str]:
    answer = client.get(SEARCH, {"q": q, **params}, HTTP_HOST=host)
    assert answer.status_code == 200, answer.content
    return sorted(hit["parcel_id"] for hit in answer.json()["results"])


@pytest.mark.parametrize("q", ["Centrum 12", "12", "Rynek 1"])
def test_search_on_a_units_host_answers_from_that_unit_only(client, twin_parcels, q):
    on_unit = _found(client, q, UNIT_HOST)
    on_portal = _found(client, q, PORTAL)
    widened = _found(client, q, UNIT_HOST, scope="all")

    assert on_unit == [twin_parcels["020901_1"]]
    assert on_portal == widened == sorted(twin_parcels.values())


def test_a_full_parcel_id_of_another_unit_is_found_on_a_units_host(client, twin_parcels):
    other = twin_parcels["026101_1"]

    assert _found(client, other, UNIT_HOST) == [other]


def test_search_on_a_units_host_keeps_the_access_policy(client, twin_parcels, monkeypatch):
    # given parcels published for staff of their own unit only, and Legnica's case officer
    restricted = dataclasses.replace(registry.layer_named("parcels"), access=Access.STAFF)
    monkeypatch.setitem(registry._BY_NAME, "parcels", restricted)
    client.force_login(factories.staff(AdministrativeUnit.objects.get(teryt="026101_1"),
                                       CASE_OFFICER))

    # when she searches on Chojnów's host, there and everywhere
    on_unit = _found(client, "Centrum 12", UNIT_HOST)
    widened = _found(client, "Centrum 12", UNIT_HOST, scope="all")

    # then Chojnów's parcel stays hidden from her; everywhere she finds only her own
    assert on_unit == []
    assert widened == [twin_parcels["026101_1"]]


def test_an_unknown_search_scope_is_refused_naming_it(client, twin_parcels):
    answer = client.get(SEARCH, {"q": "Centrum 12", "scope": "everywhere"}, HTTP_HOST=UNIT_HOST)

    assert answer.status_code == 400 and "scope" in answer.text


def test_the_search_hint_on_a_units_host_names_that_units_parcel(client, twin_parcels):
    on_unit = client.get(reverse("map"), HTTP_HOST=UNIT_HOST).text

    assert twin_parcels["020901_1"] in on_unit and twin_parcels["026101_1"] not in on_unit


def test_the_units_host_lists_only_the_services_that_unit_offers(client, hosts):
    enable(hosts, "trees")
    enable(AdministrativeUnit.objects.get(teryt="026101_1"), "wz")

    on_unit = client.get("/", HTTP_HOST=UNIT_HOST).text

    assert 'data-kind="trees"' in on_unit and 'data-kind="wz"' not in on_unit
