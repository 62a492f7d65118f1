"""The resident's map in a real browser: load, search, click, shift-click, permalink, phone.

Chromium drives /mapa/ on the live server; tiles come from MapProxy and MapServer over the
test database, the card from the parcel API. Each step leaves a screenshot in
var/test-artifacts/.
"""
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
from django.db.models import Q

from cadastre_sync.models import LandUsePiece
from tests import factories as f
from tests.browser.conftest import PHONE
from tests.browser.waiting import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# Parcel 123/4 (1 ha) and its neighbour 123/5 to the east, in Legnica (EPSG:2180).
PARCEL = (318000.0, 386000.0, 318100.0, 386100.0)
NEIGHBOUR = (318100.0, 386000.0, 318200.0, 386100.0)
PARCEL_ID = "026101_1.0001.123/4"
NEIGHBOUR_ID = "026101_1.0001.123/5"
CARD = "#map-card-body [data-parcel='{}']"


@pytest.fixture
def town(map_services):
    """The two parcels with a building and land use; a local plan: 1MN over the western
    70 m of 123/4, 2U over the rest and over 123/5."""
    unit = f.unit("026101_1", "Legnica", boundary=f.box(317000, 385000, 319000, 387000))
    precinct = f.precinct(unit, "0001", "Centrum", geom=f.box(317000, 385000, 319000, 387000))
    parcel = f.parcel("123/4", p=precinct, geom=f.box(*PARCEL), area_ha="1.0012")
    f.parcel("123/5", p=precinct, geom=f.box(*NEIGHBOUR), area_ha="0.9998")
    LandUsePiece.objects.create(parcel=parcel, ofu="B", area_ha=Decimal("1.0012"))
    f.building(parcel, building_id="026101_1.0001.BUD_7")
    plan = f.zoning_plan("local", "MPZP XII/45/2019", u=unit, name="Plan Centrum")
    f.zoning_zone(plan, "1MN", "MN", f.box(317900, 385900, 318070, 386200),
                  designation="teren zabudowy mieszkaniowej jednorodzinnej",
                  max_height_m=Decimal("9.5"))
    f.zoning_zone(plan, "2U", "U", f.box(318070, 385900, 318300, 386200),
                  designation="teren zabudowy usługowej")
    return parcel


def _ready(page) -> None:
    page.wait_for_selector("#map[data-ready='true']")


def _view(page) -> dict:
    query = parse_qs(urlparse(page.url).query)
    return {key: values[0] for key, values in query.items()}


def _card(page, parcel_id: str):
    return page.wait_for_selector(CARD.format(parcel_id))


# Every word (run of letters) in the card whose letters lie on more than one line.
_WORDS_BROKEN = """(root) => {
  const broken = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const word of node.textContent.matchAll(/\\p{L}+/gu)) {
      const range = document.createRange();
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word[0].length);
      const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.bottom)));
      if (lines.size > 1) broken.push(word[0]);
    }
  }
  return broken;
}"""


def _words_broken(card) -> list[str]:
    return card.evaluate(_WORDS_BROKEN)


# Map pixels with ink (alpha over 32 of 255) in a 7 x 7 px square around each point, given
# in CSS px from the map's centre. The parcel layers' near-transparent fill (alpha 3, for
# picking) is no ink; a line of the parcels layer through the square is at least 7.
_INK = """([offsets, alpha]) => {
  const canvas = document.querySelector('#map canvas');
  const ratio = canvas.width / canvas.getBoundingClientRect().width;
  const context = canvas.getContext('2d');
  const size = Math.round(7 * ratio);
  return offsets.map(([dx, dy]) => {
    const x = Math.round(canvas.width / 2 + (dx - 3) * ratio);
    const y = Math.round(canvas.height / 2 + (dy - 3) * ratio);
    const data = context.getImageData(x, y, size, size).data;
    let inked = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > alpha) inked += 1;
    return inked;
  });
}"""
# Legends shown in the layer tree: the layer each is of, and whether its image loaded.
_LEGENDS = """() => [...document.querySelectorAll('#map-layer-tree img.map-tree__legend[src]')]
  .map((img) => [new URL(img.src).searchParams.get('LAYER'), img.naturalWidth > 0])"""


