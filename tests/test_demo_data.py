"""manage.py demo_data: a deterministic demo gmina generated with set-based SQL."""
import io
from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection
from django.utils import translation

from cadastre_sync.identifiers import (
    parse_parcel_id,
    validate_land_register_number,
    validate_pesel,
    validate_regon,
)
from cadastre_sync.models import (
    Address,
    Building,
    LandUsePiece,
    Owner,
    OwnershipShare,
    Parcel,
    Precinct,
    ReconciliationChange,
    ReconciliationRun,
    RegisterUnit,
)
from core.models import AdministrativeUnit, Membership
from core.roles import CASE_OFFICER, OPERATOR, TAX_OFFICER, UNIT_ADMIN
from geo_portal.demo import functions, indexes, keys, zoning
from geo_portal.demo.accounts import DEMO_PASSWORD, demo_accounts
from geo_portal.demo.run import Run
from layers.models import ZoningPlan, ZoningZone

pytestmark = pytest.mark.django_db

TERYT = "026101_1"
N = 2000


def demo(*args: str, parcels: int = N, seed: int = 1) -> str:
    out = io.StringIO()
    call_command("demo_data", "--unit", TERYT, "--parcels", str(parcels), "--seed", str(seed),
                 *args, stdout=out)
    return out.getvalue()


