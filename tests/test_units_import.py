"""Onboarding many units at once: `manage.py units_import` from a TERYT TERC file and PRG
boundary files (small fixtures written in the published formats), idempotent, and the
services of an operator's template switched on in one action."""
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from core.models import AdministrativeUnit
from core.terc import TercFileInvalid, terc_read
from permits.models import KindSetting, ServiceTemplate, ServiceTemplateKind
from permits.services import service_template_apply

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "units"
TERC_CSV = FIXTURES / "TERC_Urzedowy_2026-01-01.csv"
TERC_XML = FIXTURES / "TERC_Urzedowy_2026-01-01.xml"
PRG_GMINY = FIXTURES / "A03_Granice_gmin.shp"
PRG_POWIATY = FIXTURES / "A02_Granice_powiatow.shp"
POWIAT_0209 = ["0209", "020901_1", "020902_2", "020903_2", "020904_2", "020907_3"]


def _import(*extra: str) -> str:
    out = StringIO()
    with translation.override("en"):
            call_command("units_import", str(TERC_CSV), "--under", "0209", "--prg",
                     str(PRG_GMINY), "--prg", str(PRG_POWIATY), *extra, stdout=out)
    return out.getvalue()


def _snapshot() -> list[tuple]:
    return [(u.pk, u.teryt, u.name, u.level, u.boundary.wkt if u.boundary else None)
            for u in AdministrativeUnit.objects.order_by("teryt")]


def _standard_set() -> ServiceTemplate:
    template = ServiceTemplate.objects.create(name="gmina, standard set", level="gmina")
    ServiceTemplateKind.objects.create(template=template, kind="trees", case_prefix="OŚ.6131")
    ServiceTemplateKind.objects.create(template=template, kind="zoning_extract")
    return template


def test_units_import_creates_the_powiats_units_with_names_types_and_boundaries():
    out = _import()

    units = {u.teryt: u for u in AdministrativeUnit.objects.all()}
    assert sorted(units) == POWIAT_0209
    assert units["0209"].name == "powiat legnicki" and units["0209"].level == "powiat"
    assert units["020901_1"].name == "Chojnów" and units["020902_2"].name == "Chojnów"
    assert units["020907_3"].level == "gmina"
    assert units["020903_2"].boundary.extent == (308000.0, 380000.0, 312000.0, 384000.0)
    assert units["0209"].boundary.area == 12000 * 8000
    assert "created: 6, updated: 0, unchanged: 0" in out


def test_units_import_run_twice_changes_nothing():
    _import()
    before = _snapshot()

    out = _import()

    assert _snapshot() == before
    assert "created: 0, updated: 0, unchanged: 6" in out


def test_units_import_updates_a_renamed_unit_and_keeps_its_id():
    _import()
    unit = AdministrativeUnit.objects.get(teryt="020904_2")
    AdministrativeUnit.objects.filter(pk=unit.pk).update(name="Kunice (old name)")

    out = _import()

    assert AdministrativeUnit.objects.get(pk=unit.pk).name == "Kunice"
    assert "created: 0, updated: 1, unchanged: 5" in out


def test_terc_parts_of_a_gmina_and_other_powiats_are_left_out():
    units = terc_read(TERC_CSV, under="0209")
    xml = terc_read(TERC_XML, under="0209")

    assert [u.teryt for u in units] == POWIAT_0209
    assert [u.teryt for u in xml] == ["0209", "020901_1", "020907_3"]
    assert xml[1].name == "Chojnów" and xml[1].kind == "gmina miejska"


def test_units_import_switches_on_the_templates_services_in_one_action_and_again_nothing():
    _standard_set()

    _import("--template", "gmina, standard set")
    settings = set(KindSetting.objects.filter(enabled=True).values_list(
        "unit__teryt", "kind", "case_prefix"))
    out = _import("--template", "gmina, standard set")

    gminy = [t for t in POWIAT_0209 if "_" in t]
    assert settings == {(t, "trees", "OŚ.6131") for t in gminy} | {
        (t, "zoning_extract", "") for t in gminy}
    assert KindSetting.objects.count() == 10
    assert "Services switched on: 0 in 5 units (10 already on)." in out


def test_template_keeps_a_units_own_file_symbol():
    template = _standard_set()
    _import()
    unit = AdministrativeUnit.objects.get(teryt="020901_1")
    KindSetting.objects.create(unit=unit, kind="trees", enabled=False, case_prefix="RGK.6131")

    counts = service_template_apply(template=template, units=[unit])

    setting = KindSetting.objects.get(unit=unit, kind="trees")
    assert (setting.enabled, setting.case_prefix) == (True, "RGK.6131")
    assert counts == {"units": 1, "enabled": 2, "unchanged": 0}


def test_dry_run_writes_nothing():
    out = _import("--dry-run")

    assert AdministrativeUnit.objects.count() == 0
    assert "created: 6" in out


def test_a_file_that_is_not_terc_is_refused_naming_it_and_nothing_is_written(tmp_path):
    bad = tmp_path / "units.csv"
    bad.write_text("kod;nazwa\n0209;legnicki\n", encoding="utf-8")

    with pytest.raises(CommandError, match="units.csv: not a TERC file"), \
            translation.override("en"):
        call_command("units_import", str(bad), "--under", "0209", stdout=StringIO())
    with pytest.raises(TercFileInvalid):
        terc_read(bad)
    assert AdministrativeUnit.objects.count() == 0


def test_an_unknown_template_is_refused_before_anything_is_written():
    with pytest.raises(CommandError, match="no service template"):
        _import("--template", "nothing like it")
    assert AdministrativeUnit.objects.count() == 0
