"""What a probe of the running demo got through, replayed: each request gets the safe answer.

Every test here names the request an attacker (or careless input) sent and asserts the
answer that closes it. The fuzz test at the end walks every URL pattern the project
has, so endpoints added later are probed without anyone listing them.
"""
import base64
import importlib
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, clear_url_caches, resolve, reverse

import geo_portal.urls
from cadastre_sync.models import Parcel
from core.errors import Forbidden
from core.roles import CASE_OFFICER
from permits import services
from permits.attachments import attachment_add
from permits.models import Attachment
from tests import factories
from tests import permits_factories as pf
from tests.conftest import FRAME

# MapProxy's demo service ---------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("headers", [
    {"HTTP_HOST": "evil.example.com"},
    {"HTTP_X_FORWARDED_HOST": "169.254.169.254"},
    {},
])
def test_mapproxy_demo_is_not_served_even_with_debug_on(client, map_services, settings, headers):
    # given a development server (DEBUG on) with a restricted layer among the published ones
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = ["*"]
    # when an anonymous client asks the demo to fetch external capabilities, Host forged
    response = client.get("/mapproxy/demo/", {"wms_capabilities": "", "type": "external"},
                          **headers)
    listing = client.get("/mapproxy/demo/")

    # then there is no demo: nothing fetched, no layer listed
    assert response.status_code == 404
    assert listing.status_code == 404
    assert b"tax_findings" not in listing.content


@pytest.mark.django_db
def test_generated_mapproxy_configuration_has_no_demo_service(map_services, settings):
    from layers.mapproxy_config import mapproxy_config
    from layers.mapserver import mapserver_write

    settings.DEBUG = True
    config = mapproxy_config(mapserver_write())

    assert "demo" not in config.get("services", {})


# Private files -------------------------------------------------------------------------

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0" * 64


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings.MEDIA_ROOT


@pytest.fixture
def submitted_case(db, media):
    unit, parcel, resident, officer = pf.world()
    app = pf.submitted(resident, [parcel])
    return app, resident, officer


def test_no_url_serves_media_not_even_with_debug_on(settings):
    # given the URL configuration as a development server (DEBUG on) builds it
    settings.DEBUG = True
    try:
        patterns = importlib.reload(geo_portal.urls)
        # when a stored file's path is resolved, then nothing answers for it
        with pytest.raises(Resolver404):
            resolve("/media/permits/pdf/2026/OS.6131.1.2026.pdf", urlconf=patterns)
    finally:
        settings.DEBUG = False
        importlib.reload(geo_portal.urls)
        clear_url_caches()


def test_a_submission_confirmation_is_not_downloadable_by_its_path(client, submitted_case):
    # given a submitted case whose confirmation PDF is stored under MEDIA_ROOT
    app, _resident, _officer = submitted_case
    assert app.pdf and app.pdf.name.startswith("permits/pdf/")

    # when anyone asks for it by its (predictable) path
    response = client.get(f"/media/{app.pdf.name}")

    # then there is nothing there
    assert response.status_code == 404


def test_a_confirmation_reaches_only_those_its_case_allows(client, submitted_case):
    # given a submitted case
    app, resident, officer = submitted_case
    url = reverse("permits:pdf", args=[app.pk])
    neighbour = factories.user("neighbour")
    other_unit_officer = factories.staff(factories.unit("020101_1", "Bolesławiec"),
                                         CASE_OFFICER, "other_officer")

    # when the anonymous, a neighbour and another unit's officer ask, then they get nothing
    assert client.get(url).status_code == 302  # to the login page
    for outsider in (neighbour, other_unit_officer):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    # and the applicant and the unit's officer get the file, kept out of shared caches
    for insider in (resident, officer):
        client.force_login(insider)
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        assert response["Cache-Control"] == "private, no-store"


def test_in_production_the_front_server_sends_the_file(client, submitted_case, settings):
    # given nginx in front, with an internal location for private files
    settings.PRIVATE_FILES_ACCEL_PREFIX = "/_private_files/"
    app, resident, _officer = submitted_case
    client.force_login(resident)

    # when the applicant downloads the confirmation
    response = client.get(reverse("permits:pdf", args=[app.pk]))

    # then Django only names it (percent-encoded: the case number has "Ś"), nginx streams it
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_private_files/{quote(app.pdf.name)}"
    assert response.content == b""
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"


