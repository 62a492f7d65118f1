"""MapServer kept warm (layers/mapserver_pool.py): the same images as a mapserv CGI run,
processes reused, started again when they die, and the mapfile read afresh.

MapServer reads the test database through its own connection: transactional tests.
"""
import io
import os
import signal
import time
from pathlib import Path

import pytest
from django.db import connection
from PIL import Image, ImageChops

from layers.mapproxy_config import publication, publications_reset, source_layer_sets
from layers.mapserver_pool import _pool, mapserver_call
from layers.render import MapFrame, map_render
from tests.conftest import FRAME, PARCEL

# pl1992 level 13 (0.38 m/px): the tiles over the first parcel's south-west corner.
LEVEL_RES = 3125 / 2**13
COL = int((PARCEL[0] + 10 - 100_000) / (256 * LEVEL_RES))
ROW = int((900_000 - (PARCEL[1] + 10)) / (256 * LEVEL_RES))
# Antialiased edges and label glyphs may differ by a rounding step; nothing more.
MAX_CHANNEL_STEP = 8
MAX_DIFFERENT_SHARE = 0.001


def _tiles(client, settings, map_services, *, processes: int, cache: str) -> dict[str, bytes]:
    settings.MAPSERVER_PROCESSES = processes
    settings.MAPPROXY_CACHE_DIR = map_services / cache
    publications_reset()
    out = {}
    for layer in ("parcels", "general_plan_map"):
        for col, row in ((COL, ROW), (COL + 1, ROW), (COL, ROW - 1)):
            response = client.get(f"/mapproxy/wmts/{layer}/pl1992/13/{col}/{row}.png")
            assert response.status_code == 200, response.content[:300]
            out[f"{layer}/{col}/{row}"] = response.content
    return out


def _assert_same_image(ours: bytes, theirs: bytes, name: str) -> None:
    a = Image.open(io.BytesIO(ours)).convert("RGBA")
    b = Image.open(io.BytesIO(theirs)).convert("RGBA")
    assert a.size == b.size, name
    diff = ImageChops.difference(a, b)
    different = sum(1 for pixel in diff.get_flattened_data() if max(pixel) > MAX_CHANNEL_STEP)
    assert different <= MAX_DIFFERENT_SHARE * a.width * a.height, (name, different)
    assert a.getbbox() is not None, f"{name} is empty"


@pytest.mark.django_db(transaction=True)
def test_warm_mapserver_tiles_equal_the_cgi_tiles_pixel_for_pixel(client, settings,
                                                                  map_services, zone_under_parcels):
    # given the parcels and a zone drawn through MapProxy by a mapserv CGI run per metatile
    cgi = _tiles(client, settings, map_services, processes=0, cache="cache-cgi")

    # when the same tiles are drawn by warm mapserv processes, into an empty cache
    warm = _tiles(client, settings, map_services, processes=2, cache="cache-warm")

    # then every tile is the same image, within antialiasing's rounding
    assert warm.keys() == cgi.keys()
    for name in cgi:
        _assert_same_image(warm[name], cgi[name], name)


@pytest.mark.django_db(transaction=True)
def test_a_print_and_a_wfs_answer_come_from_the_warm_processes_as_from_the_cgi(
        client, settings, zone_under_parcels):
    # given a print frame and a WFS request, answered once by a CGI run
    frame = MapFrame.at_scale(center=(318050, 386050), scale=1000, width_mm=60, height_mm=40)
    query = {"SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetFeature",
             "TYPENAMES": "ms:parcels", "OUTPUTFORMAT": "application/json"}
    settings.MAPSERVER_PROCESSES = 0
    cgi_print = map_render(frame=frame, layers=["general_plan_map"])
    cgi_wfs = client.get("/wfs", query)

    # when the warm processes answer the same
    settings.MAPSERVER_PROCESSES = 2
    warm_print = map_render(frame=frame, layers=["general_plan_map"])
    warm_wfs = client.get("/wfs", query)

    # then the print is the same picture and the WFS the same two parcels
    buffer_a, buffer_b = io.BytesIO(), io.BytesIO()
    warm_print.save(buffer_a, "PNG")
    cgi_print.save(buffer_b, "PNG")
    _assert_same_image(buffer_a.getvalue(), buffer_b.getvalue(), "print")
    assert warm_wfs.status_code == cgi_wfs.status_code == 200
    assert warm_wfs.json()["features"] == cgi_wfs.json()["features"]
    assert len(warm_wfs.json()["features"]) == 2


