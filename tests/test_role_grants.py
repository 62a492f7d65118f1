"""A grant never exceeds what the granter holds: core.roles.GRANTS says which role grants
which, and a tax-secrecy role passes only from someone who holds it in that unit."""
import pytest

from core.errors import Forbidden
from core.models import Membership
from core.roles import CASE_OFFICER, OPERATOR, TAX_OFFICER, UNIT_ADMIN
from core.services import membership_grant, membership_revoke
from tests import factories as f

pytestmark = pytest.mark.django_db


def roles_of(user) -> set[tuple[str, str]]:
    return set(Membership.objects.filter(user=user).values_list("unit__teryt", "role"))


@pytest.fixture
def legnica():
    return f.unit("026101_1", "Legnica")


def test_unit_admin_appoints_a_case_officer_of_their_unit(legnica):
    admin = f.staff(legnica, UNIT_ADMIN)
    newcomer = f.user("newcomer")

    membership_grant(user=newcomer, unit=legnica, role=CASE_OFFICER, by=admin)

    assert roles_of(newcomer) == {("026101_1", CASE_OFFICER)}
    assert newcomer.is_staff


def test_unit_admin_cannot_make_themselves_a_tax_officer(legnica):
    admin = f.staff(legnica, UNIT_ADMIN)

    with pytest.raises(Forbidden):
        membership_grant(user=admin, unit=legnica, role=TAX_OFFICER, by=admin)

    assert roles_of(admin) == {("026101_1", UNIT_ADMIN)}


def test_unit_admin_cannot_make_anyone_a_tax_officer(legnica):
    admin = f.staff(legnica, UNIT_ADMIN)
    clerk = f.staff(legnica, CASE_OFFICER)

    with pytest.raises(Forbidden):
        membership_grant(user=clerk, unit=legnica, role=TAX_OFFICER, by=admin)

    assert roles_of(clerk) == {("026101_1", CASE_OFFICER)}


def test_unit_admin_who_is_a_tax_officer_may_appoint_one(legnica):
    head = f.staff(legnica, UNIT_ADMIN)
    membership_grant(user=head, unit=legnica, role=TAX_OFFICER)
    clerk = f.user("clerk")

    membership_grant(user=clerk, unit=legnica, role=TAX_OFFICER, by=head)

    assert roles_of(clerk) == {("026101_1", TAX_OFFICER)}


def test_a_tax_officer_alone_grants_nothing(legnica):
    tax = f.staff(legnica, TAX_OFFICER)
    clerk = f.user("clerk")

    with pytest.raises(Forbidden):
        membership_grant(user=clerk, unit=legnica, role=TAX_OFFICER, by=tax)

    assert roles_of(clerk) == set()


def test_case_officer_cannot_grant_any_role(legnica):
    officer = f.staff(legnica, CASE_OFFICER)
    friend = f.user("friend")

    for role in (CASE_OFFICER, UNIT_ADMIN):
        with pytest.raises(Forbidden):
            membership_grant(user=friend, unit=legnica, role=role, by=officer)

    assert roles_of(friend) == set()
    assert not friend.is_staff


def test_unit_admin_cannot_grant_in_another_unit(legnica):
    chojnow = f.unit("020901_1", "Chojnów")
    admin = f.staff(legnica, UNIT_ADMIN)
    friend = f.user("friend")

    with pytest.raises(Forbidden):
        membership_grant(user=friend, unit=chojnow, role=CASE_OFFICER, by=admin)

    assert roles_of(friend) == set()


def test_unit_admin_cannot_grant_a_role_above_their_own(legnica):
    admin = f.staff(legnica, UNIT_ADMIN)

    with pytest.raises(Forbidden):
        membership_grant(user=admin, unit=legnica, role=OPERATOR, by=admin)

    assert roles_of(admin) == {("026101_1", UNIT_ADMIN)}


def test_operator_appoints_unit_admins_below_but_not_tax_officers(legnica):
    operator = f.staff(f.unit("02", "Dolnośląskie"), OPERATOR)
    head = f.user("head")

    membership_grant(user=head, unit=legnica, role=UNIT_ADMIN, by=operator)
    with pytest.raises(Forbidden):
        membership_grant(user=head, unit=legnica, role=TAX_OFFICER, by=operator)

    assert roles_of(head) == {("026101_1", UNIT_ADMIN)}


def test_unit_admin_cannot_revoke_a_tax_officer(legnica):
    admin = f.staff(legnica, UNIT_ADMIN)
    tax = f.staff(legnica, TAX_OFFICER)

    with pytest.raises(Forbidden):
        membership_revoke(user=tax, unit=legnica, role=TAX_OFFICER, by=admin)

    assert roles_of(tax) == {("026101_1", TAX_OFFICER)}


def test_unit_admin_revokes_a_case_officer(legnica):
    admin = f.staff(legnica, UNIT_ADMIN)
    officer = f.staff(legnica, CASE_OFFICER)

    membership_revoke(user=officer, unit=legnica, role=CASE_OFFICER, by=admin)

    assert roles_of(officer) == set()


def test_unit_admin_cannot_grant_tax_officer_through_the_admin(client, legnica):
    admin = f.staff(legnica, UNIT_ADMIN)
    client.force_login(admin)

    response = client.post("/admin/core/membership/add/", {
        "user": admin.pk, "unit": legnica.pk, "role": TAX_OFFICER})

    assert response.status_code == 403
    assert roles_of(admin) == {("026101_1", UNIT_ADMIN)}


def test_unit_admin_cannot_edit_a_role_into_another_in_the_admin(client, legnica):
    admin = f.staff(legnica, UNIT_ADMIN)
    own = Membership.objects.get(user=admin)
    client.force_login(admin)

    response = client.post(f"/admin/core/membership/{own.pk}/change/", {
        "user": admin.pk, "unit": legnica.pk, "role": TAX_OFFICER})

    assert response.status_code == 403
    assert roles_of(admin) == {("026101_1", UNIT_ADMIN)}


def test_unit_admin_cannot_delete_a_tax_officer_role_in_the_admin(client, legnica):
    admin = f.staff(legnica, UNIT_ADMIN)
    tax = f.staff(legnica, TAX_OFFICER)
    membership = Membership.objects.get(user=tax)
    client.force_login(admin)

    page = client.post(f"/admin/core/membership/{membership.pk}/delete/", {"post": "yes"})
    bulk = client.post("/admin/core/membership/", {
        "action": "delete_selected", "_selected_action": [membership.pk], "post": "yes"})

    assert page.status_code == 403
    assert bulk.status_code in (200, 302, 403)
    assert roles_of(tax) == {("026101_1", TAX_OFFICER)}


def test_unit_admin_revokes_a_case_officer_in_the_admin(client, legnica):
    admin = f.staff(legnica, UNIT_ADMIN)
    officer = f.staff(legnica, CASE_OFFICER)
    membership = Membership.objects.get(user=officer)
    client.force_login(admin)

    response = client.post(f"/admin/core/membership/{membership.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert roles_of(officer) == set()


def test_superuser_grants_tax_officer_in_the_admin(client, legnica):
    root = f.user("root", is_superuser=True, is_staff=True)
    clerk = f.user("clerk")
    client.force_login(root)

    response = client.post("/admin/core/membership/add/", {
        "user": clerk.pk, "unit": legnica.pk, "role": TAX_OFFICER})

    assert response.status_code == 302
    assert roles_of(clerk) == {("026101_1", TAX_OFFICER)}