def test_a_deleted_draft_leaves_none_of_its_attachments(db, media,
                                                      django_capture_on_commit_callbacks):
    # given a draft with an attachment stored under MEDIA_ROOT
    _unit, parcel, resident, _officer = pf.world()
    app = pf.draft(resident, [parcel])
    attachment = attachment_add(application=app, by=resident, purpose=Attachment.CONSENT,
                                upload=SimpleUploadedFile("zgoda.pdf", PDF, "application/pdf"))
    stored = media / attachment.file.name
    assert stored.exists()

    # when the resident deletes the draft
    with django_capture_on_commit_callbacks(execute=True):
        services.draft_delete(application_id=app.pk, by=resident)

    # then the attachment's row and file are gone
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert not stored.exists()


def test_a_refused_draft_deletion_keeps_the_files(db, media, django_capture_on_commit_callbacks):
    # given a submitted case with an attachment added while it was a draft
    _unit, parcel, resident, _officer = pf.world()
    app = pf.draft(resident, [parcel])
    attachment = attachment_add(application=app, by=resident, purpose=Attachment.CONSENT,
                                upload=SimpleUploadedFile("zgoda.pdf", PDF, "application/pdf"))
    services.application_submit(application_id=app.pk, by=resident)

    # when its deletion is asked for, then it is refused and the file stays
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Forbidden):
        services.draft_delete(application_id=app.pk, by=resident)
    assert (media / attachment.file.name).exists()


# One input layer: NUL characters and over-long parameters -------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize(("path", "params"), [
    ("/api/parcels/search/", {"q": "abc\x00def"}),
    ("/wnioski/moje/", {"page": "1\x00"}),
    ("/mapproxy/service", {"SERVICE": "WMS\x00", "REQUEST": "GetCapabilities"}),
    ("/api/parcels/search/", {"q": "x" * 5000}),
])
def test_nul_and_over_long_parameters_are_refused_before_any_view(client, path, params):
    # when an anonymous client sends a NUL byte or a 5,000-character parameter
    response = client.get(path, params)

    # then the answer is 400 naming the parameter, not a database error
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert response.json()["detail"]["parameter"] in params


@pytest.mark.django_db
def test_nul_in_a_json_body_a_form_or_a_cookie_is_refused(client):
    # given a resident logged in
    client.force_login(factories.user("resident"))

    # when NUL arrives in a JSON body, a form field or a cookie
    json_body = client.post("/wnioski/api/applications/", '{"kind": "trees\\u0000"}',
                            content_type="application/json")
    form = client.post("/wnioski/nowy/trees/", {"applicant_name": "Jan\x00"})
    client.cookies["sessionid"] = "abc\x00defghijkl"
    cookie = client.get("/")

    # then each is refused with 400, where it was named
    assert [json_body.status_code, form.status_code, cookie.status_code] == [400, 400, 400]
    assert [r.json()["detail"]["where"] for r in (json_body, form, cookie)] == [
        "body", "form", "cookie"]


# OGC services: malformed parameters and exceptions with 4xx ------------------------------

def _wms(**changes) -> dict:
    params = {"SERVICE": "WMS", "REQUEST": "GetMap", "VERSION": "1.1.1", "LAYERS": "parcels",
              "STYLES": "", "FORMAT": "image/png", "SRS": "EPSG:2180",
              "BBOX": ",".join(str(v) for v in FRAME), "WIDTH": "256", "HEIGHT": "256"}
    return {**params, **changes}


def _info(**changes) -> dict:
    return _wms(**{"REQUEST": "GetFeatureInfo", "QUERY_LAYERS": "parcels", "X": "100",
                   "Y": "128", "INFO_FORMAT": "application/json", **changes})