@pytest.mark.django_db(transaction=True)
def test_a_source_draws_from_its_own_mapfile_the_very_image_of_the_whole_mapfile(
        settings, zone_under_parcels):
    # given the whole mapfile and the mapfiles of the sources MapProxy draws tiles from
    settings.MAPSERVER_PROCESSES = 1
    files = publication().files.mapserver
    sources = source_layer_sets()

    for source in ("parcels_mapserver", "general_plan_map_mapserver"):
        # when a metatile with its buffer is drawn from each, as MapProxy asks for it
        layers = ",".join(sources[source])
        whole = mapserver_call(_getmap_env(files, layers=layers, size=704),
                               config=files.config, working_dir=files.directory)
        own = mapserver_call(_getmap_env(files, layers=layers, size=704,
                                         mapfile=files.source_mapfile(source)),
                             config=files.config, working_dir=files.directory)

        # then both are the same PNG, byte for byte, and the source's holds only its layers
        assert own.header("content-type") == "image/png", own.body[:300]
        assert own.body == whole.body, source
        text = files.source_mapfile(source).read_text(encoding="utf-8")
        assert text.count("\n  LAYER\n") == len(sources[source])


@pytest.mark.django_db(transaction=True)
def test_mapserv_opens_no_mapfile_but_the_generated_ones(settings, two_parcels, tmp_path):
    # given a mapfile of someone else's, beside ours and elsewhere
    settings.MAPSERVER_PROCESSES = 1
    files = publication().files.mapserver
    stranger = files.directory / "sources" / "Stranger.map"
    stranger.write_text(files.source_mapfile("parcels_mapserver").read_text())
    elsewhere = tmp_path / "parcels_mapserver.map"
    elsewhere.write_text(stranger.read_text())

    for mapfile in (stranger, elsewhere, files.directory / "sources" / ".." / "geo_portal.map"):
        # when a request names it
        answer = mapserver_call(_getmap_env(files, mapfile=mapfile), config=files.config,
                                working_dir=files.directory)

        # then mapserv refuses it
        assert answer.header("content-type") != "image/png", mapfile
        assert b"&quot;map&quot; fails to validate" in answer.body, (mapfile, answer.body)


def _getmap_env(files, *, layers: str = "parcels", size: int = 64,
                mapfile: Path | None = None) -> dict[str, str]:
    return {"QUERY_STRING": (
        f"map={mapfile or files.mapfile}&SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap"
        f"&LAYERS={layers}&STYLES=&SRS=EPSG:2180&BBOX={','.join(str(v) for v in FRAME)}"
        f"&WIDTH={size}&HEIGHT={size}&FORMAT=image/png&TRANSPARENT=TRUE")}


@pytest.mark.django_db(transaction=True)
def test_a_warm_process_serves_again_and_one_that_died_is_started_again(settings,
                                                                        two_parcels):
    # given one warm process that drew a map
    settings.MAPSERVER_PROCESSES = 1
    files = publication().files.mapserver
    first = mapserver_call(_getmap_env(files), config=files.config, working_dir=files.directory)
    pool = _pool(files.config, files.directory)
    (process,) = pool._all
    pid = process.popen.pid

    # when it draws again, then is killed, then is asked once more
    again = mapserver_call(_getmap_env(files), config=files.config,
                           working_dir=files.directory)
    same_pid = process.popen.pid
    os.kill(pid, signal.SIGKILL)
    process.popen.wait()
    after = mapserver_call(_getmap_env(files), config=files.config,
                           working_dir=files.directory)

    # then the same process drew twice, and a new one answered after its death
    assert first.header("content-type") == again.header("content-type") == "image/png"
    assert same_pid == pid
    assert after.body == first.body and process.popen.pid != pid


