"""A powiat imports its county's cadastre once; each gmina holds its own part of it.

The county file is made here from the gmina export fixture: the same export twice, once
for each of two gminy of powiat 0209, the second with its own identifiers and owners.
Each parcel is stored once, in the gmina its id names; a gmina's staff see their parcels
and owners, never another gmina's.
"""
import re
from pathlib import Path

import mapbox_vector_tile
import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import translation

from cadastre_sync.errors import ImportRejected
from cadastre_sync.models import Building, Owner, Parcel, Precinct, RegisterUnit
from cadastre_sync.services import cadastre_import
from core.access import roles_held_in, scope_queryset, units_allowing
from core.roles import CASE_OFFICER, TAX_OFFICER, UNIT_ADMIN
from geo_portal.parcel_selectors import parcel_search
from layers.access import layer_scope_named
from tests import factories as f

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "cadastre"
GMINA_EXPORT = FIXTURES / "egib2021_legnica.gml"
CHOJNOW, CHOJNOW_RURAL = "020901_1", "020902_2"
# The second gmina's people: other names and PESEL numbers (valid check digits).
RURAL_PEOPLE = {"65031212345": "72090512341", "68072545670": "81112298765",
                "44021067895": "50010112343", "75110387653": "90061854322"}
HEAD, TAIL = "<gml:featureMember>", "</gml:FeatureCollection>"


def _members(text: str) -> str:
    return text[text.index(HEAD):text.rindex(TAIL)]


def _as_second_gmina(text: str) -> str:
    text = text.replace("026101_1", CHOJNOW_RURAL)
    text = re.sub(r'gml:id="', 'gml:id="B', text)
    text = text.replace('href="#', 'href="#B').replace('href="PL.', 'href="BPL.')
    text = text.replace("<egb:lokalnyId>", "<egb:lokalnyId>b")
    text = text.replace("Jan<", "Marek<").replace("Anna<", "Ewa<")
    for pesel, other in RURAL_PEOPLE.items():
        text = text.replace(pesel, other)
    return text


# Zofia Wiśniewska (OS-3), who holds a half share in the first gmina, in a county file
# where she also holds the second gmina's half share: one subject of the county's
# register, named once in the file, referred to by shares in both gminy.
SHARED_PESEL = "44021067895"


def _with_a_shared_owner(second: str) -> str:
    second = re.sub(r'<gml:featureMember>\s*<egb:EGB_OsobaFizyczna gml:id="BOS-3">.*?'
                    r'</gml:featureMember>', "", second, flags=re.S)
    assert RURAL_PEOPLE[SHARED_PESEL] not in second
    return second.replace('href="#BOS-3"', 'href="#OS-3"')


@pytest.fixture
def county_file(tmp_path) -> Path:
    export = GMINA_EXPORT.read_text(encoding="utf-8")
    first = export.replace("026101_1", CHOJNOW)
    second = _members(_as_second_gmina(export))
    path = tmp_path / "powiat_0209.gml"
    path.write_text(first.replace(TAIL, second + TAIL), encoding="utf-8")
    return path


@pytest.fixture
def county(county_file):
    powiat = f.unit("0209", "Powiat legnicki")
    town = f.unit(CHOJNOW, "Chojnów")
    rural = f.unit(CHOJNOW_RURAL, "Gmina Chojnów")
    result = cadastre_import(unit=powiat, path=county_file)
    return powiat, town, rural, result


def _pesels(units) -> set[str]:
    return set(Owner.objects.filter(unit__in=units).exclude(pesel="")
               .values_list("pesel", flat=True))


def test_each_gmina_holds_its_own_part_of_the_county_file_once(county):
    powiat, town, rural, result = county

    town_ids = set(Parcel.objects.filter(unit=town).values_list("parcel_id", flat=True))
    rural_ids = set(Parcel.objects.filter(unit=rural).values_list("parcel_id", flat=True))

    assert town_ids and rural_ids
    assert all(pid.startswith(CHOJNOW + ".") for pid in town_ids)
    assert all(pid.startswith(CHOJNOW_RURAL + ".") for pid in rural_ids)
    assert {pid.split(".", 1)[1] for pid in town_ids} == {
        pid.split(".", 1)[1] for pid in rural_ids}
    assert not Parcel.objects.filter(unit=powiat).exists()
    assert not Precinct.objects.filter(unit=powiat).exists()
    assert Parcel.objects.count() == len(town_ids) + len(rural_ids)  # no copy
    assert set(result.gmina_extents) == {town.pk, rural.pk}
    assert all(RegisterUnit.objects.filter(unit=u).exists() for u in (town, rural))
    assert _pesels([town]) == set(RURAL_PEOPLE)
    assert _pesels([rural]) == set(RURAL_PEOPLE.values())