def _wmts(**changes) -> dict:
    params = {"SERVICE": "WMTS", "REQUEST": "GetTile", "VERSION": "1.0.0", "LAYER": "parcels",
              "STYLE": "default", "FORMAT": "image/png", "TILEMATRIXSET": "pl1992",
              "TILEMATRIX": "3", "TILEROW": "0", "TILECOL": "0"}
    return {**params, **changes}


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "params", "status", "code"), [
    ("service", _wms(WIDTH="0"), 400, "InvalidParameterValue"),
    ("service", _wms(BBOX="a,b,c,d"), 400, "InvalidParameterValue"),
    ("service", _wms(WIDTH="99999", HEIGHT="99999"), 400, "InvalidParameterValue"),
    ("service", _wms(LAYERS="no_such_layer"), 400, "LayerNotDefined"),
    ("service", _wms(SRS="EPSG:9999"), 400, "InvalidSRS"),
    ("service", _wms(VERSION="1.3.0", CRS="EPSG:9999"), 400, "InvalidCRS"),
    ("service", _wms(FORMAT="image/bmp"), 400, "InvalidFormat"),
    ("service", _wms(REQUEST="DropTables"), 501, "OperationNotSupported"),
    ("service", _wms(REQUEST="GetCapabilities", VERSION="abc"), 400, "InvalidParameterValue"),
    ("service", _info(QUERY_LAYERS="no_such_layer"), 400, "LayerNotDefined"),
    ("service", _info(X="abc"), 400, "InvalidPoint"),
    ("service", _info(INFO_FORMAT="image/png"), 400, "InvalidFormat"),
    ("service", _wmts(TILEMATRIX="abc"), 400, "InvalidParameterValue"),
    ("service", _wmts(LAYER="no_such_layer"), 400, "InvalidParameterValue"),
    ("service", _wmts(TILEMATRIX="99"), 400, "TileOutOfRange"),
    ("wmts/parcels/pl1992/abc/0/0.png", {}, 400, "InvalidParameterValue"),
])
def test_malformed_ogc_requests_get_the_standard_exception_and_status(client, map_services,
                                                                     path, params, status, code):
    # when a client sends a malformed WMS or WMTS request
    response = client.get(f"/mapproxy/{path}", params)

    # then the answer is the protocol's exception document with a 4xx (501: not offered)
    assert response.status_code == status, response.content[:300]
    assert "xml" in response["Content-Type"]
    assert f'"{code}"'.encode() in response.content


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("info_format", ["application/json", "text/html", "text/plain",
                                         "application/vnd.ogc.gml"])
def test_feature_info_outside_the_scale_range_answers_nothing_found(client, two_parcels,
                                                                    info_format):
    # given the parcels (drawn from 1:5 000 up) and a map of all Poland
    params = _info(BBOX="100000,100000,800000,800000", INFO_FORMAT=info_format)

    # when feature info is asked there
    response = client.get("/mapproxy/service", params)

    # then it is an empty answer in the asked format, not a failure
    assert response.status_code == 200
    assert response["Content-Type"].startswith(info_format)
    if info_format == "application/json":
        assert response.json() == {"type": "FeatureCollection", "features": []}


def test_mapserver_error_text_is_not_passed_off_as_feature_info():
    # given what MapServer writes when a query fails, sent by MapProxy as a 200 answer
    from django.http import HttpResponse

    from layers.views import _feature_info_checked

    failure = HttpResponse(b"msQueryByPoint(): Search returned no results. msWMSFeatureInfo()"
                           b": WMS server error.", content_type="text/plain")

    # when our view checks it
    response = _feature_info_checked(failure, {"VERSION": "1.1.1",
                                               "INFO_FORMAT": "text/plain"})

    # then the client gets an exception from a failed gateway, not the text as an answer
    assert response.status_code == 502
    assert b"NoApplicableCode" in response.content and b"msWMS" not in response.content


# Login throttling --------------------------------------------------------------------------

def _basic(username: str, password: str) -> dict:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