@pytest.mark.django_db(transaction=True)
def test_a_changed_mapserver_config_replaces_the_warm_processes(settings, two_parcels):
    # given a warm process
    settings.MAPSERVER_PROCESSES = 1
    files = publication().files.mapserver
    mapserver_call(_getmap_env(files), config=files.config, working_dir=files.directory)
    (process,) = _pool(files.config, files.directory)._all
    pid = process.popen.pid

    # when its config file is written again (mapserv reads it once, when it starts)
    stat = files.config.stat()
    os.utime(files.config, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    answer = mapserver_call(_getmap_env(files), config=files.config,
                            working_dir=files.directory)

    # then a new process answers, and the old one is gone
    assert answer.header("content-type") == "image/png"
    assert process.popen.pid != pid
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


@pytest.mark.django_db(transaction=True)
def test_stopping_the_warm_processes_closes_their_database_connections(settings,
                                                                       two_parcels):
    # given a warm process that drew parcels (its PostGIS connection stays open)
    settings.MAPSERVER_PROCESSES = 1
    files = publication().files.mapserver
    mapserver_call(_getmap_env(files), config=files.config, working_dir=files.directory)
    (process,) = _pool(files.config, files.directory)._all
    pid = process.popen.pid
    before = _other_connections()

    # when the publications are reset (settings changed, or the tests end)
    publications_reset()

    # then the process is gone and so is its connection to the database
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    deadline = time.monotonic() + 5
    while _other_connections() >= before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _other_connections() < before


def _other_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                       "AND pid <> pg_backend_pid()", [connection.settings_dict["NAME"]])
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_warm_process_reads_a_regenerated_mapfile_on_its_next_request(settings,
                                                                        two_parcels):
    # given a warm process that drew the parcels' outline in its colour
    settings.MAPSERVER_PROCESSES = 1
    files = publication().files.mapserver
    before = mapserver_call(_getmap_env(files), config=files.config,
                            working_dir=files.directory)
    (process,) = _pool(files.config, files.directory)._all
    pid = process.popen.pid

    # when the mapfile is written again with another outline colour
    text = files.mapfile.read_text(encoding="utf-8")
    assert 'OUTLINECOLOR "#1a1a1a"' in text
    files.mapfile.write_text(text.replace('OUTLINECOLOR "#1a1a1a"', 'OUTLINECOLOR "#ff0000"'),
                             encoding="utf-8")
    after = mapserver_call(_getmap_env(files), config=files.config,
                           working_dir=files.directory)

    # then the same process drew the new colour
    assert process.popen.pid == pid
    colours = {pixel[:3] for pixel in Image.open(io.BytesIO(after.body)).convert(
        "RGBA").get_flattened_data() if pixel[3] > 200}
    assert (255, 0, 0) in colours
    assert after.body != before.body


@pytest.mark.django_db
def test_tiles_are_encoded_with_every_pixel_of_mapproxys_own_encoding(map_services):
    # given a map-like RGBA image: translucent fills, outlines, antialiased diagonals
    from mapproxy.config import local_base_config
    from mapproxy.image import ImageResult
    from mapproxy.image.opts import ImageOptions
    from PIL import ImageDraw

    from layers.mapproxy_config import _mapproxy_img_to_buf, png_encode
    from mapproxy import image as mapproxy_image

    picture = Image.new("RGBA", (256, 256), (0, 0, 0, 0))
    draw = ImageDraw.Draw(picture)
    draw.polygon([(10, 10), (200, 30), (180, 220), (20, 240)], fill=(255, 170, 0, 96),
                 outline=(26, 26, 26, 255))
    draw.line([(0, 255), (255, 0)], fill=(200, 0, 0, 255), width=3)
    draw.text((60, 120), "123/4", fill=(33, 33, 33, 255))
    opts = ImageOptions(format="image/png", mode="RGBA", transparent=True)

    # when MapProxy, with our configuration, encodes it for a tile (as_buffer), and
    # when its own img_to_buf does
    with local_base_config(publication().app.app.base_config):
        ours = ImageResult(picture, image_opts=opts).as_buffer().read()
        theirs = _mapproxy_img_to_buf(picture, opts).read()

    # then the encoder is ours, and both files hold exactly the same pixels
    assert mapproxy_image.img_to_buf.__module__ == "layers.mapproxy_config"
    assert ours != theirs
    assert Image.open(io.BytesIO(ours)).convert("RGBA").tobytes() == picture.tobytes()
    assert Image.open(io.BytesIO(theirs)).convert("RGBA").tobytes() == picture.tobytes()
    opaque = picture.convert("RGB")
    assert Image.open(io.BytesIO(png_encode(opaque))).tobytes() == opaque.tobytes()


@pytest.mark.django_db(transaction=True)
def test_a_worker_starts_its_processes_ahead_each_with_its_database_connection(settings,
                                                                              two_parcels):
    # given two warm processes per config file, none started yet
    settings.MAPSERVER_PROCESSES = 2
    files = publication().files.mapserver
    before = _other_connections()

    # when the processes are warmed, as a web worker does when it starts
    from layers.mapproxy_config import publication_warm
    answered = publication_warm()

    # then both run, each drew its one-pixel map and holds its database connection
    pool = _pool(files.config, files.directory)
    assert answered == 2
    assert all(process.alive() and process.served == 1 for process in pool._all)
    assert _other_connections() >= before + 2


def test_a_mapserv_that_never_answers_is_given_up_at_the_timeout(tmp_path):
    # given a FastCGI socket that takes the request and never answers
    import socket

    from layers.mapserver_pool import _fastcgi_request

    path = tmp_path / "silent.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as silent:
        silent.bind(str(path))
        silent.listen(1)

        # when a request is sent to it with a timeout of half a second
        started = time.monotonic()
        with pytest.raises(OSError):
            _fastcgi_request(path, {"QUERY_STRING": ""}, timeout=0.5)

        # then it is given up at about that time, not later
        assert 0.4 < time.monotonic() - started < 3
