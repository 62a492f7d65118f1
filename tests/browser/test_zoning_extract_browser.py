"""A resident asks for a zoning extract in a real browser: the parcel picked on the map,
the form with the stamp duty, submission; the office issues it; the resident downloads it.

Chromium drives the live server; the office's part (register, issue) goes through the
services, as the officer's own pages are covered by tests/test_zoning_extract_flow.py.
"""
import subprocess
from decimal import Decimal

import pytest

from core.roles import CASE_OFFICER
from permits import services
from permits.models import Application
from permits.zoning_extract.services import extract_draft_generate, extract_issue
from tests import factories as f
from tests.permits_factories import enable

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PARCEL = (318000.0, 386000.0, 318100.0, 386100.0)
PARCEL_ID = "026101_1.0001.123/4"


@pytest.fixture
def town(map_services):
    unit = f.unit("026101_1", "Legnica", boundary=f.box(317000, 385000, 319000, 387000))
    precinct = f.precinct(unit, "0001", "Centrum", geom=f.box(317000, 385000, 319000, 387000))
    parcel = f.parcel("123/4", p=precinct, geom=f.box(*PARCEL), area_ha="1.0000")
    plan = f.zoning_plan("local", "MPZP XII/45/2019", u=unit, name="Plan Centrum")
    f.zoning_zone(plan, "1MN", "MN", f.box(317900, 385900, 318070, 386200),
                  designation="teren zabudowy mieszkaniowej jednorodzinnej",
                  provisions="§ 5. Dachy strome.", max_height_m=Decimal("9.5"))
    f.zoning_zone(plan, "2U", "U", f.box(318070, 385900, 318300, 386200),
                  designation="teren zabudowy usługowej")
    enable(unit, "zoning_extract", prefix="UA.6727")
    return parcel


def test_from_the_map_to_a_downloaded_issued_extract(live_server, town, session_page, screenshot,
                                                     tmp_path):
    resident = f.user("anna", first_name="Anna", last_name="Nowak")
    officer = f.staff(town.unit, CASE_OFFICER, "urzednik")
    page, _console = session_page(resident, live_server.url)

    # given the resident on the map, with parcel 123/4 in the middle
    page.goto(f"{live_server.url}/mapa/?x=318050&y=386050&scale=1000")
    page.wait_for_selector("#map[data-ready='true']")
    page.wait_for_load_state("networkidle")

    # when she clicks it and follows the card's link to the zoning extract
    box = page.locator("#map").bounding_box()
    page.click("#map", position={"x": box["width"] / 2, "y": box["height"] / 2})
    page.wait_for_selector(f"#map-card-body [data-parcel='{PARCEL_ID}']")
    page.click("#map-card-body a[href*='/wnioski/nowy/zoning_extract/']")
    page.wait_for_selector("form#application-form")
    screenshot(page, "form")

    # and fills in the form and saves the draft
    page.fill("[name=applicant_name]", "Anna Nowak")
    page.fill("[name=applicant_address]", "ul. Chojnowska 5, 59-220 Legnica")
    page.click("button[name=save]")
    page.wait_for_selector("[data-duty]")
    screenshot(page, "duty")

    # then the stamp duty is shown before submitting: one text page and one A4 map page
    assert page.get_attribute("[data-duty]", "data-duty") == "50"

    # when she submits
    page.click("button[name=submit]")
    page.wait_for_selector("#now-heading")  # the case page, led by what happens now
    app = Application.objects.get(kind="zoning_extract")
    assert app.state == "submitted" and app.fee == Decimal("50")

    # and the office registers it, checks the draft and issues the extract
    services.application_transition(application_id=app.pk, action="register", by=officer)
    extract_draft_generate(application_id=app.pk)
    app.refresh_from_db()
    extract_issue(application_id=app.pk, by=officer, version=app.version)

    # then she finds it issued on her case page and downloads it
    page.reload()
    with page.expect_download() as download_info:
        page.click("#zoning-extract a.download")
    path = tmp_path / "wypis.pdf"
    download_info.value.save_as(str(path))
    screenshot(page, "issued")
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                          check=True).stdout.decode()
    assert PARCEL_ID in text and "§ 5. Dachy strome." in text
    assert "WYPIS I WYRYS" in text and "PROJEKT" not in text