@pytest.fixture
def officer(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = factories.staff(factories.unit(), CASE_OFFICER, "urzednik")
    user.set_password("prawdziwe-haslo-1")
    user.save()
    return user


@pytest.mark.parametrize(("login_path", "name"), [("/accounts/login/", "login"),
                                                  ("/admin/login/", "username")])
def test_the_login_page_and_the_admin_lock_a_name_after_five_failures(client, officer,
                                                                      login_path, name):
    # given five wrong passwords for one user from one address (the fifth locks)
    statuses = [client.post(login_path, {name: "urzednik", "password": f"zle{attempt}"},
                            REMOTE_ADDR="10.0.0.7").status_code for attempt in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the form again, with its error

    # when the right password follows from there
    locked = client.post(login_path, {name: "urzednik", "password": "prawdziwe-haslo-1"},
                         REMOTE_ADDR="10.0.0.7", HTTP_ACCEPT="text/html")

    # then the login is refused for the cool-off, saying so and for how long
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == 15 * 60
    assert "_auth_user_id" not in client.session
    # while the same user from another address still logs in
    other = client.post(login_path, {name: "urzednik", "password": "prawdziwe-haslo-1"},
                        REMOTE_ADDR="10.0.0.8")
    assert other.status_code == 302


@pytest.mark.parametrize("path", ["/api/parcels/search/?q=10",
                                  "/mapproxy/service?SERVICE=WMS&REQUEST=GetCapabilities"])
def test_basic_authentication_on_the_api_and_ogc_services_is_throttled(client, officer, path):
    # given five wrong basic passwords from one address
    statuses = [client.get(path, **_basic("urzednik", f"zle{attempt}")).status_code
                for attempt in range(5)]
    assert statuses == [401, 401, 401, 401, 429]

    # when the right one follows, then it is refused with 429 and a Retry-After
    response = client.get(path, **_basic("urzednik", "prawdziwe-haslo-1"))
    assert response.status_code == 429
    assert response.json()["code"] == "login_locked"
    assert "Retry-After" in response


def test_failed_api_tokens_are_throttled_per_address(client, officer):
    from core.services import api_token_create

    _token, key = api_token_create(user=officer, name="QGIS")
    statuses = [client.get("/api/parcels/search/?q=10",
                           HTTP_AUTHORIZATION=f"Bearer guess{attempt}").status_code
                for attempt in range(5)]
    assert statuses == [401, 401, 401, 401, 429]

    # then even a valid token is refused from that address for the cool-off ...
    locked = client.get("/api/parcels/search/?q=10", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert locked.status_code == 429
    # ... but not from another
    elsewhere = client.get("/api/parcels/search/?q=10", HTTP_AUTHORIZATION=f"Bearer {key}",
                           REMOTE_ADDR="10.0.0.9")
    assert elsewhere.status_code == 200


def test_a_successful_login_resets_the_count(client, officer):
    for attempt in range(4):
        client.post("/accounts/login/", {"login": "urzednik", "password": f"zle{attempt}"})
    assert client.post("/accounts/login/", {"login": "urzednik",
                                            "password": "prawdziwe-haslo-1"}).status_code == 302
    client.logout()

    for attempt in range(4):
        client.post("/accounts/login/", {"login": "urzednik", "password": f"znowu{attempt}"})
    assert client.post("/accounts/login/", {"login": "urzednik",
                                            "password": "prawdziwe-haslo-1"}).status_code == 302


def test_the_login_page_locks_a_name_tried_as_an_e_mail_address(client, officer):
    # given a resident-style login by e-mail address, five times wrong
    officer.email = "urzednik@legnica.example"
    officer.save()
    statuses = [client.post("/accounts/login/", {"login": "Urzednik@legnica.example",
                                                 "password": f"zle{attempt}"}).status_code
                for attempt in range(5)]

    # then the address is locked as a name is, whatever its letter case
    locked = client.post("/accounts/login/", {"login": "urzednik@legnica.example",
                                              "password": "prawdziwe-haslo-1"})
    assert statuses == [200, 200, 200, 200, 429]
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


# Headers, DEBUG and the demo on a network -------------------------------------------------

@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_inline_scripts_or_cdns(client):
    # when the map page is asked for
    response = client.get(reverse("map"))

    # then scripts may come only from our own static files
    policy = dict(part.strip().split(" ", 1) for part in
                  response["Content-Security-Policy"].split(";"))
    assert response.status_code == 200
    assert policy["script-src"] == "'self'" and policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert "<script>" not in response.content.decode()


@pytest.mark.django_db
def test_the_login_form_may_lead_to_the_configured_identity_provider_and_nowhere_else(
        client, settings):
    # given a deployment with login.gov.pl configured
    from geo_portal.settings.login_gov import login_gov_pl_app
    settings.SOCIALACCOUNT_PROVIDERS = {"saml": {"APPS": [login_gov_pl_app(idp={
        "entity_id": "https://login.example.gov.pl/idp",
        "sso_url": "https://sso.example.gov.pl/login/SingleSignOnService"})]}}

    # when the login page is asked for
    response = client.get("/accounts/login/")

    # then its form may go to us and to the identity provider's hosts only (the SAML login
    # redirects there, and browsers hold a form's redirects to form-action)
    policy = dict(part.strip().split(" ", 1) for part in
                  response["Content-Security-Policy"].split(";"))
    assert policy["form-action"] == (
        "'self' https://login.example.gov.pl https://sso.example.gov.pl")
    assert policy["script-src"] == "'self'"


@pytest.mark.django_db
def test_personal_pages_are_private_to_caches(client):
    # given a resident logged in
    client.force_login(factories.user("resident"))

    # when their cases page is asked for
    response = client.get(reverse("permits:mine"))

    # then no shared cache may keep it
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"


@pytest.mark.django_db
def test_with_debug_on_only_this_computer_is_answered(settings):
    from django.test import Client

    # given a development server with DEBUG on
    settings.DEBUG = True

    # when a machine on the LAN and this computer ask
    from_lan = Client(REMOTE_ADDR="192.168.1.20").get("/nie-ma-takiej-strony/")
    from_here = Client(REMOTE_ADDR="127.0.0.1").get("/")

    # then the LAN gets a refusal, never a debug page; this computer gets the page
    assert from_lan.status_code == 403
    assert b"Traceback" not in from_lan.content and b"SECRET_KEY" not in from_lan.content
    assert from_here.status_code == 200


@pytest.mark.django_db
def test_without_debug_a_missing_page_is_our_polish_404(client):
    response = client.get("/nie-ma-takiej-strony/")

    assert response.status_code == 404
    assert "Nie znaleziono strony" in response.content.decode()


def test_the_demo_shared_on_a_network_warns_and_turns_debug_off(capsys):
    # given the demo script, asked to listen on every address
    from scripts import run_demo

    # when its environment is prepared
    env = run_demo.shared_environment("0.0.0.0")  # noqa: S104
    run_demo.warn_shared("0.0.0.0", "8000", env["DJANGO_ALLOWED_HOSTS"])  # noqa: S104

    # then debugging is off, it warns, and loopback alone needs no warning
    assert env["DJANGO_DEBUG"] == "0"
    assert "WARNING: the demo listens on 0.0.0.0:8000" in capsys.readouterr().err
    assert run_demo.is_loopback("127.0.0.1") and not run_demo.is_loopback("192.168.1.20")


# The demo generator is not a production tool -------------------------------------------------

def test_production_has_no_demo_generator():
    import os
    import secrets
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "geo_portal.settings.production",
           "DJANGO_ALLOWED_HOSTS": "portal.example.gov.pl",
           "DJANGO_SECRET_KEY": secrets.token_urlsafe(64)}

    # when production is asked for the demo generator
    result = subprocess.run([sys.executable, "manage.py", "demo_data", "--help"], cwd=root,
                            env=env, capture_output=True, text=True, timeout=120)

    # then it does not know it, and the image is built without it
    assert result.returncode != 0
    assert "Unknown command: 'demo_data'" in result.stderr
    ignored = (root / ".dockerignore").read_text().split()
    assert "geo_portal/demo" in ignored


@pytest.mark.django_db(transaction=True)
def test_the_demo_generator_touches_only_units_it_created():
    from core.errors import Conflict
    from geo_portal.demo.generator import REPLACE, demo_data_generate

    # given a real unit with its cadastre, and a demo unit the generator made
    real = factories.unit("020101_1", "Bolesławiec")
    factories.parcel("1/1", p=factories.precinct(real))
    demo = demo_data_generate(teryt="026101_1", parcels=30, seed=1).unit

    # when --replace is asked for each
    with pytest.raises(Conflict):
        demo_data_generate(teryt="020101_1", parcels=30, seed=1, existing=REPLACE)
    again = demo_data_generate(teryt="026101_1", parcels=30, seed=2, existing=REPLACE)

    # then the real unit keeps its one parcel and only the demo unit was regenerated
    assert demo.is_demo and not real.is_demo
    assert Parcel.objects.filter(unit=real).count() == 1
    assert again.generated and Parcel.objects.filter(unit=demo).count() == 30
