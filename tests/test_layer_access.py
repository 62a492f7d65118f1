"""One access policy for a restricted layer on every path: OGC services, tiles, vector tiles.

`parcel_owners` (Access.ROLE, requires cadastre_sync.owner) is the restricted layer: tax
officers, unit administrators and operators see it, for their own units only. Unit A
(Legnica) and unit B lie side by side, each with a parcel held by a named owner.
"""
import base64
import hashlib
import io
import math

import mapbox_vector_tile
import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.gis.geos import Point
from django.core.management import CommandError, call_command
from django.test import Client
from owslib.wms import WebMapService
from PIL import Image
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from cadastre_sync.models import Owner, OwnershipShare, RegisterUnit
from core.models import AdministrativeUnit, ApiToken
from core.roles import CASE_OFFICER, TAX_OFFICER
from core.services import api_token_create, api_token_revoke
from layers import views
from tests import factories
from tests.conftest import FRAME, PARCEL

LAYER = "parcel_owners"
OWNER_OUTLINE = (0xE6, 0x51, 0x00)  # registry: parcel_owners outline #e65100
A_BOUNDARY = (317_000, 385_000, 319_000, 387_000)
B_BOUNDARY = (319_000, 385_000, 321_000, 387_000)
B_PARCEL = (319_500, 386_000, 319_600, 386_100)
B_FRAME = (319_450, 385_950, 319_650, 386_150)
MERCATOR_HALF = 20037508.342789244
LEVEL = 13  # pl1992, 0.38 m/px


def _pl1992_tile(x: float, y: float, z: int = LEVEL) -> tuple[int, int]:
    size = 800_000 / 2**z
    return math.floor((x - 100_000) / size), math.floor((900_000 - y) / size)


def _mercator_tile(x: float, y: float, z: int) -> tuple[int, int]:
    point = Point(x, y, srid=2180).transform(3857, clone=True)
    n = 2**z
    return (math.floor((point.x + MERCATOR_HALF) / (2 * MERCATOR_HALF) * n),
            math.floor((MERCATOR_HALF - point.y) / (2 * MERCATOR_HALF) * n))


def _wms(**params) -> tuple[str, dict]:
    base = {"SERVICE": "WMS", "VERSION": "1.1.1", "SRS": "EPSG:2180", "LAYERS": LAYER,
            "STYLES": "", "FORMAT": "image/png", "TRANSPARENT": "true", "WIDTH": 256,
            "HEIGHT": 256, "BBOX": ",".join(str(v) for v in FRAME)}
    return "/mapproxy/service", {**base, **params}


def _paths(frame_point=(PARCEL[0] + 50, PARCEL[1] + 50)) -> dict[str, tuple[str, dict]]:
    """Every way to reach the restricted layer's data, around a point in EPSG:2180."""
    col, row = _pl1992_tile(*frame_point)
    mx, my = _mercator_tile(*frame_point, 17)
    return {
        "wms getmap": _wms(REQUEST="GetMap"),
        "wms 1.3.0 getmap": _wms(REQUEST="GetMap", VERSION="1.3.0", CRS="EPSG:2180", SRS=None,
                                 BBOX="385950,317950,386150,318150"),
        "wms getfeatureinfo": _wms(REQUEST="GetFeatureInfo", QUERY_LAYERS=LAYER, X=128, Y=128,
                                   INFO_FORMAT="text/plain"),
        "wms getlegendgraphic": ("/mapproxy/service", {
            "SERVICE": "WMS", "REQUEST": "GetLegendGraphic", "VERSION": "1.1.1",
            "LAYER": LAYER, "FORMAT": "image/png", "SLD_VERSION": "1.1.0"}),
        "wmts rest": (f"/mapproxy/wmts/{LAYER}/pl1992/{LEVEL}/{col}/{row}.png", {}),
        "wmts kvp": ("/mapproxy/service", {
            "SERVICE": "WMTS", "REQUEST": "GetTile", "VERSION": "1.0.0", "LAYER": LAYER,
            "STYLE": "default", "FORMAT": "image/png", "TILEMATRIXSET": "pl1992",
            "TILEMATRIX": str(LEVEL), "TILEROW": str(row), "TILECOL": str(col)}),
        "xyz": (f"/mapproxy/wmts/{LAYER}/GLOBAL_WEBMERCATOR/17/{mx}/{my}.png", {}),
        "tms": (f"/mapproxy/tms/1.0.0/{LAYER}/pl1992/{LEVEL}/{col}/"
                f"{2**LEVEL - 1 - row}.png", {}),
        "mvt": (f"/tiles/{LAYER}/17/{mx}/{my}.mvt", {}),
        "mvt pl1992": (f"/tiles/pl1992/{LAYER}/{LEVEL}/{col}/{row}.mvt", {}),
        "tilejson": (f"/tiles/{LAYER}.json", {}),
        "tilejson pl1992": (f"/tiles/pl1992/{LAYER}.json", {}),
    }


