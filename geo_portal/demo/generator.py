"""Generate a deterministic demo gmina with N parcels: the service behind `demo_data`.

Everything is set-based SQL over temporary tables (see cells.py for the pipeline),
inside one transaction: a failure leaves nothing behind. The same seed gives the
same geometry and attributes bit for bit; a different seed a different town.
"""
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import DatabaseError, IntegrityError, connection, transaction

from cadastre_sync.models import Parcel
from core.errors import Conflict, InvalidInput
from core.models import AdministrativeUnit

from . import buildings, cadastre, cells, cleanup, functions, indexes, keys, ownership, zoning
from .layout import DEFAULT_CENTER, Layout, plan
from .names import POSTCODES, by_area
from .run import Run, Stage
from .units import gmina_code, gmina_get_or_create

REFUSE = "refuse"  # the unit already has parcels: raise Conflict
SKIP = "skip"  # ... leave them and do nothing
REPLACE = "replace"  # ... delete the unit's demo data and generate anew
MAX_PARCELS = 20_000_000
ANALYZED = ("precinct", "parcel", "land_use", "building", "building_parcels", "address",
            "register_unit", "owner", "share", "plan", "zone")


@dataclass
class DemoReport:
    unit: AdministrativeUnit
    generated: bool
    existing_parcels: int = 0
    stages: list[Stage] = field(default_factory=list)
    seconds: float = 0.0


def demo_data_generate(
    *, teryt: str, parcels: int, seed: int, name: str | None = None,
    center: tuple[float, float] = DEFAULT_CENTER, existing: str = REFUSE,
    progress: Callable[[str], None] = lambda line: None, trace: bool = False,
) -> DemoReport:
    """Fill gmina `teryt` with `parcels` parcels and everything around them."""
    code = gmina_code(teryt)
    if not 1 <= parcels <= MAX_PARCELS:
        raise InvalidInput(f"the number of parcels must be 1 to {MAX_PARCELS:,}",
                           detail={"field": "parcels"})
    started = time.perf_counter()
    layout = plan(parcels=parcels, seed=seed, center=center)
    with transaction.atomic():
        unit = gmina_get_or_create(teryt=code, name=name)
        AdministrativeUnit.objects.select_for_update().filter(pk=unit.pk).exists()
        if not unit.is_demo:
            raise Conflict(f"{unit} was not created by the demo generator, which touches "
                           "only the units it created", detail={"unit": code})
        count = Parcel.objects.filter(unit=unit).count()
        if count and existing == SKIP:
            return DemoReport(unit, generated=False, existing_parcels=count)
        if count and existing != REPLACE:
            raise Conflict(f"{unit} already has {count:,} parcels",
                           detail={"unit": code, "parcels": count})
        with connection.cursor() as cursor:
            run = Run(cursor, _params(unit, layout), progress, trace=trace)
            progress(f"demo data for {unit}: {parcels:,} parcels, seed {seed}")
            _generate(run, unit, layout, replace=bool(count) or existing == REPLACE)
    return DemoReport(unit, generated=True, existing_parcels=count, stages=run.stages,
                      seconds=time.perf_counter() - started)


def _params(unit: AdministrativeUnit, layout: Layout) -> dict:
    return {"unit_id": unit.pk, "teryt": unit.teryt, "key": layout.key,
            "parcels": layout.parcels, "slot_m": layout.slot_m, "radius": layout.radius,
            "namespace": f"PL.PZGiK.{unit.teryt[:4]}.EGiB"}


@dataclass(frozen=True)
class Job:
    unit: AdministrativeUnit
    layout: Layout

    @property
    def postcode(self) -> tuple[str, int]:
        return by_area(POSTCODES, self.unit.teryt)


def _layout(run: Run, job: Job) -> list[int]:
    functions.functions_create(run)
    cells.block_tables_load(run)
    return [cells.slots_load(run, job.layout), cells.axes_create(run), cells.cells_create(run)]


def _precincts(run: Run, job: Job) -> list[int]:
    count = cadastre.precincts_insert(run)
    cadastre.boundary_update(run)
    return [count]


def _owners(run: Run, job: Job) -> list[int]:
    prefix, first = job.postcode
    return [ownership.persons_insert(run, job.unit.name, f"{prefix}-{first}00"),
            ownership.shares_insert(run)]


def _land_use(run: Run, job: Job) -> list[int]:
    cadastre.land_use_classes_load(run)
    return [cadastre.land_use_insert(run)]


def _buildings(run: Run, job: Job) -> list[int]:
    buildings.rules_load(run)
    return [buildings.buildings_insert(run),
            buildings.addresses_insert(run, job.unit.name, job.postcode)]


