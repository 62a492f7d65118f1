"""Shared pytest set-up; data factories live in tests/factories.py.

Fixtures used by more than one test module live here, with the plain values they are
built from (test modules import those from `tests.conftest`, never from each other).
"""
from pathlib import Path

import pytest
from django.conf import settings

from layers.mapproxy_config import publications_reset
from tests import factories

# A 100 m parcel and its neighbour, in EPSG:2180 (Legnica); requests frame the first.
PARCEL = (318000.0, 386000.0, 318100.0, 386100.0)
NEIGHBOUR = (318100.0, 386000.0, 318200.0, 386100.0)
FRAME = (317950.0, 385950.0, 318150.0, 386150.0)  # 200 m, so 256 px are 0.78 m each
PARCEL_OUTLINE = (0x1A, 0x1A, 0x1A)  # registry: parcels outline #1a1a1a

# The official APP (general plan) sample files, next to the checkout.
APP_FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "app-plan-ogolny"
APP_SET1, APP_SET2 = APP_FIXTURES / "set1", APP_FIXTURES / "set2"
APP_ACT = "AktPlanowaniaPrzestrzennego.gml"


def pytest_configure(config):
    # WhiteNoise warns when the static root is missing; tests do not need collectstatic.
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def _legal_rules_seeded(request):
    """The dated legal rules (tax, permits, duties) are written by migrations; a
    transactional test's flush empties them for the transactional tests after it (which
    pytest-django runs last), so those get them written again."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames))
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    from core.models import LegalRule
    from tests import factories

    if not LegalRule.objects.filter(key="tax.finding_severity").exists():
        # The dated conversion factors first: the older seed finds them in place.
        factories.data_migration_reapply("cadastre_sync.migrations.0012_conversion_factor_dated")
        factories.data_migration_reapply("cadastre_sync.migrations.0005_tax_defaults")
    if not LegalRule.objects.filter(key="kpa.public_holidays").exists():
        factories.data_migration_reapply("permits.migrations.0012_wz_project_type_holidays")


@pytest.fixture(scope="session", autouse=True)
def _warm_mapserver_stopped(django_db_setup, django_db_blocker):
    """Warm mapserv processes hold connections to the test database: stopped before the
    database is dropped."""
    yield
    publications_reset()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits (logins, confirmation mails) count in the cache: each test starts clean."""
    from django.core.cache import cache

    cache.clear()


def is_outline(pixel) -> bool:
    """An RGBA pixel of the parcels' outline colour, opaque enough."""
    r, g, b, a = pixel
    return a > 160 and max(abs(r - c) for c, r in zip(PARCEL_OUTLINE, (r, g, b), strict=True)) < 60


@pytest.fixture
def map_services(settings, tmp_path, monkeypatch):
    """Generated files and tile cache in tmp_path; a fresh MapProxy app; env restored."""
    settings.VAR_DIR = tmp_path / "var"
    settings.MAPPROXY_CACHE_DIR = tmp_path / "cache"
    settings.DEBUG = False
    monkeypatch.delenv("MAPSERVER_CONFIG_FILE", raising=False)
    publications_reset()
    yield tmp_path
    publications_reset()


@pytest.fixture
def two_parcels(map_services):
    """Parcels 10/1 (PARCEL) and 10/2 (NEIGHBOUR) side by side, with fresh map files."""
    first = factories.parcel("10/1", geom=factories.box(*PARCEL))
    second = factories.parcel("10/2", geom=factories.box(*NEIGHBOUR))
    return first, second


@pytest.fixture
def zone_under_parcels(two_parcels):
    """A general plan zone SJ under both parcels (committed: MapServer reads it)."""
    from layers.models import ZoningPlan, ZoningZone

    plan = ZoningPlan.objects.create(unit=factories.unit(), kind="general", identifier="POG",
                                     name="Plan ogólny testowy")
    ZoningZone.objects.create(plan=plan, local_id="1SJ", label="1SJ", symbol="SJ",
                              designation="strefa wielofunkcyjna z zabudową jednorodzinną",
                              max_height_m="12.0", geom=factories.box(317900, 385900, 318300,
                                                                      386300))
    return two_parcels