def test_importing_the_county_file_again_changes_nothing(county, county_file):
    powiat, *_ = county

    again = cadastre_import(unit=powiat, path=county_file)

    totals = again.totals
    assert (totals.created, totals.updated, totals.retired) == (0, 0, 0)


def _owner_names(units) -> set[str]:
    return {str(o) for o in Owner.objects.filter(unit__in=units)}


def test_a_gminas_staff_see_only_their_parcels_owners_and_register_units(county):
    _powiat, town, rural, _ = county
    tax = f.staff(town, TAX_OFFICER)
    planner = f.staff(rural, CASE_OFFICER)

    town_owners = scope_queryset(Owner.objects.all(), tax)
    town_parcels = scope_queryset(Parcel.objects.all(), tax)
    town_registers = scope_queryset(RegisterUnit.objects.all(), tax)

    assert {o.pesel for o in town_owners if o.pesel} == set(RURAL_PEOPLE)
    assert town_parcels.count() == Parcel.objects.filter(unit=town).count()
    assert all(p.parcel_id.startswith(CHOJNOW + ".") for p in town_parcels)
    assert all(r.register_id.startswith(CHOJNOW + ".") for r in town_registers)
    assert scope_queryset(Owner.objects.all(), planner).count() == 0  # no personal data role
    assert all(p.parcel_id.startswith(CHOJNOW_RURAL + ".")
               for p in scope_queryset(Parcel.objects.all(), planner))


def test_the_admin_lists_a_gminas_own_owners_and_refuses_anothers(client, county):
    _powiat, town, rural, _ = county
    client.force_login(f.staff(town, TAX_OFFICER))
    theirs = Owner.objects.filter(unit=rural, kind=Owner.PERSON).first()

    listing = client.get(reverse("admin:cadastre_sync_owner_changelist"))
    their_page = client.get(reverse("admin:cadastre_sync_owner_change", args=[theirs.pk]))

    assert listing.status_code == 200
    assert "Jan" in listing.text and "Marek" not in listing.text
    assert not any(pesel in listing.text for pesel in RURAL_PEOPLE.values())
    assert their_page.status_code == 302 and their_page.url == reverse("admin:index")


@pytest.mark.parametrize("who", ["anonymous", "resident", "case_officer_elsewhere"])
def test_others_never_reach_the_county_owners_in_the_admin(client, county, who):
    _powiat, town, _rural, _ = county
    owner = Owner.objects.filter(unit=town).first()
    if who == "resident":
        client.force_login(f.user("resident"))
    elif who == "case_officer_elsewhere":
        client.force_login(f.staff(f.unit("146501_8", "Warszawa-Bemowo"), TAX_OFFICER))

    page = client.get(reverse("admin:cadastre_sync_owner_change", args=[owner.pk]))

    assert page.status_code == 302
    assert page.url != reverse("admin:cadastre_sync_owner_change", args=[owner.pk])


def _mvt_tile(x: float, y: float, zoom: int = 17) -> tuple[int, int]:
    half = 20037508.342789244
    n = 2 ** zoom
    return int((x + half) / (2 * half) * n), int((half - y) / (2 * half) * n)


def _owners_tile(client, unit, user) -> tuple[object, list[dict]]:
    """The owners' vector tile over a parcel of `unit`, as `user` gets it."""
    centre = Parcel.objects.filter(unit=unit, retired_at__isnull=True).first().geom
    centre = centre.point_on_surface.transform(3857, clone=True)
    col, row = _mvt_tile(centre.x, centre.y)
    client.force_login(user)
    answer = client.get(f"/tiles/parcel_owners/17/{col}/{row}.mvt")
    return answer, mapbox_vector_tile.decode(answer.content)["parcel_owners"]["features"]


def test_the_owners_map_layer_shows_a_gminas_officer_its_own_parcels_only(client, county):
    """Both gminy's parcels lie in the same tile here (the file repeats one export): the
    tile an officer of one gmina gets holds that gmina's parcels and owners only."""
    _powiat, town, _rural, _ = county

    answer, features = _owners_tile(client, town, f.staff(town, TAX_OFFICER))

    ids = {feature["id"] for feature in features}
    owners = " ".join(str(feature["properties"].get("owners")) for feature in features)
    assert answer.status_code == 200 and ids
    assert ids <= set(Parcel.objects.filter(unit=town).values_list("pk", flat=True))
    assert "Jan" in owners and "Marek" not in owners and "Ewa" not in owners