def _ink(page, offsets: list[tuple[float, float]]) -> list[int]:
    return page.evaluate(_INK, [offsets, 32])


def _map_centre(page) -> dict:
    box = page.locator("#map").bounding_box()
    return {"x": box["width"] / 2, "y": box["height"] / 2}


def test_the_map_page_loads_without_console_errors(live_server, town, open_page, screenshot):
    # given the map page opened over the parcel at 1:1 000
    page, console = open_page(f"{live_server.url}/mapa/?x=318050&y=386050&scale=1000")

    # when it has drawn every tile of the view and loaded its legends
    _ready(page)
    page.wait_for_selector("#map[data-loaded='true']")
    wait_until(page, """() => [...document.querySelectorAll(
        '#map-layer-tree img.map-tree__legend[src]')].every((img) => img.complete)""")
    screenshot(page, "loaded")

    # then nothing failed: no console error, no request answered with an error
    assert console.errors == []
    assert console.failed_requests == []
    # ... the layer tree lists the published layers with the parcels shown
    assert page.is_checked("#map-layer-parcels")
    assert page.locator("#map-layer-tree img.map-tree__legend[src]").count() >= 1
    assert page.locator("html").get_attribute("lang") == "pl"
    # ... each shown layer's legend is a real image
    shown = [box.get_attribute("id").removeprefix("map-layer-")
             for box in page.locator("#map-layer-tree input:checked").all()]
    assert page.evaluate(_LEGENDS) == [[name, True] for name in shown]
    # ... and the map is drawn: the parcel's four edges (50 m = 178.6 px from the centre
    # at 1:1 000) and its building in the middle, nothing between them
    edge = 50 / 0.28
    west, east, north, south = _ink(page, [(-edge, 0), (edge, 0), (0, -edge), (0, edge)])
    assert min(west, east, north, south) >= 7, (west, east, north, south)
    building, between = _ink(page, [(0, 0), (-edge / 2, -edge / 2)])
    assert building == 49
    assert between == 0


def test_searching_a_parcel_number_zooms_to_it_and_opens_its_card(live_server, town,
                                                                    open_page, screenshot):
    # given the map page showing the whole unit
    page, console = open_page(f"{live_server.url}/mapa/")
    _ready(page)
    before = float(_view(page)["scale"])

    # when the resident types the precinct and the parcel number from her land register
    page.fill("#map-search-input", "Centrum 123/4")
    page.press("#map-search-input", "Enter")
    card = _card(page, PARCEL_ID)
    screenshot(page, "found")

    # then the card shows the parcel's registered area and the zoning over it
    text = card.inner_text()
    assert "1,0012 ha" in text
    assert "1MN – teren zabudowy mieszkaniowej jednorodzinnej" in text
    assert "70 %" in text and "2U" in text and "30 %" in text
    assert "Plan Centrum" in text
    # ... its tables readable in the side panel: no word broken between letters
    assert _words_broken(card) == []
    # ... and the map zoomed to the parcel: its centre in the parcel, at a large scale
    view = _view(page)
    assert PARCEL[0] <= float(view["x"]) <= PARCEL[2]
    assert PARCEL[1] <= float(view["y"]) <= PARCEL[3]
    assert float(view["scale"]) <= 2000 < before
    assert view["parcels"] == PARCEL_ID
    assert console.errors == []


def test_a_precinct_chosen_from_the_suggestions_then_a_number_finds_the_parcel(
        live_server, town, open_page, screenshot):
    page, console = open_page(f"{live_server.url}/mapa/")
    _ready(page)

    # when the resident types the start of the precinct's name and picks the suggestion
    page.type("#map-search-input", "centr", delay=30)
    page.locator("#map-search-results button", has_text="Centrum").click()
    screenshot(page, "precinct-chosen")

    # then the box holds the precinct's name, ready for the number
    assert page.input_value("#map-search-input") == "Centrum "
    page.type("#map-search-input", "123/4")
    page.press("#map-search-input", "Enter")
    assert "1,0012 ha" in _card(page, PARCEL_ID).inner_text()
    assert console.errors == []


