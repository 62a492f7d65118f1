"""The portal's own pages: home, log-in, language switch, and what the home page shows."""
import re

import pytest
from django.utils import timezone

from core.roles import CASE_OFFICER, OPERATOR, TAX_OFFICER
from core.services import membership_grant
from geo_portal.selectors import (
    UnitRoles,
    UnitSummary,
    hosted_extent,
    poland_extent,
    unit_summaries,
)
from tests import factories as f

pytestmark = pytest.mark.django_db

BUNDLE_JS = "/static/geo_portal/build/overview-map.js"
BUNDLE_CSS = "/static/geo_portal/build/overview-map.css"


def english(client):
    """Pin the page language: labels such as role names are asserted in English."""
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def legnica_with_parcels():
    """Legnica with three current parcels (two with a building) and one retired parcel."""
    legnica = f.unit("026101_1", "Legnica")
    p = f.precinct(legnica)
    current = [f.parcel(p=p) for _ in range(3)]
    f.building(current[0])
    f.building(current[1])
    f.parcel(p=p, retired_at=timezone.now())
    return legnica


def count_cell(html: str, teryt: str, what: str) -> str:
    found = re.search(rf'data-unit="{teryt}" data-count="{what}">([^<]*)<', html)
    assert found, f"no {what} count for {teryt}"
    return found.group(1)


def test_home_loads_for_anonymous_visitors(client):
    response = client.get("/")

    assert response.status_code == 200
    assert response.context["my_units"] == []
    assert b"roles-heading" not in response.content


def test_home_loads_for_staff(client):
    officer = f.staff(f.unit(), CASE_OFFICER)
    client.force_login(officer)

    response = client.get("/")

    assert response.status_code == 200
    assert b'id="roles-heading"' in response.content


def test_unit_summaries_count_current_parcels_and_buildings(legnica_with_parcels):
    f.unit("020901_1", "Chojnów")

    summaries = unit_summaries()

    assert summaries == [
        UnitSummary(teryt="020901_1", name="Chojnów", level="gmina", parcels=0, buildings=0),
        UnitSummary(teryt="026101_1", name="Legnica", level="gmina", parcels=3, buildings=2),
    ]


def test_home_lists_units_with_their_current_parcel_counts(client, legnica_with_parcels):
    f.unit("020901_1", "Chojnów")

    html = english(client).get("/").content.decode()

    assert "Legnica" in html and "Chojnów" in html
    assert count_cell(html, "026101_1", "parcels") == "3"
    assert count_cell(html, "026101_1", "buildings") == "2"
    assert count_cell(html, "020901_1", "parcels") == "0"


def test_staff_member_sees_the_units_and_roles_they_hold(client):
    legnica, voivodeship = f.unit("026101_1", "Legnica"), f.unit("02", "Dolnośląskie")
    f.unit("020901_1", "Chojnów")
    officer = f.staff(legnica, CASE_OFFICER)
    membership_grant(user=officer, unit=legnica, role=TAX_OFFICER)
    membership_grant(user=officer, unit=voivodeship, role=OPERATOR)
    client.force_login(officer)

    response = english(client).get("/")

    assert response.context["my_units"] == [
        UnitRoles(teryt="02", name="Dolnośląskie", roles=("Regional operator",),
                  reaches_units_below=True),
        UnitRoles(teryt="026101_1", name="Legnica", roles=("Case officer / planner", "Tax officer"),
                  reaches_units_below=False),
    ]
    assert "Case officer / planner, Tax officer" in response.content.decode()


def test_residents_see_no_roles_section_and_no_admin_link(client):
    client.force_login(f.user("resident"))

    html = client.get("/").content.decode()

    assert 'id="roles-heading"' not in html
    assert 'href="/admin/"' not in html


def test_home_offers_the_ogc_service_addresses_built_from_the_request(client, settings):
    settings.ALLOWED_HOSTS = ["gis.legnica.example"]

    html = client.get("/", HTTP_HOST="gis.legnica.example", secure=True).content.decode()

    assert ("https://gis.legnica.example/mapproxy/service?SERVICE=WMS&amp;REQUEST=GetCapabilities"
            in html)
    assert "https://gis.legnica.example/mapproxy/wmts/1.0.0/WMTSCapabilities.xml" in html
    assert "https://gis.legnica.example/wfs?SERVICE=WFS&amp;REQUEST=GetCapabilities" in html
    assert "https://gis.legnica.example/ogcapi/" in html
    assert "https://gis.legnica.example/atom/" in html