def _clean(params: dict) -> dict:
    return {key: value for key, value in params.items() if value is not None}


def _owner_pixels(response) -> int:
    assert response.status_code == 200, response.content[:300]
    image = Image.open(io.BytesIO(response.content)).convert("RGBA")
    return sum(1 for r, g, b, a in image.get_flattened_data()
               if a > 160 and max(abs(r - 0xE6), abs(g - 0x51), abs(b)) < 60)


def _owned(parcel, surname: str) -> None:
    register_unit = RegisterUnit.objects.create(unit=parcel.unit, register_id=f"G{parcel.pk}",
                                                group=7)
    owner = Owner.objects.create(unit=parcel.unit, kind=Owner.PERSON, first_name="Jan",
                                 surname=surname)
    OwnershipShare.objects.create(register_unit=register_unit, owner=owner, numerator=1,
                                  denominator=1)
    parcel.register_unit = register_unit
    parcel.save()


@pytest.fixture
def two_units(two_parcels):
    """Units A (two parcels, 10/1 owned by Jan Kowalski) and B (one parcel, Jan Nowak)."""
    first, second = two_parcels
    unit_a = first.unit
    AdministrativeUnit.objects.filter(pk=unit_a.pk).update(boundary=factories.box(*A_BOUNDARY))
    unit_b = factories.unit("020101_1", "Bolesławiec", boundary=factories.box(*B_BOUNDARY))
    b_parcel = factories.parcel("5", p=factories.precinct(unit_b, "0002", "Zabobrze"),
                                geom=factories.box(*B_PARCEL))
    _owned(first, "Kowalski")
    _owned(b_parcel, "Nowak")
    return {"a": unit_a, "b": unit_b, "first": first, "second": second, "b_parcel": b_parcel}


@pytest.fixture
def people(two_units):
    return {
        "tax_a": factories.staff(two_units["a"], TAX_OFFICER, "podatki_a"),
        "planner_a": factories.staff(two_units["a"], CASE_OFFICER, "urzednik_a"),
        "planner_b": factories.staff(two_units["b"], CASE_OFFICER, "urzednik_b"),
        "tax_b": factories.staff(two_units["b"], TAX_OFFICER, "podatki_b"),
    }


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.django_db
def test_anonymous_gets_401_with_a_basic_challenge_on_every_path(people, map_services):
    # given an anonymous client
    client = _client()

    # when it asks for the restricted layer each way
    answers = {name: client.get(url, _clean(params)) for name, (url, params) in _paths().items()}

    # then 401 everywhere, with the challenge QGIS answers with a login
    assert {name: a.status_code for name, a in answers.items()} == dict.fromkeys(answers, 401)
    assert all(a["WWW-Authenticate"].startswith("Basic ") for a in answers.values())


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["planner_a", "planner_b"])
def test_staff_without_the_right_get_403_on_every_path(people, map_services, who):
    # given a case officer (no right to owners) of the layer's unit, or of another unit
    client = _client(people[who])

    # when they ask for the restricted layer each way
    answers = {name: client.get(url, _clean(params)) for name, (url, params) in _paths().items()}

    # then 403 everywhere
    assert {name: a.status_code for name, a in answers.items()} == dict.fromkeys(answers, 403)


