import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from geo_portal.settings.env import database_from_url

ROOT = Path(__file__).resolve().parent.parent


def run_check(env_overrides: dict) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "geo_portal.settings.production",
           "DJANGO_ALLOWED_HOSTS": "portal.example.gov.pl", **env_overrides}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


def test_production_settings_pass_the_deployment_checklist():
    result = run_check({"DJANGO_SECRET_KEY": secrets.token_urlsafe(64)})

    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues (1 silenced)" in result.stdout  # only gis.W001, justified in settings


def test_production_refuses_the_development_secret_key():
    result = run_check({"DJANGO_SECRET_KEY": "dev-only-insecure-key-never-use-in-production"})

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be a random string" in result.stderr


def test_database_url_with_socket_directory_and_password():
    db = database_from_url("postgis://gp:s%40cret@%2Fvar%2Frun%2Fpostgresql:5433/portal")

    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "gp", "s@cret", "/var/run/postgresql", "5433", "portal")


def test_database_url_must_be_postgis():
    with pytest.raises(ImproperlyConfigured, match="must start with postgis://"):
        database_from_url("mysql://root@localhost/portal")