def test_home_links_api_documentation_and_staff_see_the_administration(client):
    client.force_login(f.staff(f.unit(), CASE_OFFICER))

    html = client.get("/").content.decode()

    assert 'href="/api/docs/"' in html
    assert 'href="/api/schema/"' in html
    assert 'href="/admin/"' in html


def test_home_query_count_does_not_grow_with_units(client, django_assert_max_num_queries):
    for n in range(1, 6):
        u = f.unit(f"0261{n:02d}_2", f"Gmina {n}")
        f.building(f.parcel(p=f.precinct(u)))
    officer = f.staff(f.unit("026101_2"), CASE_OFFICER)
    membership_grant(user=officer, unit=f.unit("026102_2"), role=TAX_OFFICER)
    client.force_login(officer)

    # session, user, units with counts, memberships with units, map extent
    with django_assert_max_num_queries(5):
        response = client.get("/")

    assert response.status_code == 200
    assert len(response.context["units"]) == 5


def test_map_is_centred_on_the_hosted_units_boundaries(client):
    f.unit("026101_1", "Legnica", boundary=f.box(310000, 380000, 320000, 392000))
    f.unit("020901_1", "Chojnów", boundary=f.box(300000, 385000, 305000, 390000))

    config = client.get("/").context["map_config"]

    assert config["extent"] == (300000.0, 380000.0, 320000.0, 392000.0)
    assert config["wms"] == {"url": "/mapproxy/service", "layers": "units,precincts,parcels"}


def test_map_falls_back_to_polands_extent_without_boundaries():
    f.unit("026101_1", "Legnica")

    extent = hosted_extent()

    assert extent == poland_extent()
    assert [round(v, -3) for v in extent] == [172000.0, 133000.0, 862000.0, 775000.0]


def test_map_element_is_labelled_and_gets_its_settings_as_json(client):
    html = client.get("/").content.decode()

    assert re.search(r'<div id="overview-map"[^>]*role="region"[^>]*aria-label="[^"]+"', html)
    assert '<script id="overview-map-config" type="application/json">' in html


def test_page_references_the_built_bundle_and_no_external_host(client):
    html = client.get("/").content.decode()

    assert f'<script src="{BUNDLE_JS}" defer></script>' in html
    assert f'<link rel="stylesheet" href="{BUNDLE_CSS}">' in html
    assets = re.findall(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="([^"]*)"', html)
    assert assets, "no assets found"
    assert [a for a in assets if re.match(r"(?:https?:)?//", a)] == []


def test_logout_is_a_post_form(client):
    client.force_login(f.user("anna"))

    html = client.get("/").content.decode()

    assert re.search(r'<form class="logout" action="/accounts/logout/" method="post">', html)


def test_admin_sends_visitors_to_its_login_page(client):
    response = client.get("/admin/", follow=True)

    assert response.redirect_chain == [("/admin/login/?next=/admin/", 302)]
    assert response.status_code == 200


def test_login_page_loads(client):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "account/login.html"
    assert b'name="login"' in response.content and b'name="password"' in response.content
    assert b"?next=/accounts/login/" not in response.content


def test_login_page_logs_a_user_in(client):
    anna = f.user("anna")

    response = client.post("/accounts/login/", {"login": "anna", "password": "pw-test-1"})

    assert response.status_code == 302
    assert response["Location"] == "/wnioski/moje/"  # a resident lands on their cases
    assert client.session["_auth_user_id"] == str(anna.pk)


def test_login_with_a_wrong_password_shows_an_error_and_logs_nobody_in(client):
    f.user("anna")

    response = client.post("/accounts/login/", {"login": "anna", "password": "wrong"})

    assert response.status_code == 200
    assert b'role="alert"' in response.content
    assert "_auth_user_id" not in client.session


def test_logout_by_post_ends_the_session(client):
    client.force_login(f.user("anna"))

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_pages_are_polish_by_default(client):
    response = client.get("/")

    assert b'<html lang="pl">' in response.content


def test_language_switch_to_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert b'<html lang="en">' in client.get("/").content


def test_language_switch_form_offers_polish_and_english(client):
    html = client.get("/").content.decode()

    assert '<form class="lang-switch" action="/i18n/setlang/" method="post">' in html
    assert re.findall(r'name="language" value="(\w+)"', html) == ["pl", "en"]


@pytest.mark.django_db
def test_an_english_browser_still_gets_polish_until_the_user_switches(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert 'lang="pl"' in page.text