def test_a_near_miss_is_offered_when_the_number_is_not_found(live_server, town, open_page,
                                                            screenshot):
    page, _console = open_page(f"{live_server.url}/mapa/")
    _ready(page)

    page.fill("#map-search-input", "Centrum 123/40")
    page.press("#map-search-input", "Enter")
    page.wait_for_selector("#map-search-results button")
    screenshot(page, "near-miss")

    assert "123/40" in page.inner_text("#map-search-message")
    page.locator("#map-search-results button", has_text="123/4,").click()
    _card(page, PARCEL_ID)


def test_clicking_a_parcel_opens_its_card_and_shift_click_adds_the_next(live_server, town,
                                                                         open_page, screenshot):
    # given the map at 1:1 000 centred on parcel 123/4
    page, console = open_page(f"{live_server.url}/mapa/?x=318050&y=386050&scale=1000")
    _ready(page)
    page.wait_for_load_state("networkidle")

    # when the resident clicks the middle of the map
    centre = _map_centre(page)
    page.click("#map", position=centre)
    card = _card(page, PARCEL_ID)
    screenshot(page, "clicked")

    # then the parcel's card opens
    assert "1,0012 ha" in card.inner_text()

    # when she shift-clicks the neighbour, 100 m (357 px at 1:1 000) to the east
    page.click("#map", position={"x": centre["x"] + 357, "y": centre["y"]},
               modifiers=["Shift"])
    _card(page, NEIGHBOUR_ID)
    screenshot(page, "shift-clicked")

    # then both are selected, and the link holds both
    assert page.locator("#map-card-body [data-parcel]").count() == 2
    assert _view(page)["parcels"] == f"{PARCEL_ID},{NEIGHBOUR_ID}"
    assert console.errors == []


def test_the_permalink_restores_the_view_in_a_new_page(live_server, town, open_page,
                                                       screenshot):
    # given a view: the parcel found, buildings switched off, the local plan switched on
    page, _console = open_page(f"{live_server.url}/mapa/")
    _ready(page)
    page.fill("#map-search-input", PARCEL_ID)
    page.press("#map-search-input", "Enter")
    _card(page, PARCEL_ID)
    page.uncheck("#map-layer-buildings")
    page.check("#map-layer-local_plan_map")
    link = page.url
    sent = _view(page)

    # when the link is opened in a new page (as from an e-mail)
    again, console = open_page(link)
    _ready(again)
    _card(again, PARCEL_ID)
    screenshot(again, "restored")

    # then the same view, layers and parcel are back
    restored = _view(again)
    assert {k: restored[k] for k in ("x", "y", "scale", "layers", "parcels")} == {
        k: sent[k] for k in ("x", "y", "scale", "layers", "parcels")}
    assert not again.is_checked("#map-layer-buildings")
    assert again.is_checked("#map-layer-local_plan_map")
    assert again.is_checked("#map-layer-parcels")
    assert console.errors == []


def test_the_language_switch_keeps_the_view(live_server, town, open_page):
    page, _console = open_page(f"{live_server.url}/mapa/?x=318050&y=386050&scale=1000"
                               f"&parcels={PARCEL_ID}")
    _ready(page)
    _card(page, PARCEL_ID)
    sent = _view(page)

    page.click(".lang-switch button[value='en']")
    _ready(page)
    card = _card(page, PARCEL_ID)

    assert page.locator("html").get_attribute("lang") == "en"
    assert "Registered area" in card.inner_text()
    assert {k: _view(page)[k] for k in ("x", "y", "scale")} == {
        k: sent[k] for k in ("x", "y", "scale")}