@pytest.mark.django_db
@pytest.mark.parametrize("version", ["1.1.1", "1.3.0"])
def test_capabilities_list_the_restricted_layer_only_for_the_right_role(people, map_services,
                                                                       version):
    # given the WMS and WMTS capabilities as an anonymous client, a case officer and a
    # tax officer see them
    def layers(user) -> tuple[list, str]:
        client = _client(user)
        wms = client.get("/mapproxy/service", {"SERVICE": "WMS", "REQUEST": "GetCapabilities",
                                               "VERSION": version})
        assert wms.status_code == 200
        wmts = client.get("/mapproxy/wmts/1.0.0/WMTSCapabilities.xml").content.decode()
        return list(WebMapService("http://testserver/mapproxy/service", xml=wms.content,
                                  version=version).contents), wmts

    # when each reads them
    anonymous, planner, tax = layers(None), layers(people["planner_a"]), layers(people["tax_a"])

    # then the restricted layer is in the tax officer's only, beside the public layers
    for wms, wmts in (anonymous, planner):
        assert LAYER not in wms and "parcels" in wms
        assert f"<ows:Identifier>{LAYER}</ows:Identifier>" not in wmts
    assert LAYER in tax[0] and "parcels" in tax[0]
    assert f"<ows:Identifier>{LAYER}</ows:Identifier>" in tax[1]


@pytest.mark.django_db(transaction=True)
def test_the_right_role_gets_the_data_of_its_unit_on_every_path(people, two_units):
    # given a tax officer of unit A
    client = _client(people["tax_a"])
    paths = _paths()

    # when they ask for the restricted layer over A's parcel 10/1 each way
    answers = {name: client.get(url, _clean(params)) for name, (url, params) in paths.items()}

    # then maps and tiles draw the owners' parcels, feature info names the owner,
    # the vector tiles hold A's parcels with their owners, and nothing may be kept by a
    # shared cache
    for name in ("wms getmap", "wms 1.3.0 getmap", "wmts rest", "wmts kvp", "xyz", "tms"):
        assert _owner_pixels(answers[name]) > 100, name
        assert answers[name]["Cache-Control"].startswith("private"), name
    assert answers["wms getlegendgraphic"].status_code == 200
    info = answers["wms getfeatureinfo"].content.decode()
    assert "Jan Kowalski (1/1)" in info and two_units["first"].parcel_id in info
    for name in ("mvt", "mvt pl1992"):
        assert answers[name].status_code == 200, answers[name].content[:200]
        assert answers[name]["Cache-Control"].startswith("private")
        features = mapbox_vector_tile.decode(answers[name].content)[LAYER]["features"]
        owners = {f["id"]: f["properties"].get("owners") for f in features}
        assert owners[two_units["first"].pk] == "Jan Kowalski (1/1)"
        assert set(owners) <= {two_units["first"].pk, two_units["second"].pk}
    assert answers["tilejson"].json()["vector_layers"][0]["id"] == LAYER


@pytest.mark.django_db(transaction=True)
def test_a_tax_officer_of_another_unit_sees_nothing_of_this_unit(people, two_units):
    # given unit A's tiles already drawn and cached for A's tax officer
    own, other = _client(people["tax_a"]), _client(people["tax_b"])
    paths = _paths()
    for name in ("wmts rest", "xyz"):
        assert _owner_pixels(own.get(paths[name][0])) > 100

    # when B's tax officer asks for the layer over A's parcel, and over B's own parcel
    over_a = {name: other.get(url, _clean(params)) for name, (url, params) in paths.items()}
    over_b = _paths((B_PARCEL[0] + 50, B_PARCEL[1] + 50))
    map_b = other.get(*_wms(REQUEST="GetMap", BBOX=",".join(str(v) for v in B_FRAME)))
    info_b = other.get(*_wms(REQUEST="GetFeatureInfo", QUERY_LAYERS=LAYER, X=128, Y=128,
                             INFO_FORMAT="text/plain", BBOX=",".join(str(v) for v in B_FRAME)))
    mvt_b = other.get(over_b["mvt"][0])

    # then every map, tile and feature info over A is refused, from the cache or not, and
    # nothing of A is named; B's own data is served
    for name in ("wms getmap", "wms 1.3.0 getmap", "wms getfeatureinfo", "wmts rest",
                 "wmts kvp", "xyz", "tms", "mvt", "mvt pl1992"):
        assert over_a[name].status_code == 403, (name, over_a[name].content[:200])
        assert b"Kowalski" not in over_a[name].content, name
    assert _owner_pixels(map_b) > 100
    assert "Jan Nowak (1/1)" in info_b.content.decode()
    features = mapbox_vector_tile.decode(mvt_b.content)[LAYER]["features"]
    assert [f["properties"]["owners"] for f in features] == ["Jan Nowak (1/1)"]