def _plans(run: Run, job: Job) -> list[int]:
    zoning.zone_rules_load(run)
    return [zoning.general_plan_insert(run, job.layout, job.unit.name),
            zoning.local_plan_insert(run, job.layout, job.layout.slots[0].name, job.unit.name)]


# The pipeline, in order: each stage is timed and reported with the rows it wrote.
STAGES: tuple[tuple[str, Callable[[Run, Job], list[int]]], ...] = (
    ("layout (slots, cells)", _layout),
    ("lots", lambda run, job: [cells.lots_create(run)]),
    ("precincts, unit boundary", _precincts),
    ("register units", lambda run, job: [ownership.institutions_insert(run, job.unit.name),
                                         ownership.register_units_insert(run)]),
    ("owners, shares", _owners),
    ("parcels", lambda run, job: [cadastre.parcels_insert(run)]),
    ("land-use pieces", _land_use),
    ("buildings, addresses", _buildings),
    ("general and local plan", _plans),
)


def _generate(run: Run, unit: AdministrativeUnit, layout: Layout, *, replace: bool) -> None:
    _session_settings(run, layout.parcels)
    _sequences(run)
    if replace:
        with run.stage("delete previous demo data") as n:
            n.append(_delete(run, unit))
    tables = list(run.tables.values())
    fast_keys = keys.fast_mode_possible(run, tables)
    if fast_keys:
        floors = keys.id_floors(run, tables)
        keys.replica_mode(run, True)
    deferred = []
    if indexes.deferrable(run, layout.parcels, indexes.bulk_tables(run)):
        with run.stage("indexes dropped for the load"):
            deferred = indexes.secondary_indexes_drop(run, indexes.bulk_tables(run))
    job = Job(unit, layout)
    for name, stage in STAGES:
        with run.stage(name) as n:
            n.extend(stage(run, job))
    if deferred:
        with run.stage("indexes built after the load"):
            indexes.secondary_indexes_create(run, deferred)
    if fast_keys:
        keys.replica_mode(run, False)
        keys.journal_bulk_change(run, unit.pk)
        with run.stage("foreign keys, set-based") as n:
            n.append(keys.foreign_keys_check(run, floors))
    with run.stage("analyze"):
        for short in ANALYZED:
            run.sql(f"ANALYZE {{{short}}}")
        _temp_tables_drop(run)


def _session_settings(run: Run, parcels: int) -> None:
    run.sql("SET CONSTRAINTS ALL IMMEDIATE")  # check keys per statement, not all at commit
    _temp_buffers(run, parcels)
    # JIT compiling the hash-heavy statements costs more (0.5-2 s each) than it saves.
    run.sql("SET LOCAL jit = off")
    # Memoize caches on hash values that never repeat: pure overhead here.
    run.sql("SET LOCAL enable_memoize = off")


# Primary keys are drawn from the tables' own sequences, so later stages can link rows
# without reading them back.
SEQUENCES = {"seq_parcel": "parcel", "seq_precinct": "precinct", "seq_ru": "register_unit",
             "seq_owner": "owner", "seq_building": "building"}


def _temp_buffers(run: Run, parcels: int) -> None:
    """Room for the temporary tables in memory (~700 bytes a parcel); only a session that
    has not used temporary tables yet may change it, so elsewhere keep what there is."""
    megabytes = min(4096, max(8, parcels * 700 // 2**20))
    try:
        with transaction.atomic():
            run.sql(f"SET temp_buffers = '{megabytes}MB'")
    except DatabaseError:
        pass


def _sequences(run: Run) -> None:
    for param, short in SEQUENCES.items():
        run.params[param] = run.value("SELECT pg_get_serial_sequence(%(t)s, 'id')",
                                      {"t": run.tables[short]})


def _delete(run: Run, unit: AdministrativeUnit) -> int:
    try:
        with transaction.atomic():
            return cleanup.unit_data_delete(run, zoning.plan_identifiers(unit.teryt))
    except IntegrityError as exc:
        raise Conflict(f"other records still refer to the demo data of {unit}: {exc}",
                       detail={"unit": unit.teryt}) from exc


TEMP_TABLES = ("demo_slot", "demo_btype", "demo_mix", "demo_axis", "demo_cell",
               "demo_lot", "demo_prec", "demo_inst", "demo_ru", "demo_person",
               "demo_luc", "demo_brule", "demo_bld", "demo_zrule", "demo_zone")


def _temp_tables_drop(run: Run) -> None:
    """ON COMMIT DROP covers a real commit; inside an outer transaction (tests) drop now."""
    run.sql("DROP TABLE IF EXISTS " + ", ".join(f"pg_temp.{t}" for t in TEMP_TABLES))