def test_the_page_works_at_phone_width(live_server, town, open_page, screenshot):
    # given a 360 px wide phone
    page, console = open_page(f"{live_server.url}/mapa/", viewport=PHONE)
    _ready(page)
    screenshot(page, "phone-loaded")

    # then nothing is wider than the screen, and the search comes before the map
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    search = page.locator("#map-search-input").bounding_box()
    map_box = page.locator("#map").bounding_box()
    assert search["y"] < map_box["y"]
    assert map_box["width"] >= PHONE["width"] - 40

    # when a parcel is searched for
    page.fill("#map-search-input", "123/4")
    page.press("#map-search-input", "Enter")
    card = _card(page, PARCEL_ID)
    screenshot(page, "phone-card")

    # then its card is readable without scrolling sideways, no word broken between letters
    assert "1,0012 ha" in card.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert _words_broken(card) == []
    assert console.errors == []


def test_the_map_is_usable_with_the_keyboard(live_server, town, open_page):
    # given the map centred on the parcel
    page, _console = open_page(f"{live_server.url}/mapa/?x=318050&y=386050&scale=1000")
    _ready(page)

    # when the map gets the focus with Tab and Enter is pressed
    page.focus("#map-search-input")
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "map":
            break
    assert page.evaluate("document.activeElement.id") == "map"
    page.keyboard.press("Enter")

    # then the parcel in the map's centre is selected
    _card(page, PARCEL_ID)
    # every control has a name
    unnamed = page.evaluate("""() => [...document.querySelectorAll(
        '#map-page button, #map-page input, #map-page select')].filter(el => {
          const label = el.labels && el.labels.length ? el.labels[0].textContent.trim() : '';
          return !(label || el.getAttribute('aria-label') || el.textContent.trim()
                   || el.title);
        }).map(el => el.outerHTML)""")
    assert unnamed == []


def test_no_row_is_written_by_browsing(live_server, town, open_page):
    from cadastre_sync.models import Parcel

    before = list(Parcel.objects.filter(Q(number="123/4") | Q(number="123/5"))
                  .values_list("id", "updated_at"))
    page, _console = open_page(f"{live_server.url}/mapa/?parcels={PARCEL_ID}")
    _ready(page)
    _card(page, PARCEL_ID)

    assert list(Parcel.objects.filter(Q(number="123/4") | Q(number="123/5"))
                .values_list("id", "updated_at")) == before


def test_measuring_a_distance_and_zooming_to_my_location(live_server, town, browser,
                                                         screenshot):
    # given a phone that knows where it is: the middle of parcel 123/5
    from django.contrib.gis.geos import Point

    here = Point(318150, 386050, srid=2180).transform(4326, clone=True)
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="pl-PL",
                                  geolocation={"longitude": here.x, "latitude": here.y},
                                  permissions=["geolocation"])
    page = context.new_page()
    page.goto(f"{live_server.url}/mapa/?x=318050&y=386050&scale=1000")
    _ready(page)
    page.click("#map-tools-panel summary")

    # when a distance is measured from the map's centre 100 m (357 px at 1:1 000) east
    page.click("#map-measure-length")
    centre = _map_centre(page)
    page.click("#map", position=centre)
    page.dblclick("#map", position={"x": centre["x"] + 357, "y": centre["y"]})
    result = page.inner_text("#map-measure-result")
    screenshot(page, "measured")

    # then about 100 m are shown (on the ground, within the drawing's pixel)
    metres = float(result.split(":")[1].replace("m", "").replace(",", ".").replace("\xa0", ""))
    assert 99.3 < metres < 100.7, result
    # ... and measuring does not select parcels
    assert page.locator("#map-card-body [data-parcel]").count() == 0

    # when the resident asks for her location
    page.click("#map-measure-length")  # measuring off
    page.click("#map-locate")
    wait_until(page, "() => document.getElementById('map-status').dataset.kind === 'ok'")
    # (the address follows the view once the move has ended, a frame later)
    wait_until(page, "() => new URLSearchParams(location.search).get('x') !== '318050'")

    # then the map is centred there
    view = _view(page)
    assert abs(float(view["x"]) - 318150) < 1 and abs(float(view["y"]) - 386050) < 1
    context.close()