@pytest.mark.django_db
def test_a_unit_without_a_boundary_opens_no_ogc_map_but_its_vector_tiles(people, two_units):
    # given unit A without a recorded boundary
    AdministrativeUnit.objects.filter(pk=two_units["a"].pk).update(boundary=None)
    client = _client(people["tax_a"])
    paths = _paths()

    # when A's tax officer asks for a map and a vector tile
    getmap = client.get(paths["wms getmap"][0], _clean(paths["wms getmap"][1]))
    tile = client.get(paths["mvt"][0])

    # then the map is refused (no boundary to limit it to) and the vector tile, filtered by
    # unit in the database, is served
    assert getmap.status_code == 403
    assert tile.status_code == 200


def test_the_authoriser_asks_for_a_login_only_when_a_restricted_layer_is_asked_for():
    # given MapProxy's authorisation callback for an anonymous visitor
    authorize = views.mapproxy_authorizer(AnonymousUser())

    # when MapProxy lists layers for capabilities, and asks for a map
    listing = authorize("wms.capabilities", ["parcels", LAYER])
    getmap = authorize("wms.map", ["parcels", LAYER], query_extent=("EPSG:2180", FRAME))

    # then the listing leaves the layer out; the map asks for a login
    assert listing == {"authorized": "partial", "layers": {"parcels": views._PERMITTED}}
    assert getmap == {"authorized": "unauthenticated"}


# Tokens and basic authentication (desktop GIS clients)

@pytest.mark.django_db
def test_a_token_opens_the_layer_by_header_and_as_the_basic_password(people, two_units):
    # given a token of A's tax officer
    _token, key = api_token_create(user=people["tax_a"], name="QGIS")
    url = _paths()["mvt"][0]

    def basic(user: str, password: str) -> str:
        import base64

        return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    # when a client without a session sends it each way, or the user name and password
    answers = [Client().get(url, HTTP_AUTHORIZATION=header) for header in (
        f"Token {key}", f"Bearer {key}", basic("podatki_a", key), basic("podatki_a", "pw-test-1"))]

    # then every one gets the tile, and the token's last use is recorded
    assert [a.status_code for a in answers] == [200, 200, 200, 200]
    assert ApiToken.objects.get(user=people["tax_a"]).last_used_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_desktop_client_with_a_token_reads_the_ogc_services_as_its_user(people, two_units):
    # given a token of A's tax officer, sent as QGIS sends it: basic credentials, no session
    _token, key = api_token_create(user=people["tax_a"], name="QGIS")
    credentials = base64.b64encode(f"podatki_a:{key}".encode()).decode()
    qgis = Client(HTTP_AUTHORIZATION=f"Basic {credentials}")
    paths = _paths()

    # when it reads the WMS and WMTS capabilities, a map, feature info and a WMTS tile
    capabilities = qgis.get("/mapproxy/service", {"SERVICE": "WMS", "VERSION": "1.1.1",
                                                  "REQUEST": "GetCapabilities"})
    wmts = qgis.get("/mapproxy/wmts/1.0.0/WMTSCapabilities.xml")
    getmap = qgis.get(paths["wms getmap"][0], _clean(paths["wms getmap"][1]))
    info = qgis.get(paths["wms getfeatureinfo"][0], _clean(paths["wms getfeatureinfo"][1]))
    tile = qgis.get(paths["wmts rest"][0])

    # then the restricted layer is offered and drawn as for the officer in a browser
    assert LAYER in WebMapService("http://testserver/mapproxy/service",
                                  xml=capabilities.content, version="1.1.1").contents
    assert f"<ows:Identifier>{LAYER}</ows:Identifier>" in wmts.content.decode()
    assert _owner_pixels(getmap) > 100 and _owner_pixels(tile) > 100
    assert "Jan Kowalski (1/1)" in info.content.decode()


