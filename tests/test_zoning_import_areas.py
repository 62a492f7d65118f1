"""The general plan's areas from APP GML, schema 2.0 and 3.0: the infill areas (obszary
uzupełnienia zabudowy) the WZ gate reads, the downtown and social standards areas.

The area files are made from the real set2 zone file (../shared/fixtures, read only):
a zone's feature renamed to an area type keeps its real identifier and geometry.
"""
import re

import pytest

from layers.models import PlanArea, ZoningPlan
from layers.services import zoning_import
from tests import factories
from tests.conftest import APP_ACT as ACT
from tests.conftest import APP_FIXTURES as FIXTURES
from tests.conftest import APP_SET2 as SET2

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"fixtures not at {FIXTURES}")
V2 = "https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/2.0"
V3 = "https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/3.0"
FEATURE = re.compile(r"<app:StrefaPlanistyczna .*?</app:StrefaPlanistyczna>", re.S)


def _areas_file(tmp_path, version: str):
    """Zones 1SJ and 1SU of the OK file as an infill area and a downtown area."""
    text = (SET2 / "StrefaPlanistyczna_OK.gml").read_text(encoding="utf-8")
    features = FEATURE.findall(text)
    areas = []
    for feature, kind, local in ((features[0], "ObszarUzupelnieniaZabudowy", "OUZ-1"),
                                 (features[2], "ObszarZabudowySrodmiejskiej", "OZS-1")):
        body = feature.replace("app:StrefaPlanistyczna", f"app:{kind}")
        body = re.sub(r"<app:lokalnyId>[^<]*</app:lokalnyId>",
                      f"<app:lokalnyId>{local}</app:lokalnyId>", body)
        areas.append(f"<wfs:member>{body}</wfs:member>")
    head = text[:text.index("<wfs:member>")]
    path = tmp_path / f"Obszary_{version}.gml"
    path.write_text(_version(head + "\n".join(areas) + "</wfs:FeatureCollection>", version),
                    encoding="utf-8")
    return path


def _version(text: str, version: str) -> str:
    return text.replace(V2, V3) if version == "3.0" else text


def _copy(tmp_path, name: str, version: str):
    path = tmp_path / f"{version}_{name}"
    path.write_text(_version((SET2 / name).read_text(encoding="utf-8"), version),
                    encoding="utf-8")
    return path


@pytest.mark.django_db
@pytest.mark.parametrize("version", ["2.0", "3.0"])
def test_the_plans_areas_are_imported_from_either_schema(tmp_path, version):
    # given the act, its zones and two areas, all in APP `version`
    unit = factories.unit("121201_1", "Gmina Testowa")
    paths = [_copy(tmp_path, ACT, version), _copy(tmp_path, "StrefaPlanistyczna_OK.gml", version),
             _areas_file(tmp_path, version)]

    # when imported
    result = zoning_import(unit=unit, paths=paths)

    # then the plan, its zones and its areas, in EPSG:2180, each on the zone it was made of
    plan = ZoningPlan.objects.get()
    assert result.imported and plan.zones.count() == 4
    areas = {a.local_id: a for a in plan.areas.all()}
    assert {k: a.kind for k, a in areas.items()} == {"OUZ-1": PlanArea.INFILL,
                                                     "OZS-1": PlanArea.DOWNTOWN}
    zones = {z.local_id: z for z in plan.zones.all()}
    assert areas["OUZ-1"].geom.srid == 2180
    assert abs(areas["OUZ-1"].geom.area - zones["1POG-1SJ"].geom.area) < 0.01


@pytest.mark.django_db
def test_a_reimport_replaces_the_areas(tmp_path):
    unit = factories.unit("121201_1", "Gmina Testowa")
    zones = SET2 / "StrefaPlanistyczna_OK.gml"
    zoning_import(unit=unit, paths=[SET2 / ACT, zones, _areas_file(tmp_path, "2.0")])

    zoning_import(unit=unit, paths=[SET2 / ACT, zones])

    assert not PlanArea.objects.exists()
