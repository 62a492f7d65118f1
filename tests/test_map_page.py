"""The map page (/mapa/) as the server writes it: links, layers offered, texts, language.

What the page does in a browser is in tests/browser/test_map_page.py.
"""
import json
import re

import pytest
from django.contrib.gis.geos import Polygon

from cadastre_sync.models import Address
from geo_portal.selectors import BASE_ONLY
from layers.models import Raster
from layers.registry import LAYERS, Access
from tests import factories as f

pytestmark = pytest.mark.django_db


def _config(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="map-config" type="application/json">') + len(
        '<script id="map-config" type="application/json">')
    return json.loads(html[start:html.index("</script>", start)])


def test_the_map_page_is_linked_from_the_home_page_and_the_navigation(client):
    html = client.get("/").content.decode()

    assert html.count('href="/mapa/"') == 2


def test_the_map_page_offers_the_public_layers_to_an_anonymous_resident(client):
    # when a resident opens the map without logging in
    response = client.get("/mapa/")

    # then the layer tree holds every public layer of the registry and no restricted one
    assert response.status_code == 200
    config = _config(response)
    names = {o["name"] for o in config["overlays"]}
    public = {layer.name for layer in LAYERS if layer.access == Access.PUBLIC} - BASE_ONLY
    restricted = {layer.name for layer in LAYERS if layer.access != Access.PUBLIC}
    assert public <= names
    assert not names & restricted
    # ... with the cadastral map shown at start, the plans off, titles in Polish
    shown = {o["name"] for o in config["overlays"] if o["visible"]}
    assert {"parcels", "buildings", "parcel_numbers"} <= shown
    assert "local_zones" not in shown
    parcels = next(o for o in config["overlays"] if o["name"] == "parcels")
    assert parcels["title"] == "Działki ewidencyjne" and parcels["maxScale"] == 12_000
    # ... on MapProxy's pl1992 grid, with the API and vector tile addresses
    assert config["grid"]["origin"] == [100_000, 900_000]
    assert config["tiles"] == "/mapproxy/wmts/{layer}/pl1992/{z}/{x}/{y}.png"
    assert config["vectorTiles"] == "/tiles/pl1992/{layer}/{z}/{x}/{y}.mvt"
    assert config["api"]["at"] == "/api/parcels/at/"
    assert config["messages"]["noParcelHere"] == "W tym miejscu nie ma działki ewidencyjnej."


def test_an_orthophoto_added_by_an_administrator_is_offered_as_a_base_map(client):
    # given an orthophoto published for Legnica
    Raster.objects.create(unit=f.unit(), title="Ortofotomapa 2025", name="orto_2025",
                          path="rasters/orto_2025.tif", resolution=0.1, bands=3,
                          data_type="Byte", size_bytes=1,
                          extent=Polygon.from_bbox((317000, 385000, 319000, 387000)))

    config = _config(client.get("/mapa/"))

    # then it is a base map, not an overlay, shown at start over the cartographic base map
    assert [(b["name"], b["title"], b["visible"]) for b in config["baseLayers"]] == [
        ("orto_2025", "Ortofotomapa 2025", True), ("base_map", "Mapa podkładowa", False)]
    assert "orto_2025" not in {o["name"] for o in config["overlays"]}


def test_the_map_page_speaks_english_after_the_switch(client):
    client.cookies["django_language"] = "en"

    response = client.get("/mapa/")

    config = _config(response)
    assert "Map: find a parcel, see what the plan says" in response.content.decode()
    assert config["messages"]["noParcelHere"] == "There is no parcel at this point."
    parcels = next(o for o in config["overlays"] if o["name"] == "parcels")
    assert parcels["title"] == "Cadastral parcels"


def test_the_map_page_labels_its_controls(client):
    html = client.get("/mapa/").content.decode()

    assert '<label for="map-search-input">' in html
    assert '<label for="map-scale">' in html
    assert 'role="search"' in html and 'aria-live="polite"' in html


def test_every_example_of_the_search_hint_finds_what_it_names(client):
    # given parcel 12 in precinct Centrum, with an address, and parcel 120 beside it
    centrum = f.precinct(name="Centrum")
    twelve = f.parcel("12", p=centrum)
    f.parcel("120", p=centrum)
    Address.objects.create(unit=twelve.unit, parcel=twelve, locality="Legnica", street="Polna",
                           house_number="7")

    # when the map page gives its hint
    html = client.get("/mapa/").content.decode()
    hint = re.search(r'<p class="hint" id="map-search-hint">(.*?)</p>', html, re.S).group(1)

    # then it offers the real parcel and address, and each example typed finds parcel 12
    assert hint == ("Na przykład 12, Centrum 12, 026101_1.0001.12 lub Polna 7.")
    for example in ("12", "Centrum 12", "026101_1.0001.12", "Polna 7"):
        found = client.get("/api/parcels/search/", {"q": example}).json()["results"]
        assert [hit["parcel_id"] for hit in found] == ["026101_1.0001.12"], example
