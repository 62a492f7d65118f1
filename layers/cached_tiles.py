"""Cached tiles of public layers sent straight from MapProxy's tile cache.

A WMTS/XYZ tile already in the cache is a file; going through the session, the
authentication middleware, URL routing and MapProxy's request handling to send it costs
several times what sending the file costs. `CachedTileMiddleware` answers it before all
that, for public layers only, after the one access policy (`layer_scope`) said that
anyone may see the layer: a public layer's answer depends on nobody's session. Every
other request (a restricted layer, a tile not cached yet, a KVP request, a format or grid
MapProxy would refuse) goes on to the MapProxy view as before, which draws, clips and
refuses as it always did.

The file is found by MapProxy's own objects (the WMTS layer's grid turns the request's
row into the cache's, the cache names the file) and answered with MapProxy's own headers
(Last-Modified, ETag, Cache-Control public, 304 on a match). Where nginx sends the
files (GEO_PORTAL_TILE_CACHE_ACCEL, see deploy/nginx.conf), the answer is an
X-Accel-Redirect to the file's path under the cache directory.
"""
import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from mapproxy.cache.tile import Tile
from mapproxy.response import Response as MapProxyResponse

from .access import layer_scope_named
from .mapproxy_config import publication

_TILE = re.compile(r"^/mapproxy/wmts/(?P<layer>[A-Za-z0-9_]+)/(?P<grid>[A-Za-z0-9_]+)/"
                   r"(?P<z>\d{1,2})/(?P<x>\d{1,9})/(?P<y>\d{1,9})\.png$")
_PUBLIC: dict[str, bool] = {}


def _wmts():
    """MapProxy's WMTS handler of the current publication (None before one is made)."""
    app = getattr(publication().app, "app", None)
    return getattr(app, "handlers", {}).get("wmts")


def public_layer(name: str) -> bool:
    """May anyone, logged in or not, see `name`? Asked of the policy once per process: a
    public layer's scope depends on no user (the registry is code)."""
    if name not in _PUBLIC:
        scope = layer_scope_named(None, name)
        _PUBLIC[name] = scope is not None and scope.allowed and not scope.restricted
    return _PUBLIC[name]


@dataclass(frozen=True)
class CachedTile:
    path: str
    stat: os.stat_result  # of the file when it was found
    max_age: int  # seconds, MapProxy's tiles.expires_hours


def cached_tile(layer: str, grid: str, z: int, x: int, y: int, handler=None
                ) -> CachedTile | None:
    """The file of a cached tile of `layer` (WMTS numbering, row from the top), or None
    when it is not cached or stale (or the layer, grid or tile is not one MapProxy serves).

    MapProxy's TileManager.is_cached for its file cache, with one stat of the file instead
    of one to find it and another to answer it: the file is there, and not older than the
    cache's refresh_before (none is configured today; MapProxy's rule is kept)."""
    handler = handler if handler is not None else _wmts()
    grids = getattr(handler, "layers", {}).get(layer)  # a WMTSTileLayer: its grids
    if grids is None or grid not in grids:
        return None
    tile_layer = grids[grid]
    if tile_layer.dimensions:
        return None
    try:
        coord = tile_layer._internal_tile_coord(SimpleNamespace(tile=(x, y, z), origin="nw"))
    except Exception:  # noqa: BLE001 - outside the grid: MapProxy's view says so
        return None
    if coord is None:
        return None
    manager = tile_layer.tile_manager
    location = getattr(manager.cache, "tile_location", None)
    if location is None:
        return None
    path = location(Tile(coord))
    try:
        found = os.stat(path)
        expires = manager.expire_timestamp()
        if expires is not None and int(os.lstat(path).st_mtime) <= expires:
            return None
    except OSError:  # not cached (or removed by a refresh in between): MapProxy draws it
        return None
    return CachedTile(path=path, stat=found, max_age=handler.max_tile_age or 0)


@functools.lru_cache(maxsize=1024)
def _cache_headers(mtime: float, size: int, max_age: int) -> tuple[tuple[str, str], ...]:
    """MapProxy's cache headers (Last-Modified, ETag, Cache-Control) of a tile file in the
    state (mtime, size): the same for every request until the file changes."""
    answer = MapProxyResponse(b"", content_type="image/png")
    answer.cache_headers(mtime, etag_data=(mtime, size), max_age=max_age)
    return tuple((name, value) for name, value in answer.headers.items()
                 if name.lower() not in {"content-type", "content-length"})


def cached_tile_response(request: HttpRequest, tile: CachedTile) -> HttpResponse | None:
    """MapProxy's answer for the cached `tile`, without MapProxy. The file is read only
    when this process sends it: not for a 304, nor where nginx sends it."""
    stat = tile.stat
    status = 200
    if "HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META:
        answer = MapProxyResponse(b"", content_type="image/png")
        answer.cache_headers(stat.st_mtime, etag_data=(stat.st_mtime, stat.st_size),
                             max_age=tile.max_age)
        answer.make_conditional(SimpleNamespace(environ=request.META))
        status = int(str(answer.status).split()[0])  # "200 OK" or 304
    accel = settings.TILE_CACHE_ACCEL_PREFIX
    if status == 200 and accel:
        response = HttpResponse(status=200, content_type="image/png")
        relative = Path(tile.path).resolve().relative_to(
            Path(settings.MAPPROXY_CACHE_DIR).resolve())
        response["X-Accel-Redirect"] = accel + relative.as_posix()
    elif status == 200:
        try:
            response = HttpResponse(_read(tile.path), content_type="image/png")
        except OSError:
            return None
    else:
        response = HttpResponse(b"", status=status, content_type="image/png")
    for name, value in _cache_headers(stat.st_mtime, stat.st_size, tile.max_age):
        response[name] = value
    return response


def _read(path: str) -> bytes:
    """The whole file, in the fewest calls (a tile is a few kilobytes)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


class CachedTileMiddleware:
    """Answers GET/HEAD of a cached tile of a public layer before the session is read."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD") and not request.META.get("QUERY_STRING"):
            found = _TILE.match(request.path_info)
            handler = _wmts() if found is not None else None
            # Only names MapProxy serves reach the policy's memo: made-up names in
            # requests cannot grow it.
            if found is not None and found["layer"] in getattr(handler, "layers", {}) \
                    and public_layer(found["layer"]):
                tile = cached_tile(found["layer"], found["grid"], int(found["z"]),
                                   int(found["x"]), int(found["y"]), handler)
                response = cached_tile_response(request, tile) if tile else None
                if response is not None:
                    return response
        return self.get_response(request)