@pytest.mark.django_db
def test_a_revoked_token_a_wrong_password_and_anothers_token_are_refused(people, two_units):
    # given a revoked token of A's tax officer and a live token of B's planner
    _token, revoked = api_token_create(user=people["tax_a"])
    api_token_revoke(user=people["tax_a"])
    _other, planners = api_token_create(user=people["planner_b"])
    url = _paths()["mvt"][0]
    import base64

    def basic(user: str, password: str) -> str:
        return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    # when they are sent
    answers = {
        "revoked": Client().get(url, HTTP_AUTHORIZATION=f"Token {revoked}"),
        "revoked as password": Client().get(url, HTTP_AUTHORIZATION=basic("podatki_a", revoked)),
        "wrong password": Client().get(url, HTTP_AUTHORIZATION=basic("podatki_a", "nope")),
        "someone else's token": Client().get(url,
                                             HTTP_AUTHORIZATION=basic("podatki_a", planners)),
        "not base64": Client().get(url, HTTP_AUTHORIZATION="Basic ???"),
        "planner's own token": Client().get(url, HTTP_AUTHORIZATION=f"Token {planners}"),
    }

    # then bad credentials get 401 with the challenge; valid ones without the right, 403
    for name in ("revoked", "revoked as password", "wrong password", "someone else's token",
                 "not base64"):
        assert answers[name].status_code == 401, name
        assert answers[name]["WWW-Authenticate"].startswith("Basic "), name
        assert answers[name].json()["code"] == "credentials_refused"
    assert answers["planner's own token"].status_code == 403


@pytest.mark.django_db
def test_the_api_accepts_the_same_token_and_basic_credentials(people):
    # given an API view that needs a logged-in user, and a token of A's tax officer
    class WhoAmI(APIView):
        permission_classes = [IsAuthenticated]

        def get(self, request):
            return Response({"user": request.user.get_username()})

    _token, key = api_token_create(user=people["tax_a"])
    api_token_revoke(user=people["tax_a"], prefix="zzzzzzzz")  # another prefix: kept
    factory = APIRequestFactory()

    # when it is called with the token, with basic credentials, with nothing and revoked
    with_token = WhoAmI.as_view()(factory.get("/", HTTP_AUTHORIZATION=f"Bearer {key}"))
    anonymous = WhoAmI.as_view()(factory.get("/"))
    api_token_revoke(user=people["tax_a"])
    revoked = WhoAmI.as_view()(factory.get("/", HTTP_AUTHORIZATION=f"Token {key}"))

    # then the token names the user; without it, and revoked, 401 with the challenge
    assert with_token.status_code == 200 and with_token.data == {"user": "podatki_a"}
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"].startswith("Basic ")
    assert revoked.status_code == 401


@pytest.mark.django_db
def test_api_token_command_creates_a_token_shown_once_and_revokes_it(people, capsys):
    # given A's tax officer without tokens
    # when a token is created on the command line
    call_command("api_token", "create", "podatki_a", "--name", "QGIS")
    key = capsys.readouterr().out.strip()

    # then only its digest is stored, and it opens the layer until it is revoked
    token = ApiToken.objects.get(user=people["tax_a"])
    assert token.digest == hashlib.sha256(key.encode()).hexdigest() and token.name == "QGIS"
    assert token.prefix == key[:8] and key not in str(list(ApiToken.objects.values()))
    url = _paths()["tilejson"][0]
    assert Client().get(url, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    call_command("api_token", "revoke", "podatki_a")
    assert Client().get(url, HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


@pytest.mark.django_db
def test_api_token_command_refuses_an_unknown_user_and_creates_nothing(people):
    # given no user "nobody"
    # when a token is asked for them, or a user without tokens has theirs revoked
    with pytest.raises(CommandError, match="user “nobody” does not exist"):
        call_command("api_token", "create", "nobody")
    with pytest.raises(CommandError, match="has no active token"):
        call_command("api_token", "revoke", "podatki_a")

    # then nothing was written
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_the_admin_shows_a_new_token_once_and_each_user_manages_only_their_own(people):
    # given A's tax officer in the administration, and B's planner with a token of their own
    api_token_create(user=people["planner_b"], name="planner's")
    client = _client(people["tax_a"])

    # when they add a token there and open the list
    added = client.post("/admin/core/apitoken/add/", {"name": "QGIS"}, follow=True)
    listing = client.get("/admin/core/apitoken/").content.decode()

    # then the token is theirs, shown once in the message, stored only as a digest; the
    # list shows their token only
    token = ApiToken.objects.get(user=people["tax_a"])
    (message,) = [str(m) for m in added.context["messages"] if "<code>" in str(m)]
    key = message.split("<code>")[1].split("</code>")[0]
    assert token.digest == hashlib.sha256(key.encode()).hexdigest() and token.name == "QGIS"
    assert key not in client.get(f"/admin/core/apitoken/{token.pk}/change/").content.decode()
    assert token.prefix in listing and "planner's" not in listing
