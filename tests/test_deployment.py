"""The production layout in docker-compose.yml stays valid (Docker cannot run here)."""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_ENV = {"POSTGRES_PASSWORD": "pw", "DJANGO_SECRET_KEY": "k" * 60,
               "DJANGO_ALLOWED_HOSTS": "portal.example.gov.pl"}


def test_compose_describes_postgis_web_mapproxy_and_worker():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())

    assert set(compose["services"]) == {"nginx", "db", "web", "mapproxy", "worker",
                                        "map-worker"}
    assert compose["services"]["db"]["image"].startswith("postgis/postgis:15")


def test_nginx_sends_private_files_only_after_the_applications_check():
    # given the production layout and its nginx configuration
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    prefix = compose["x-app"]["environment"]["GEO_PORTAL_PRIVATE_FILES_ACCEL"]
    var_dir = compose["x-app"]["environment"]["GEO_PORTAL_VAR_DIR"]

    # then the prefix the application names is an internal location on MEDIA_ROOT ...
    location = re.search(re.escape(f"location {prefix} {{") + r"([^}]*)\}", nginx)
    assert location is not None
    assert "internal;" in location.group(1)
    assert f"alias {var_dir}/media/;" in location.group(1)
    # ... /media/ itself serves nothing, and only nginx is reachable from outside
    assert re.search(r"location /media/ \{\s*return 404;\s*\}", nginx)
    published = {name for name, service in compose["services"].items() if "ports" in service}
    assert published == {"nginx"}


def test_nginx_sends_cached_public_tiles_from_the_map_instances_cache():
    # given the production layout and its nginx configuration
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    maps = compose["services"]["mapproxy"]["environment"]
    prefix = maps["GEO_PORTAL_TILE_CACHE_ACCEL"]

    # then the prefix the map instance names is an internal location on its tile cache
    # (MAPPROXY_CACHE_DIR's default under the shared var directory) ...
    location = re.search(re.escape(f"location {prefix} {{") + r"([^}]*)\}", nginx)
    assert location is not None
    assert "internal;" in location.group(1)
    assert f"alias {maps['GEO_PORTAL_VAR_DIR']}/cache/mapproxy/;" in location.group(1)
    # ... and the map instance keeps the application's settings and secrets
    assert {k: v for k, v in maps.items() if k in compose["x-app"]["environment"]} == (
        compose["x-app"]["environment"])
    assert "MAPPROXY_CACHE_DIR" not in maps


def test_the_production_workers_serve_every_queue_and_seeding_alone():
    # given the queues of every task the project defines
    from procrastinate.contrib.django import app

    queues = {task.queue for task in app.tasks.values()}
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())

    # when the workers' --queues are read
    served = {}
    for name in ("worker", "map-worker"):
        command = compose["services"][name]["command"]
        served[name] = set(command[command.index("--queues") + 1].split(","))

    # then every queue has a worker, and tile seeding one of its own
    assert queues <= served["worker"] | served["map-worker"]
    assert served["map-worker"] == {"maps"} and "maps" not in served["worker"]


def _compose_command() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    docker = shutil.which("docker")
    probe = [docker, "compose", "version"] if docker else None
    if probe and subprocess.run(probe, capture_output=True).returncode == 0:
        return [docker, "compose"]
    return None


@pytest.mark.skipif(_compose_command() is None, reason="no docker compose client installed")
def test_compose_file_parses_and_demands_its_secrets():
    cmd = _compose_command() + ["config", "-q"]
    base_env = {k: v for k, v in os.environ.items() if k not in COMPOSE_ENV}

    env_ok = {**base_env, **COMPOSE_ENV}
    ok = subprocess.run(cmd, cwd=ROOT, env=env_ok, capture_output=True, text=True)
    missing = subprocess.run(cmd, cwd=ROOT, env=base_env, capture_output=True, text=True)

    assert ok.returncode == 0, ok.stderr
    assert missing.returncode != 0
    assert "POSTGRES_PASSWORD" in missing.stderr
