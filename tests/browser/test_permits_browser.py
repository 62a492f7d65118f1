"""Tree removal in a real browser: the resident finds her parcel on the map, places a tree,
sees that a permit is needed and its fee, submits; the unit's officer finds the case in the
queue and grants it; the resident sees the decision. Screenshots in var/test-artifacts/."""
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from core.roles import CASE_OFFICER
from permits.models import Application, KindSetting
from tests import factories as f
from tests import permits_factories as pf
from tests.browser.waiting import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PARCEL = (318000.0, 386000.0, 318100.0, 386100.0)
PARCEL_ID = "026101_1.0001.123/4"


@pytest.fixture
def town(map_services):
    unit = f.unit("026101_1", "Legnica", boundary=f.box(317000, 385000, 319000, 387000))
    precinct = f.precinct(unit, "0001", "Centrum", geom=f.box(317000, 385000, 319000, 387000))
    parcel = f.parcel("123/4", p=precinct, geom=f.box(*PARCEL), area_ha="1.0000")
    KindSetting.objects.create(unit=unit, kind="trees", enabled=True, case_prefix="OŚ.6131",
                               office_name="Urząd Miasta Legnicy")
    resident = f.user("anna", email="anna@example.org", first_name="Anna", last_name="Nowak")
    officer = f.staff(unit, CASE_OFFICER, "urzednik")
    return parcel, resident, officer


def test_resident_files_a_permit_and_the_officer_grants_it(live_server, town, session_page,
                                                           screenshot):
    parcel, resident, officer = town
    lime = pf.species("Tilia")

    # given the resident on the map, over her parcel
    page, console = session_page(resident, live_server.url)
    page.goto(f"{live_server.url}/mapa/?x=318050&y=386050&scale=1000")
    page.wait_for_selector("#map[data-ready='true']")
    # when she clicks it and chooses tree removal on its card
    box = page.locator("#map").bounding_box()
    page.click("#map", position={"x": box["width"] / 2, "y": box["height"] / 2})
    page.wait_for_selector(f"#map-card-body [data-parcel='{PARCEL_ID}']")
    page.click("#map-card-body a[href*='/wnioski/nowy/trees/']")
    page.wait_for_selector("#permits-map.permits-map--ready")
    screenshot(page, "form")

    # ... places a tree on the map and describes it
    area = page.locator("#permits-map").bounding_box()
    page.click("#permits-map", position={"x": area["width"] / 2, "y": area["height"] / 2})
    wait_until(page, "() => document.querySelector(\"input[name='trees-0-x']\").value !== ''")
    x = float(page.input_value("input[name='trees-0-x']"))
    y = float(page.input_value("input[name='trees-0-y']"))
    assert PARCEL[0] < x < PARCEL[2] and PARCEL[1] < y < PARCEL[3]
    page.fill("input[name='main-applicant_name']", "Anna Nowak")
    page.fill("textarea[name='main-applicant_address']", "ul. Chojnowska 12, Legnica")
    page.fill("textarea[name='main-reason']", "Drzewo zagraża budynkowi")
    # (the intended date is written as Polish dates are, whatever the browser's locale)
    intended = timezone.localdate() + timedelta(days=40)
    polish = intended.strftime("%d.%m.%Y")
    assert page.get_attribute("input[name='main-intended_date']", "placeholder") == "dd.mm.rrrr"
    page.fill("input[name='main-intended_date']", polish)
    page.select_option("select[name='trees-0-species']", str(lime.pk))
    page.fill("input[name='trees-0-circumference_5cm']", "150")
    page.fill("input[name='trees-0-stems_130cm']", "120")
    # (the live verdict answers while she types, before any button)
    live = page.wait_for_selector("[data-live-verdict='permit']")
    # (money grouped as everywhere on the site: "3 600,00 zł")
    assert "3 600,00 zł" in live.inner_text().replace("\xa0", " ")
    page.click("button[name='check']")

    # then the form says a permit is needed, with the fee: 120 cm × 30 zł (group B, ≥101 cm)
    verdict = page.wait_for_selector("[data-verdict='permit']")
    assert "3 600,00 zł" in verdict.inner_text().replace("\xa0", " ")
    screenshot(page, "verdict")

    # when she saves the draft and submits it
    page.click("button[name='save']")
    page.wait_for_selector("button[name='submit']")
    # (the saved draft shows the date as she wrote it)
    assert page.input_value("input[name='main-intended_date']") == polish
    page.click("button[name='submit']")
    page.wait_for_selector(".state[data-state='submitted']")
    app = Application.objects.get(applicant=resident)
    assert app.case_number.startswith("OŚ.6131.1.")
    assert app.payload["intended_date"] == intended.isoformat()
    # (the case page's details give it in words, as Polish letters do: "15 marca 2027")
    page.click("#details summary")
    with translation.override("pl"):
        in_words = date_format(intended, "j E Y")
    assert in_words in page.inner_text("#details")
    assert intended.isoformat() not in page.inner_text("main")
    screenshot(page, "submitted")

    # then the officer of the unit finds it in the queue, registers and grants it
    office, office_console = session_page(officer, live_server.url)
    office.goto(f"{live_server.url}/wnioski/urzad/")
    office.click(f"tr[data-case='{app.pk}'] a")
    office.wait_for_selector("[data-flag='not_owner']")
    office.click("form.action--register button")
    office.wait_for_selector(".state[data-state='registered']")
    # (the decision asks her to confirm each warning of the checks, here the owner's consent)
    for box in office.query_selector_all("form.action--decide input[name='acknowledge']"):
        box.check()
    office.select_option("form.action--decide select[name='outcome']", "granted")
    office.fill("form.action--decide textarea[name='reason']", "Drzewo w złym stanie")
    office.click("form.action--decide button[type='submit']")
    office.wait_for_selector(".outcome[data-outcome='granted']")
    screenshot(office, "granted")

    # and the resident sees the decision among her cases
    page.goto(f"{live_server.url}/wnioski/{app.pk}/")
    assert page.inner_text(".outcome") == "zezwolenie wydane"
    assert console.errors == [] and office_console.errors == []