def sql(query: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def fingerprint() -> str:
    """md5 over every parcel's id, geometry and registered attributes, in id order."""
    return sql(
        "SELECT md5(string_agg(parcel_id || encode(ST_AsBinary(geom), 'hex') "
        "|| registered_area_ha || land_register_number, ',' ORDER BY parcel_id)) "
        "FROM cadastre_sync_parcel"
    )[0][0]


@pytest.fixture
def generated():
    output = demo()
    return AdministrativeUnit.objects.get(teryt=TERYT), output


def test_generates_exactly_the_parcels_asked_for_and_everything_hangs_together(generated):
    unit, output = generated

    loose = sql(
        "SELECT (SELECT count(*) FROM cadastre_sync_precinct r WHERE NOT EXISTS "
        "        (SELECT 1 FROM cadastre_sync_parcel p WHERE p.precinct_id = r.id)), "
        "       (SELECT count(*) FROM cadastre_sync_parcel WHERE register_unit_id IS NULL), "
        "       (SELECT count(*) FROM cadastre_sync_building b WHERE (SELECT count(*) "
        "        FROM cadastre_sync_building_parcels l WHERE l.building_id = b.id) <> 1), "
        "       (SELECT count(*) FROM cadastre_sync_address a WHERE a.building_id IS NULL "
        "        OR NOT EXISTS (SELECT 1 FROM cadastre_sync_building_parcels l "
        "        WHERE l.building_id = a.building_id AND l.parcel_id = a.parcel_id))"
    )[0]

    assert Parcel.objects.filter(unit=unit).count() == N
    assert loose == (0, 0, 0, 0)
    assert set(ZoningPlan.objects.filter(unit=unit).values_list("kind", flat=True)) == {
        "general", "local"}
    assert f"{N:,} parcels" in output and "done:" in output


def test_a_plausible_town_and_villages(generated):
    unit, _ = generated

    assert Precinct.objects.filter(unit=unit).count() > 3
    assert Parcel.objects.filter(land_use__ofu="dr").distinct().count() > 100
    assert Building.objects.filter(unit=unit).count() > 500
    assert Address.objects.filter(unit=unit).count() > 300
    assert RegisterUnit.objects.filter(unit=unit).count() > 500
    assert Owner.objects.filter(unit=unit, kind=Owner.PERSON).count() > 500


def test_the_same_counts_for_another_size(db):
    demo(parcels=1501)

    assert Parcel.objects.count() == 1501


def test_all_geometries_are_valid(generated):
    invalid = sql(
        "SELECT 'parcel', count(*) FROM cadastre_sync_parcel WHERE NOT ST_IsValid(geom) "
        "UNION ALL SELECT 'building', count(*) FROM cadastre_sync_building "
        "WHERE NOT ST_IsValid(geom) "
        "UNION ALL SELECT 'land use', count(*) FROM cadastre_sync_landusepiece "
        "WHERE NOT ST_IsValid(geom) "
        "UNION ALL SELECT 'precinct', count(*) FROM cadastre_sync_precinct "
        "WHERE NOT ST_IsValid(geom) "
        "UNION ALL SELECT 'zone', count(*) FROM layers_zoningzone WHERE NOT ST_IsValid(geom) "
        "UNION ALL SELECT 'unit', count(*) FROM core_administrativeunit "
        "WHERE boundary IS NOT NULL AND NOT ST_IsValid(boundary)"
    )

    assert dict(invalid) == {"parcel": 0, "building": 0, "land use": 0, "precinct": 0,
                             "zone": 0, "unit": 0}


def test_no_two_parcels_overlap(generated):
    overlapping = sql(
        "SELECT a.parcel_id, b.parcel_id FROM cadastre_sync_parcel a "
        "JOIN cadastre_sync_parcel b ON a.id < b.id AND a.geom && b.geom "
        "WHERE ST_Area(ST_Intersection(a.geom, b.geom)) > 0.01"
    )

    assert overlapping == []


def test_parcels_lie_within_their_precinct_and_the_unit(generated):
    outside = sql(
        "SELECT p.parcel_id FROM cadastre_sync_parcel p "
        "JOIN cadastre_sync_precinct r ON r.id = p.precinct_id "
        "JOIN core_administrativeunit u ON u.id = p.unit_id "
        "WHERE NOT ST_CoveredBy(p.geom, r.geom) OR NOT ST_CoveredBy(p.geom, u.boundary)"
    )

    assert outside == []


def test_every_building_lies_within_its_parcel(generated):
    rows = sql(
        "SELECT count(*), count(*) FILTER (WHERE NOT ST_Within(b.geom, p.geom)) "
        "FROM cadastre_sync_building b "
        "JOIN cadastre_sync_building_parcels bp ON bp.building_id = b.id "
        "JOIN cadastre_sync_parcel p ON p.id = bp.parcel_id"
    )

    assert rows[0][0] == Building.objects.count()
    assert rows[0][1] == 0


def test_buildings_have_kst_classes_storeys_and_footprint_areas(generated):
    buildings = Building.objects.all()

    assert {b.kst_class for b in buildings} >= {"1110", "1122", "1242", "1271"}
    assert {b.storeys_above for b in buildings} == {1, 2, 3, 4, 5}
    assert all(abs(float(b.built_up_area_m2) - b.geom.area) < 0.01 for b in buildings)


def test_land_use_pieces_add_up_to_the_registered_area(generated):
    mismatched = sql(
        "SELECT p.parcel_id, p.registered_area_ha, sum(l.area_ha) "
        "FROM cadastre_sync_parcel p LEFT JOIN cadastre_sync_landusepiece l ON l.parcel_id = p.id "
        "GROUP BY p.id HAVING sum(l.area_ha) IS DISTINCT FROM p.registered_area_ha"
    )

    assert mismatched == []
    assert LandUsePiece.objects.filter(ofu="R", ozk="IIIa").exists()
    assert LandUsePiece.objects.filter(ofu="Ł").exists()
    assert LandUsePiece.objects.filter(ofu="Ls").exists()


def test_land_use_pieces_tile_their_parcel(generated):
    off = sql(
        "SELECT p.parcel_id FROM cadastre_sync_parcel p "
        "JOIN cadastre_sync_landusepiece l ON l.parcel_id = p.id GROUP BY p.id "
        "HAVING abs(sum(ST_Area(l.geom)) - ST_Area(p.geom)) > 0.01"
    )

    assert off == []


def test_registered_area_is_the_geometric_area_give_or_take_a_few_percent(generated):
    ratios = [float(p.registered_area_ha) * 10000 / p.geom.area for p in Parcel.objects.all()]

    assert all(0.98 < r < 1.02 for r in ratios)
    assert sum(abs(r - 1) > 0.001 for r in ratios) > N // 20


def test_parcel_ids_are_valid_unique_and_some_are_fractions(generated):
    parcels = list(Parcel.objects.select_related("precinct").values_list(
        "parcel_id", "number", "precinct__number"))

    parsed = [parse_parcel_id(parcel_id) for parcel_id, _, _ in parcels]

    assert len({p for p, _, _ in parcels}) == N
    assert all(p.teryt == TERYT for p in parsed)
    assert all(p.precinct == precinct and p.number == number
               for p, (_, number, precinct) in zip(parsed, parcels, strict=True))
    assert sum("/" in number for _, number, _ in parcels) > N // 20


def test_same_seed_gives_identical_data_and_another_seed_differs(generated):
    first = fingerprint()

    demo("--replace")
    again = fingerprint()
    demo("--replace", seed=2)
    other = fingerprint()

    assert again == first
    assert other != first
    assert Parcel.objects.count() == N


def test_keys_past_two_to_the_32_draw_distinct_ids_and_values(db):
    # PostgreSQL's bigint hash folds the high half into the low one: 513 and
    # 2 * 2**32 + 515 hash alike, and lot keys of a million-parcel gmina pass 2**32.
    with connection.cursor() as cursor:
        functions.functions_create(Run(cursor, {}, lambda line: None))
        cursor.execute("SELECT pg_temp.demo_uuid(7, 30, 513), pg_temp.demo_uuid(7, 30, %s), "
                       "pg_temp.demo_rnd(7, 30, 513), pg_temp.demo_rnd(7, 30, %s)",
                       [2 * 2**32 + 515] * 2)
        uuid_low, uuid_high, rnd_low, rnd_high = cursor.fetchone()

    assert uuid_low != uuid_high
    assert rnd_low != rnd_high


def test_general_plan_zones_cover_the_unit_without_gaps_or_overlaps(generated):
    unit, _ = generated
    plan = ZoningPlan.objects.get(unit=unit, kind="general")

    gap, zones_area, unit_area = sql(
        "SELECT ST_Area(ST_SymDifference(u.boundary, (SELECT ST_Union(geom) "
        "FROM layers_zoningzone WHERE plan_id = %s))), "
        "(SELECT sum(ST_Area(geom)) FROM layers_zoningzone WHERE plan_id = %s), "
        "ST_Area(u.boundary) FROM core_administrativeunit u WHERE u.id = %s",
        [plan.pk, plan.pk, unit.pk],
    )[0]
    overlaps = sql(
        "SELECT a.label, b.label FROM layers_zoningzone a JOIN layers_zoningzone b "
        "ON a.plan_id = b.plan_id AND a.id < b.id AND a.geom && b.geom "
        "WHERE a.plan_id = %s AND ST_Area(ST_Intersection(a.geom, b.geom)) > 0.01",
        [plan.pk],
    )

    assert plan.identifier == f"{TERYT}-POG"
    assert gap < 1.0
    assert abs(zones_area - unit_area) < 1.0
    assert overlaps == []


def test_general_plan_zones_have_symbols_labels_and_parameters(generated):
    zones = ZoningZone.objects.filter(plan__kind="general")

    assert {z.symbol for z in zones} <= set(zoning.GENERAL_ZONES)
    assert {z.symbol for z in zones} >= {"SJ", "SR"}
    assert all(z.label == f"{z.label[:-2]}{z.symbol}" and z.label[:-2].isdigit() for z in zones)
    assert all(None not in (z.max_intensity, z.max_built_up_share, z.max_height_m,
                            z.min_biologically_active_share) for z in zones)


def test_some_parcels_are_split_between_two_general_plan_zones(generated):
    split = sql(
        "SELECT p.id FROM cadastre_sync_parcel p "
        "JOIN layers_zoningzone z ON z.geom && p.geom "
        "JOIN layers_zoningplan pl ON pl.id = z.plan_id AND pl.kind = 'general' "
        "WHERE ST_Area(ST_Intersection(p.geom, z.geom)) > 1 GROUP BY p.id HAVING count(*) > 1"
    )

    assert len(split) > 10


def test_local_plan_covers_part_of_the_town_with_polish_provisions(generated):
    unit, _ = generated
    plan = ZoningPlan.objects.get(unit=unit, kind="local")
    zones = list(plan.zones.all())

    covered = sql("SELECT ST_Area(geom) / ST_Area(u.boundary) FROM layers_zoningplan, "
                  "core_administrativeunit u WHERE layers_zoningplan.id = %s AND u.id = %s",
                  [plan.pk, unit.pk])[0][0]

    assert 0 < covered < 0.5
    assert {z.symbol for z in zones} >= {"MN", "KD"}
    assert {z.symbol for z in zones} <= set(zoning.LOCAL_ZONES)
    assert all(z.designation.startswith("teren ") for z in zones)
    assert all(z.label in z.provisions for z in zones)


def test_owners_have_valid_unique_pesel_and_regon(generated):
    people = Owner.objects.filter(kind=Owner.PERSON)
    institutions = Owner.objects.filter(kind=Owner.INSTITUTION)

    for owner in people:
        validate_pesel(owner.pesel)
    for owner in institutions:
        validate_regon(owner.regon)

    assert len({o.pesel for o in people}) == people.count()
    # The PESEL sex digit matches the first name (Polish women's names end in -a).
    assert all((int(o.pesel[9]) % 2 == 0) == o.first_name.endswith("a") for o in people)


def test_shares_are_single_owners_married_couples_or_halves(generated):
    shares = OwnershipShare.objects.select_related("owner", "spouse")
    per_unit = Counter()
    for share in shares:
        per_unit[share.register_unit_id] += Decimal(share.numerator) / share.denominator

    couples = [s for s in shares if s.spouse_id]

    assert set(per_unit.values()) == {Decimal(1)}
    assert per_unit.keys() == set(RegisterUnit.objects.values_list("pk", flat=True))
    assert couples and all(s.owner.surname[:4] == s.spouse.surname[:4] for s in couples)
    assert shares.filter(numerator=1, denominator=2).exists()
    assert RegisterUnit.objects.filter(group=4, parcels__land_use__ofu="dr").exists()
    assert RegisterUnit.objects.filter(group=7).count() > RegisterUnit.objects.count() / 2


def test_most_private_parcels_have_a_land_register_number(generated):
    private = Parcel.objects.filter(register_unit__group=7)
    numbers = [n for n in private.values_list("land_register_number", flat=True) if n]

    for number in numbers:
        validate_land_register_number(number)

    assert len(numbers) > 0.85 * private.count()
    assert all(n.startswith("LE1L/") for n in numbers)


def test_addresses_have_streets_numbers_postcodes_and_points_on_their_parcel(generated):
    off = sql(
        "SELECT a.id FROM cadastre_sync_address a "
        "JOIN cadastre_sync_parcel p ON p.id = a.parcel_id WHERE NOT ST_Within(a.point, p.geom) "
        "OR a.house_number = '' OR a.postcode !~ '^\\d{2}-\\d{3}$'"
    )
    town = Address.objects.filter(locality="Legnica")

    assert off == []
    assert town.exclude(street="").count() == town.count() > 300
    assert town.values("street", "house_number").distinct().count() == town.count()


@pytest.mark.parametrize(("value", "reason"), [
    ("0261", "is a powiat code"),
    ("036101_1", "03 is not a voivodeship code"),
    ("026101_7", "7 is not a gmina type digit"),
    ("Legnica", "is not a TERYT code"),
])
def test_a_bad_unit_code_names_the_option_and_the_reason(db, value, reason):
    with translation.override("en"), pytest.raises(CommandError) as error:
        call_command("demo_data", "--unit", value, "--parcels", "10", stdout=io.StringIO())

    assert str(error.value).startswith("--unit ")
    assert reason in str(error.value)
    assert AdministrativeUnit.objects.count() == 0


@pytest.mark.parametrize(("args", "message"), [
    (["--parcels", "0"], "--parcels: must be at least 1"),
    (["--parcels", "10", "--center", "16.1"], "--center: “16.1” is not LON,LAT"),
    (["--parcels", "10", "--center", "2.35,48.85"], "--center: 2.35,48.85 is not in Poland"),
])
def test_bad_size_or_centre_names_the_option(db, args, message):
    with pytest.raises(CommandError) as error:
        call_command("demo_data", "--unit", TERYT, *args, stdout=io.StringIO())

    assert str(error.value).startswith(message)
    assert AdministrativeUnit.objects.count() == 0


def test_refuses_to_generate_over_existing_parcels(generated):
    before = fingerprint()

    with pytest.raises(CommandError) as error:
        demo(parcels=1500)

    assert "already has 2,000 parcels" in str(error.value)
    assert "--replace" in str(error.value)
    assert fingerprint() == before


def test_if_empty_leaves_existing_data_and_says_so(generated):
    before = fingerprint()

    output = demo("--if-empty", parcels=1500, seed=7)

    assert "already has 2,000 parcels" in output
    assert Parcel.objects.count() == N
    assert fingerprint() == before


def test_if_empty_generates_into_an_empty_unit(db):
    demo("--if-empty", parcels=1500)

    assert Parcel.objects.count() == 1500


def test_replace_deletes_the_previous_demo_data_first(generated):
    demo("--replace", parcels=1500, seed=3)

    assert Parcel.objects.count() == 1500
    assert ZoningPlan.objects.count() == 2
    assert Owner.objects.filter(shares__isnull=True, spouse_shares__isnull=True).count() == 0
    assert RegisterUnit.objects.filter(parcels__isnull=True).count() == 0
    assert Precinct.objects.filter(parcels__isnull=True).count() == 0


def test_without_replica_mode_every_row_is_checked_by_its_keys_and_the_data_is_the_same(
        db, monkeypatch):
    demo()
    fast = fingerprint()
    monkeypatch.setattr(keys, "fast_mode_possible", lambda run, tables: False)

    output = demo("--replace")

    assert "foreign keys, set-based" not in output
    assert fingerprint() == fast


def test_replica_mode_skips_the_change_journal_and_the_first_run_is_full(generated):
    unit, output = generated

    # the journal's triggers do not force row-by-row keys (they are the only triggers)
    assert "foreign keys, set-based" in output
    # the demo's reconciliation compared everything and used up the bulk-change record
    run = ReconciliationRun.objects.get(unit=unit)
    assert run.scope == ReconciliationRun.FULL
    assert not ReconciliationChange.objects.filter(unit=unit).exists()


def index_definitions() -> list[str]:
    return [row[0] for row in sql(
        "SELECT indexdef FROM pg_indexes WHERE tablename LIKE 'cadastre_sync_%%' ORDER BY 1")]


def roll_fingerprint() -> tuple:
    """The tax roll and its findings, by their keys (ids differ between runs)."""
    return sql(
        "SELECT (SELECT md5(string_agg(a.number || o.object_key || coalesce(o.area_ha, 0) "
        "|| coalesce(o.floor_area_m2, 0), ',' ORDER BY a.number, o.object_key)) "
        "FROM cadastre_sync_taxobject o JOIN cadastre_sync_taxaccount a ON a.id = o.account_id), "
        "(SELECT md5(string_agg(a.number || t.ident_key || h.role, ',' "
        "ORDER BY a.number, t.ident_key)) FROM cadastre_sync_accountholder h "
        "JOIN cadastre_sync_taxaccount a ON a.id = h.account_id "
        "JOIN cadastre_sync_taxpayer t ON t.id = h.taxpayer_id), "
        "(SELECT md5(string_agg(category || key, ',' ORDER BY category, key)) "
        "FROM cadastre_sync_taxfinding)")[0]


def test_a_large_load_into_empty_tables_builds_the_indexes_after_it_with_the_same_data(
        db, monkeypatch):
    # the roll draws its drift by row id: the second run reuses the first one's ids
    sequences = sql("SELECT format('%I.%I', schemaname, sequencename), "
                    "coalesce(last_value, 1), last_value IS NOT NULL FROM pg_sequences")
    demo()  # small: every index kept up row by row
    before = (fingerprint(), roll_fingerprint(), index_definitions())
    monkeypatch.setattr(indexes, "BULK_PARCELS", 0)
    for name, value, called in sequences:
        sql("SELECT setval(%s, %s, %s)", [name, value, called])

    output = demo("--replace")

    assert "indexes built after the load" in output
    assert (fingerprint(), roll_fingerprint(), index_definitions()) == before
    assert ReconciliationRun.objects.latest("pk").scope == ReconciliationRun.FULL


def test_indexes_stay_when_another_unit_has_rows(generated, monkeypatch):
    monkeypatch.setattr(indexes, "BULK_PARCELS", 0)
    definitions = index_definitions()

    out = io.StringIO()
    call_command("demo_data", "--unit", "020101_1", "--name", "Bolesławiec", "--parcels",
                 "1500", stdout=out)

    assert "indexes" not in out.getvalue()
    assert index_definitions() == definitions
    assert Parcel.objects.count() == N + 1500


def test_a_broken_foreign_key_is_caught_by_the_set_based_check(db, monkeypatch):
    original = zoning.local_plan_insert

    def and_break_one_key(run, *args):  # still in replica mode: no trigger stops this
        run.sql("UPDATE {address} SET building_id = building_id + 10000000 "
                "WHERE id = (SELECT max(id) FROM {address})")
        return original(run, *args)

    monkeypatch.setattr(zoning, "local_plan_insert", and_break_one_key)

    with pytest.raises(IntegrityError, match="1 new rows of cadastre_sync_address"):
        demo()

    assert Parcel.objects.count() == 0


def test_a_failure_leaves_nothing_behind(db, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(zoning, "local_plan_insert", broken)

    with pytest.raises(RuntimeError):
        demo()

    assert AdministrativeUnit.objects.count() == 0
    assert Parcel.objects.count() == Owner.objects.count() == Building.objects.count() == 0


def test_accounts_are_created_with_their_roles_and_can_log_in(generated, client):
    unit, _ = generated

    demo("--if-empty", "--accounts")
    demo("--if-empty", "--accounts")  # idempotent

    users = {u.username: u for u in get_user_model().objects.all()}
    roles = {(m.user.username, m.unit.teryt, m.role)
             for m in Membership.objects.select_related("user", "unit")}
    assert set(users) == {a for a, _, _ in demo_accounts()}
    assert users["admin"].is_superuser
    assert roles == {("operator", "02", OPERATOR), ("urzednik", TERYT, CASE_OFFICER),
                     ("podatki", TERYT, TAX_OFFICER), ("adminjst", TERYT, UNIT_ADMIN)}
    assert AdministrativeUnit.objects.get(teryt="02").name == "województwo dolnośląskie"
    assert not users["mieszkaniec"].is_staff
    assert client.login(username="urzednik", password=DEMO_PASSWORD)