def test_anonymous_gets_no_owners_tile(client, county):
    _powiat, town, _rural, _ = county
    centre = Parcel.objects.filter(unit=town).first().geom.point_on_surface.transform(
        3857, clone=True)
    col, row = _mvt_tile(centre.x, centre.y)

    assert client.get(f"/tiles/parcel_owners/17/{col}/{row}.mvt").status_code == 401


def test_the_parcel_card_and_search_name_each_parcels_own_gmina(client, county):
    _powiat, town, rural, _ = county
    parcel = Parcel.objects.filter(unit=rural, retired_at__isnull=True).first()
    client.force_login(f.staff(town, TAX_OFFICER))

    card = client.get(reverse("api-parcel-detail", args=[parcel.parcel_id]))
    with translation.override("en"):
        answer = parcel_search(query=f"{parcel.precinct.name} {parcel.number}",
                               user=AnonymousUser())

    assert card.status_code == 200
    assert not any(pesel in card.text for pesel in RURAL_PEOPLE.values())
    assert "Marek" not in card.text
    assert {hit.parcel_id for hit in answer.results} == {
        parcel.parcel_id, parcel.parcel_id.replace(CHOJNOW_RURAL, CHOJNOW)}
    assert {hit.label.rsplit("(", 1)[1] for hit in answer.results} == {
        f"{rural.name})", f"{town.name})"}


def test_reconciliation_of_a_gmina_reads_its_own_part_of_the_county_cadastre(county):
    from cadastre_sync.models import TaxFinding, TaxSettings
    from cadastre_sync.tax.reconcile import reconcile
    from tests.tax_factories import DISTRICT, YEAR, defaults_ensure

    _powiat, town, _rural, _ = county
    defaults_ensure()
    TaxSettings.objects.update_or_create(unit=town, defaults={"tax_district": DISTRICT})

    reconcile(unit=town, year=YEAR)

    findings = list(TaxFinding.objects.filter(unit=town))
    evidence = " ".join(str(finding.evidence) for finding in findings)
    assert findings  # an empty tax roll: the gmina's parcels are untaxed
    assert all(CHOJNOW_RURAL not in finding.key for finding in findings)
    assert any(CHOJNOW in finding.key for finding in findings)
    assert CHOJNOW_RURAL not in evidence
    assert not any(pesel in evidence for pesel in RURAL_PEOPLE.values())
    assert not TaxFinding.objects.exclude(unit=town).exists()


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def _refused(unit, path) -> list:
    with pytest.raises(ImportRejected) as refused:
        cadastre_import(unit=unit, path=path)
    assert Parcel.objects.count() == 0 and Owner.objects.count() == 0
    return [p for p in refused.value.problems if p.severity == "error"]


def test_a_county_file_naming_a_gmina_not_set_up_is_refused_whole(county_file, english):
    powiat = f.unit("0209", "Powiat legnicki")
    f.unit(CHOJNOW, "Chojnów")

    (error,) = _refused(powiat, county_file)

    assert error.code == "unknown_gmina" and CHOJNOW_RURAL in error.message


def test_another_powiats_county_file_is_refused_whole(county_file, english):
    other = f.unit("0261", "Legnica (miasto na prawach powiatu)")

    errors = _refused(other, county_file)

    assert {e.code for e in errors} >= {"other_unit"}
    assert any("0261" in e.message and CHOJNOW in e.message for e in errors)


def test_a_voivodeship_takes_no_cadastre_file(county_file, english):
    (error,) = _refused(f.unit("02", "województwo dolnośląskie"), county_file)

    assert error.code == "unit_not_gmina"


def test_a_county_swde_file_is_refused_saying_why(english):
    powiat = f.unit("0261", "Legnica (miasto na prawach powiatu)")
    f.unit("026101_1", "Legnica")

    (error,) = _refused(powiat, FIXTURES / "swde_legnica.swd")

    assert error.code == "county_swde"


# The starostwo keeps the county's cadastre: its staff reach every gmina's part of it with
# their own role's rights there, and nothing else of the gminy.

def _retired(parcel: Parcel) -> Parcel:
    from django.utils import timezone

    Parcel.objects.filter(pk=parcel.pk).update(retired_at=timezone.now())
    return parcel


