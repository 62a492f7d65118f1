"""A staff member of one gmina sees and changes only their own units' data."""
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from cadastre_sync.models import Owner, Parcel, Precinct
from core.access import scope_queryset, units_for
from core.models import AdministrativeUnit
from core.roles import CASE_OFFICER, OPERATOR, TAX_OFFICER, UNIT_ADMIN
from core.services import membership_revoke
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_gminas():
    legnica = f.unit("026101_1", "Legnica")
    chojnow = f.unit("020901_1", "Chojnów")
    parcel_l = f.parcel("10", p=f.precinct(legnica, "0001", "Centrum"))
    parcel_c = f.parcel("20", p=f.precinct(chojnow, "0001", "Chojnów 1"))
    return legnica, chojnow, parcel_l, parcel_c


def test_staff_sees_only_parcels_of_their_unit(two_gminas):
    legnica, _chojnow, parcel_l, _parcel_c = two_gminas
    officer = f.staff(legnica, CASE_OFFICER)

    visible = scope_queryset(Parcel.objects.all(), officer)

    assert list(visible) == [parcel_l]


def test_anonymous_and_residents_see_no_unit_data(two_gminas, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    resident = f.user("resident")

    assert scope_queryset(Parcel.objects.all(), AnonymousUser()).count() == 0
    assert scope_queryset(Parcel.objects.all(), resident).count() == 0


def test_regional_operator_reaches_the_units_of_their_voivodeship(two_gminas):
    legnica, chojnow, *_ = two_gminas
    elsewhere = f.unit("146501_8", "Warszawa-Bemowo")
    region = f.unit("02", "województwo dolnośląskie")
    operator = f.staff(region, OPERATOR)

    reach = set(units_for(operator))

    assert reach == {region, legnica, chojnow}
    assert elsewhere not in reach


def test_case_officer_cannot_read_owners_but_tax_officer_can(two_gminas):
    legnica, chojnow, *_ = two_gminas
    Owner.objects.create(unit=legnica, kind="person", first_name="Jan", surname="Kowalski",
                         pesel="44051401359")
    Owner.objects.create(unit=chojnow, kind="person", first_name="Anna", surname="Nowak",
                         pesel="02070803628")
    officer = f.staff(legnica, CASE_OFFICER)
    tax = f.staff(legnica, TAX_OFFICER)

    assert scope_queryset(Owner.objects.all(), officer).count() == 0
    assert [o.surname for o in scope_queryset(Owner.objects.all(), tax)] == ["Kowalski"]


def test_admin_lists_only_own_unit_parcels(client, two_gminas):
    legnica, _chojnow, parcel_l, parcel_c = two_gminas
    client.force_login(f.staff(legnica, CASE_OFFICER))

    page = client.get(reverse("admin:cadastre_sync_parcel_changelist"))

    assert page.status_code == 200
    assert parcel_l.parcel_id in page.text
    assert parcel_c.parcel_id not in page.text


def test_admin_refuses_another_units_parcel_page(client, two_gminas):
    legnica, _chojnow, _parcel_l, parcel_c = two_gminas
    client.force_login(f.staff(legnica, CASE_OFFICER))

    page = client.get(reverse("admin:cadastre_sync_parcel_change", args=[parcel_c.pk]))

    # Django's admin answers a row outside the user's queryset as "does not exist".
    assert page.status_code == 302
    assert page.url == reverse("admin:index")


def test_unit_admin_cannot_change_another_units_precinct(client, two_gminas):
    legnica, chojnow, *_ = two_gminas
    theirs = Precinct.objects.get(unit=chojnow)
    client.force_login(f.staff(legnica, UNIT_ADMIN))

    response = client.post(
        reverse("admin:cadastre_sync_precinct_change", args=[theirs.pk]),
        {"unit": chojnow.pk, "number": "0001", "name": "Renamed by a stranger"},
    )

    assert response.status_code in (302, 403)
    theirs.refresh_from_db()
    assert theirs.name == "Chojnów 1"


def test_unit_admin_cannot_move_own_precinct_into_another_unit(client, two_gminas):
    legnica, chojnow, *_ = two_gminas
    ours = Precinct.objects.get(unit=legnica)
    client.force_login(f.staff(legnica, UNIT_ADMIN))

    response = client.post(
        reverse("admin:cadastre_sync_precinct_change", args=[ours.pk]),
        {"unit": chojnow.pk, "number": "0001", "name": "Centrum"},
    )

    assert response.status_code == 200  # the form is shown again with an error
    assert "unit" in response.context["adminform"].form.errors
    ours.refresh_from_db()
    assert ours.unit == legnica


def test_unit_admin_can_change_own_precinct(client, two_gminas):
    legnica, *_ = two_gminas
    ours = Precinct.objects.get(unit=legnica)
    client.force_login(f.staff(legnica, UNIT_ADMIN))

    response = client.post(
        reverse("admin:cadastre_sync_precinct_change", args=[ours.pk]),
        {"unit": legnica.pk, "number": "0001", "name": "Stare Miasto"},
    )

    assert response.status_code == 302
    ours.refresh_from_db()
    assert ours.name == "Stare Miasto"


def test_revoking_the_last_role_closes_the_administration(two_gminas):
    legnica, *_ = two_gminas
    officer = f.staff(legnica, CASE_OFFICER)
    assert officer.is_staff

    membership_revoke(user=officer, unit=legnica, role=CASE_OFFICER)

    officer.refresh_from_db()
    assert not officer.is_staff
    assert units_for(officer).count() == 0


def test_malformed_teryt_is_rejected_naming_the_field():
    unit = AdministrativeUnit(teryt="026101_7", name="Nowhere")

    with pytest.raises(ValidationError) as caught:
        unit.full_clean()

    assert list(caught.value.message_dict) == ["teryt"]
    with translation.override("en"):
        assert "7 is not a gmina type digit" in caught.value.message_dict["teryt"][0]


def test_malformed_parcel_id_is_rejected_naming_the_field(two_gminas):
    legnica, *_ = two_gminas
    parcel = Parcel.objects.first()
    parcel.parcel_id = "026101_1.1.123"

    with pytest.raises(ValidationError) as caught:
        parcel.full_clean()

    assert list(caught.value.message_dict) == ["parcel_id"]
    with translation.override("en"):
        message = caught.value.message_dict["parcel_id"][0]
    assert "precinct (obręb) number must be 4 digits" in message
