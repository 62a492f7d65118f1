"""Cached tiles of public layers sent from MapProxy's cache (layers/cached_tiles.py), after
the access policy, with MapProxy's own headers; everything else still goes to MapProxy.

MapServer reads the test database through its own connection: transactional tests.
"""
import pytest
from django.contrib.auth.models import AnonymousUser

from layers import views
from layers.access import layer_scope
from layers.cached_tiles import public_layer
from layers.registry import LAYERS
from tests.conftest import PARCEL

RES = 3125 / 2**13  # pl1992 level 13
COL = int((PARCEL[0] + 10 - 100_000) / (256 * RES))
ROW = int((900_000 - (PARCEL[1] + 10)) / (256 * RES))


@pytest.fixture
def mapproxy_calls(monkeypatch):
    """How many requests reached MapProxy itself."""
    calls = []
    real = views._wsgi_response

    def counted(app, environ):
        calls.append(environ["PATH_INFO"])
        return real(app, environ)

    monkeypatch.setattr(views, "_wsgi_response", counted)
    return calls


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("grid, row", [("pl1992", ROW), ("GLOBAL_WEBMERCATOR", None)])
def test_a_cached_public_tile_is_sent_from_the_cache_as_mapproxy_sent_it(
        client, two_parcels, mapproxy_calls, grid, row):
    # given a tile of the public parcels layer drawn once by MapProxy (on web mercator, the
    # z18 tile over the parcel: its rows count from the top, the cache's from the bottom)
    if grid == "pl1992":
        url = f"/mapproxy/wmts/parcels/pl1992/13/{COL}/{row}.png"
    else:
        url = "/mapproxy/wmts/parcels/GLOBAL_WEBMERCATOR/18/143005/87398.png"
    drawn = client.get(url)
    assert drawn.status_code == 200, drawn.content[:300]

    # when MapProxy is asked for it from its cache (a query string takes the long way),
    # then the same tile is asked for plainly, and then with its ETag
    from_mapproxy = client.get(url + "?long=way")
    again = client.get(url)
    unchanged = client.get(url, HTTP_IF_NONE_MATCH=again["ETag"])

    # then MapProxy was asked only the first two times, and the cache's answer is the
    # same picture with the same validators, public, and 304 for the ETag
    assert mapproxy_calls == [url.removeprefix("/mapproxy")] * 2
    assert again.status_code == 200 and again.content == drawn.content
    assert again["Content-Type"] == "image/png"
    for header in ("ETag", "Last-Modified", "Cache-Control"):
        assert again[header] == from_mapproxy[header], header
    assert again["Cache-Control"].startswith("public")
    assert unchanged.status_code == 304 and unchanged.content == b""


@pytest.mark.django_db(transaction=True)
def test_a_tile_not_yet_cached_or_asked_oddly_goes_to_mapproxy(client, two_parcels,
                                                               mapproxy_calls):
    # given nothing cached yet
    # when a tile is asked for, then the same with a query string, a grid or a layer
    # MapProxy does not know
    first = client.get(f"/mapproxy/wmts/parcels/pl1992/13/{COL}/{ROW}.png")
    with_query = client.get(f"/mapproxy/wmts/parcels/pl1992/13/{COL}/{ROW}.png?x=1")
    unknown_grid = client.get(f"/mapproxy/wmts/parcels/nogrid/13/{COL}/{ROW}.png")
    unknown_layer = client.get(f"/mapproxy/wmts/nolayer/pl1992/13/{COL}/{ROW}.png")

    # then MapProxy answered each, refusing the unknown ones as before
    assert len(mapproxy_calls) == 4
    assert first.status_code == with_query.status_code == 200
    assert unknown_grid.status_code >= 400 and unknown_layer.status_code >= 400


@pytest.mark.django_db(transaction=True)
def test_a_cached_tile_of_a_restricted_layer_is_never_sent_from_the_cache(
        client, two_parcels, mapproxy_calls, django_user_model):
    # given a restricted layer's tile drawn into the cache for a superuser
    restricted = next(layer for layer in LAYERS if not public_layer(layer.name))
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)
    url = f"/mapproxy/wmts/{restricted.name}/pl1992/13/{COL}/{ROW}.png"
    assert client.get(url).status_code == 200

    # when an anonymous client asks for the same tile
    client.logout()
    anonymous = client.get(url)

    # then the policy answered through MapProxy's view: a login is asked for
    assert anonymous.status_code == 401
    assert len(mapproxy_calls) == 2


def test_only_layers_the_policy_opens_to_anyone_are_public():
    for layer in LAYERS:
        scope = layer_scope(AnonymousUser(), layer)
        assert public_layer(layer.name) is (scope.allowed and not scope.restricted)


@pytest.mark.django_db(transaction=True)
def test_behind_nginx_a_cached_public_tile_is_an_accel_redirect_into_the_cache(
        client, settings, two_parcels, map_services):
    # given the tile cache sent by nginx, and a tile drawn once
    settings.TILE_CACHE_ACCEL_PREFIX = "/_tile_cache/"
    url = f"/mapproxy/wmts/parcels/pl1992/13/{COL}/{ROW}.png"
    drawn = client.get(url)

    # when it is asked for again
    again = client.get(url)

    # then nginx is told which file under the cache directory to send, with the headers
    accel = again["X-Accel-Redirect"]
    assert accel.startswith("/_tile_cache/") and accel.endswith(".png")
    cached = settings.MAPPROXY_CACHE_DIR / accel.removeprefix("/_tile_cache/")
    assert cached.read_bytes() == drawn.content
    assert again.content == b"" and again["Cache-Control"] == drawn["Cache-Control"]