def test_the_powiats_staff_see_the_cadastre_of_each_gmina_per_their_roles_rights(county):
    powiat, town, rural, _ = county
    admin = f.staff(powiat, UNIT_ADMIN)
    officer = f.staff(powiat, CASE_OFFICER)

    admins_owners = scope_queryset(Owner.objects.all(), admin)
    officers_owners = scope_queryset(Owner.objects.all(), officer)
    officers_parcels = scope_queryset(Parcel.objects.all(), officer)
    officers_buildings = scope_queryset(Building.objects.all(), officer)
    officers_registers = scope_queryset(RegisterUnit.objects.all(), officer)

    assert {o.pesel for o in admins_owners if o.pesel} == (
        set(RURAL_PEOPLE) | set(RURAL_PEOPLE.values()))
    assert officers_owners.count() == 0  # a case officer's role opens no personal data
    assert set(officers_parcels) == set(Parcel.objects.filter(unit__in=[town, rural]))
    assert officers_buildings.count() == Building.objects.count() > 0
    assert officers_registers.count() == RegisterUnit.objects.count()


def test_the_powiats_admin_lists_and_opens_the_owners_of_every_gmina(client, county):
    powiat, _town, rural, _ = county
    client.force_login(f.staff(powiat, UNIT_ADMIN))
    theirs = Owner.objects.filter(unit=rural, kind=Owner.PERSON).first()

    listing = client.get(reverse("admin:cadastre_sync_owner_changelist"))
    page = client.get(reverse("admin:cadastre_sync_owner_change", args=[theirs.pk]))

    assert listing.status_code == 200 and "Jan" in listing.text and "Marek" in listing.text
    assert page.status_code == 200 and theirs.surname in page.text


def test_the_owners_tile_of_the_powiats_admin_holds_both_gminy(client, county):
    powiat, town, rural, _ = county

    answer, features = _owners_tile(client, town, f.staff(powiat, UNIT_ADMIN))

    units = set(Parcel.objects.filter(pk__in={ft["id"] for ft in features})
                .values_list("unit_id", flat=True))
    owners = " ".join(str(ft["properties"].get("owners")) for ft in features)
    assert answer.status_code == 200 and units == {town.pk, rural.pk}
    assert "Jan" in owners and "Marek" in owners


def test_the_map_policy_gives_the_powiat_its_gminy_and_a_gmina_only_itself(county):
    powiat, town, rural, _ = county

    of_powiat = layer_scope_named(f.staff(powiat, UNIT_ADMIN), "parcel_owners")
    of_town = layer_scope_named(f.staff(town, UNIT_ADMIN), "parcel_owners")
    of_powiat_officer = layer_scope_named(f.staff(powiat, CASE_OFFICER), "parcel_owners")

    assert {town.pk, rural.pk} <= of_powiat.unit_ids
    assert of_town.unit_ids == {town.pk}
    assert not of_powiat_officer.allowed  # no personal data role, no owners' layer


@pytest.mark.parametrize("who, status", [
    ("powiat_case_officer", 200), ("anonymous", 401), ("resident", 403),
    ("other_gminas_case_officer", 403), ("other_powiats_unit_admin", 403)])
def test_a_retired_parcel_of_a_gmina_opens_to_the_powiats_staff_only(client, county, who,
                                                                      status):
    powiat, town, rural, _ = county
    parcel = _retired(Parcel.objects.filter(unit=rural).first())
    staff = {"powiat_case_officer": lambda: f.staff(powiat, CASE_OFFICER),
             "resident": lambda: f.user("resident"),
             "other_gminas_case_officer": lambda: f.staff(town, CASE_OFFICER),
             "other_powiats_unit_admin": lambda: f.staff(f.unit("0261", "Legnica"),
                                                         UNIT_ADMIN)}
    if who in staff:
        client.force_login(staff[who]())

    card = client.get(reverse("api-parcel-detail", args=[parcel.parcel_id]))

    assert card.status_code == status


def test_the_powiats_roles_reach_nothing_else_of_its_gminy(county):
    powiat, town, rural, _ = county
    admin, tax = f.staff(powiat, UNIT_ADMIN), f.staff(powiat, TAX_OFFICER)
    gminy = [town.pk, rural.pk]

    for user, label, action in [(admin, "permits.application", "view"),
                                (admin, "core.membership", "change"),
                                (admin, "layers.zoningplan", "view"),
                                (admin, "cadastre_sync.taxrate", "view"),
                                (tax, "cadastre_sync.taxfinding", "view"),
                                (tax, "cadastre_sync.taxpayer", "view")]:
        assert not units_allowing(user, label, action).filter(pk__in=gminy).exists(), label
    assert roles_held_in(admin, town) == set()


def test_a_gminas_admin_never_reaches_the_other_gmina_nor_the_powiat(client, county):
    powiat, town, rural, _ = county
    admin = f.staff(town, UNIT_ADMIN)
    client.force_login(admin)
    theirs = Owner.objects.filter(unit=rural, kind=Owner.PERSON).first()

    page = client.get(reverse("admin:cadastre_sync_owner_change", args=[theirs.pk]))

    assert set(units_allowing(admin, "cadastre_sync.owner", "view")) == {town}
    assert page.status_code == 302
    assert not any(pesel in client.get(reverse("admin:cadastre_sync_owner_changelist")).text
                   for pesel in RURAL_PEOPLE.values())


# One person, land in two gminy of the county: an owner row in each gmina, holding that
# gmina's shares only. The gmina's cadastre is its own copy of the part of the county's
# register it is entitled to (Prawo geodezyjne i kartograficzne art. 24 ust. 2b: the
# cadastre is shared with the gmina for its own tasks, tax first), so no gmina reads the
# person's land, shares or details held in another gmina, and each import keeps each
# gmina's row up to date.

@pytest.fixture
def county_with_a_shared_owner(tmp_path):
    export = GMINA_EXPORT.read_text(encoding="utf-8")
    first = export.replace("026101_1", CHOJNOW)
    second = _with_a_shared_owner(_members(_as_second_gmina(export)))
    path = tmp_path / "powiat_0209_shared.gml"
    path.write_text(first.replace(TAIL, second + TAIL), encoding="utf-8")
    powiat = f.unit("0209", "Powiat legnicki")
    town, rural = f.unit(CHOJNOW, "Chojnów"), f.unit(CHOJNOW_RURAL, "Gmina Chojnów")
    cadastre_import(unit=powiat, path=path)
    return powiat, town, rural, path


def test_an_owner_in_two_gminy_is_one_owner_in_each_holding_its_shares_there(
        county_with_a_shared_owner):
    powiat, town, rural, _path = county_with_a_shared_owner

    rows = list(Owner.objects.filter(pesel=SHARED_PESEL).order_by("unit__teryt"))

    assert [row.unit for row in rows] == [town, rural]
    assert len({(row.surname, row.first_name, row.egib_local_id) for row in rows}) == 1
    for row in rows:
        registers = {s.register_unit for s in row.shares.select_related("register_unit")}
        assert registers and {r.unit_id for r in registers} == {row.unit_id}
    town_tax = f.staff(town, TAX_OFFICER)
    (seen,) = scope_queryset(Owner.objects.filter(pesel=SHARED_PESEL), town_tax)
    assert seen.unit == town
    assert scope_queryset(Owner.objects.filter(pesel=SHARED_PESEL),
                          f.staff(powiat, UNIT_ADMIN)).count() == 2


def test_importing_the_county_file_with_a_shared_owner_again_changes_nothing(
        county_with_a_shared_owner):
    powiat, _town, _rural, path = county_with_a_shared_owner

    totals = cadastre_import(unit=powiat, path=path).totals

    assert (totals.created, totals.updated, totals.retired) == (0, 0, 0)
    assert Owner.objects.filter(pesel=SHARED_PESEL).count() == 2


def test_a_gminas_reconciliation_reads_only_its_part_of_a_shared_owner(
        county_with_a_shared_owner):
    from cadastre_sync.models import TaxFinding, TaxSettings
    from cadastre_sync.tax.reconcile import reconcile
    from tests.tax_factories import DISTRICT, YEAR, defaults_ensure, taxed_land

    _powiat, town, rural, _path = county_with_a_shared_owner
    defaults_ensure()
    TaxSettings.objects.update_or_create(unit=town, defaults={"tax_district": DISTRICT})
    ours, theirs = (Owner.objects.get(unit=u, pesel=SHARED_PESEL) for u in (town, rural))
    our_parcels = list(Parcel.objects.filter(register_unit__shares__owner=ours,
                                             retired_at__isnull=True))
    their_parcels = set(Parcel.objects.filter(register_unit__shares__owner=theirs)
                        .values_list("parcel_id", flat=True))
    for parcel in our_parcels:  # taxed to someone else: the owners are compared
        taxed_land(parcel, area=str(parcel.registered_area_ha))

    reconcile(unit=town, year=YEAR)

    findings = list(TaxFinding.objects.filter(unit=town))
    mismatches = [x for x in findings if x.category == "owner_mismatch"]
    owner_ids = {o["id"] for x in mismatches for o in x.evidence.get("owners", [])}
    text = " ".join(f"{x.key} {x.evidence}" for x in findings)
    assert our_parcels and their_parcels and mismatches
    assert ours.pk in owner_ids and theirs.pk not in owner_ids
    assert owner_ids <= set(Owner.objects.filter(unit=town).values_list("pk", flat=True))
    assert not any(parcel_id in text for parcel_id in their_parcels)
    assert not TaxFinding.objects.filter(unit=rural).exists()
