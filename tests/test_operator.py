"""The regional operator: units under a TERYT prefix, their set-up checklists, comparative
statistics counted over the event history, exports, and the denied paths of every page."""
import csv
import io
import statistics as pystats
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from cadastre_sync.models import CadastreImport, ReconciliationRun, TaxFinding
from core.exports import neutralised
from core.roles import CASE_OFFICER, TAX_OFFICER, UNIT_ADMIN
from geo_portal.operator.checklist import (
    AMBER,
    GREEN,
    MISSING,
    OK,
    RED,
    WARN,
    unit_checklists,
)
from geo_portal.operator.statistics import Period, unit_statistics
from layers.models import PlanArea
from tests import factories
from tests import operator_factories as of
from tests.permits_factories import enable

pytestmark = pytest.mark.django_db

ACCOUNT = "56102055580000123456789012"  # a valid NRB (checksum), no real account
PAGES = ["operator:home", "operator:statistics"]
APIS = ["operator:api-units", "operator:api-statistics"]
EXPORTS = [("operator:export", "csv"), ("operator:export", "xlsx")]


def _urls():
    return ([reverse(name) for name in PAGES + APIS]
            + [reverse(name, args=[fmt]) for name, fmt in EXPORTS])


def _items(checklist) -> dict[str, str]:
    return {i.key: i.state for i in checklist.items}


# --- Checklist ---------------------------------------------------------------------------

def _set_up_fully(unit, today):
    unit.boundary = factories.box(317000, 385000, 320000, 388000)
    unit.bank_account = ACCOUNT
    unit.save()
    p = factories.parcel("1", p=factories.precinct(unit, "0001"))
    job = CadastreImport.objects.create(unit=unit, source_name="egib.gml",
                                        status=CadastreImport.SUCCEEDED)
    CadastreImport.objects.filter(pk=job.pk).update(
        finished_at=of.at(today - timedelta(days=10)))
    plan = factories.zoning_plan("general", u=unit, valid_from=date(2026, 1, 1))
    PlanArea.objects.create(plan=plan, kind=PlanArea.INFILL, local_id="OUZ-1",
                            geom=factories.box(317500, 385500, 318500, 386500))
    enable(unit, "trees", prefix="OŚ.6131")
    factories.staff(unit, UNIT_ADMIN)
    factories.staff(unit, CASE_OFFICER)
    return p


def test_checklist_of_a_unit_with_nothing_is_red_with_each_essential_missing():
    # given a gmina just created
    _powiat, gmina, _second, _other = of.county()

    # when its checklist is read
    [checklist] = unit_checklists(units=[gmina])

    # then every item read from data is missing, the untracked ones say so
    assert checklist.light == RED
    assert _items(checklist) == {
        "boundary": MISSING, "cadastre": MISSING, "plans": MISSING, "ouz": WARN,
        "services": MISSING, "staff": MISSING, "fees": OK, "bank_account": WARN}


def test_checklist_of_a_unit_set_up_in_part_is_amber_and_names_what_to_complete():
    # given a gmina with a boundary, an old cadastre, only a local plan, a service without
    # a file symbol and a case officer but no administrator
    today = timezone.localdate()
    _powiat, gmina, _second, _other = of.county()
    gmina.boundary = factories.box(317000, 385000, 320000, 388000)
    gmina.bank_account = ACCOUNT
    gmina.save()
    factories.parcel("1", p=factories.precinct(gmina, "0001"))
    job = CadastreImport.objects.create(unit=gmina, source_name="old.gml",
                                        status=CadastreImport.SUCCEEDED)
    CadastreImport.objects.filter(pk=job.pk).update(finished_at=of.at(today - timedelta(400)))
    factories.zoning_plan("local", u=gmina)
    enable(gmina, "trees", prefix="")
    factories.staff(gmina, CASE_OFFICER)

    # when
    [checklist] = unit_checklists(units=[gmina], today=today)

    # then
    assert checklist.light == AMBER
    assert _items(checklist) == {
        "boundary": OK, "cadastre": WARN, "plans": WARN, "ouz": WARN, "services": OK,
        "staff": WARN, "fees": WARN, "bank_account": OK}
    fees = next(i for i in checklist.items if i.key == "fees")
    assert "(JRWA)" in fees.detail and "trees" not in fees.detail
    staff = next(i for i in checklist.items if i.key == "staff")
    assert staff.fix_url == f"/admin/core/membership/?unit__id__exact={gmina.pk}"


def test_checklist_of_a_unit_set_up_fully_is_green():
    today = timezone.localdate()
    _powiat, gmina, _second, _other = of.county()
    _set_up_fully(gmina, today)

    [checklist] = unit_checklists(units=[gmina], today=today)

    assert checklist.light == GREEN
    assert _items(checklist) == {
        "boundary": OK, "cadastre": OK, "plans": OK, "ouz": OK, "services": OK, "staff": OK,
        "fees": OK, "bank_account": OK}


def test_checklist_of_a_general_plan_without_infill_areas_warns_that_no_wz_can_be_issued():
    _powiat, gmina, _second, _other = of.county()
    factories.zoning_plan("general", u=gmina, valid_from=date(2026, 1, 1))

    [checklist] = unit_checklists(units=[gmina])

    ouz = next(i for i in checklist.items if i.key == "ouz")
    assert ouz.state == WARN and "WZ" in ouz.detail


def test_checklist_of_a_unit_offering_services_without_a_bank_account_is_red():
    _powiat, gmina, _second, _other = of.county()
    _set_up_fully(gmina, timezone.localdate())
    gmina.bank_account = ""
    gmina.save()

    [checklist] = unit_checklists(units=[gmina])

    assert checklist.light == RED
    assert [i.key for i in checklist.items if i.state == MISSING] == ["bank_account"]


def test_checklist_of_a_tax_unit_without_its_council_rates_asks_for_them():
    _powiat, gmina, _second, _other = of.county()
    factories.staff(gmina, TAX_OFFICER)

    [checklist] = unit_checklists(units=[gmina])

    fees = next(i for i in checklist.items if i.key == "fees")
    assert fees.state == WARN
    assert str(timezone.localdate().year) in fees.detail


def test_checklist_queries_do_not_grow_with_the_number_of_units(django_assert_max_num_queries):
    powiat, *gminy = of.county()
    for unit in gminy:
        _set_up_fully(unit, timezone.localdate())
    with django_assert_max_num_queries(9):
        unit_checklists(units=[powiat, *gminy])


# --- Who sees what -----------------------------------------------------------------------

def test_operator_sees_only_the_units_under_their_prefix(client):
    # given an operator of powiat 0261 and a gmina of powiat 0262
    powiat, first, second, other = of.county()
    client.force_login(of.operator_of(powiat))

    # when the home page and the API are read
    page = client.get(reverse("operator:home"))
    api = client.get(reverse("operator:api-units")).json()

    # then only the powiat and its gminy are listed
    listed = [u["teryt"] for u in api["units"]]
    assert listed == ["0261", "026101_1", "026102_2"]
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-unit="026101_1"' in html and 'data-unit="026201_1"' not in html


def test_statistics_of_an_operator_leave_out_units_of_another_prefix(client):
    powiat, first, second, other = of.county()
    start = timezone.localdate() - timedelta(days=200)
    of.history([first, other], n=30, start=start, days=60)
    client.force_login(of.operator_of(powiat))

    body = client.get(reverse("operator:api-statistics"),
                      {"from": start.isoformat()}).json()

    assert {r["teryt"] for r in body["rows"]} == {"0261", "026101_1", "026102_2"}


@pytest.mark.parametrize("url", _urls())
def test_anonymous_is_sent_to_log_in_or_answered_401(client, url):
    response = client.get(url)
    if "/api/" in url:
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
    else:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("url", _urls())
def test_resident_is_refused(client, url):
    of.county()
    client.force_login(factories.user())

    response = client.get(url)

    assert response.status_code == 403


@pytest.mark.parametrize("url", _urls())
def test_another_units_staff_is_refused(client, url):
    # given a gmina's administrator: staff, but no operator
    _powiat, gmina, _second, _other = of.county()
    client.force_login(factories.staff(gmina, UNIT_ADMIN))

    response = client.get(url)

    assert response.status_code == 403
    assert b"026102_2" not in response.content


def test_bad_period_is_answered_400_naming_the_field(client):
    powiat, *_ = of.county()
    client.force_login(of.operator_of(powiat))

    wrong = client.get(reverse("operator:api-statistics"), {"from": "2026-13-01"})
    reversed_ = client.get(reverse("operator:statistics"), {"from": "2026-05-01",
                                                           "to": "2026-04-01"})
    unknown = client.get(reverse("operator:api-statistics"), {"sort": "password"})

    assert wrong.status_code == 400 and wrong.json()["detail"] == {"field": "from"}
    assert reversed_.status_code == 400
    assert unknown.status_code == 400 and unknown.json()["detail"] == {"field": "sort"}


# --- Statistics against an independent count ---------------------------------------------

def _expected(done: of.History, unit_id: int | None, period: Period, today: date) -> dict:
    def mine(row):
        return unit_id is None or row[0] == unit_id

    submits = [s for s in done.submits if mine(s) and period.start <= s[2] <= period.end]
    decisions = [d for d in done.decisions if mine(d) and period.start <= d[2] <= period.end]
    took = [d[3] - d[7] for d in decisions]  # days awaiting documents not counted
    margins = [(d[4] - d[2]).days for d in decisions]
    return {
        "received": len(submits), "online": sum(1 for s in submits if s[3]),
        "decided": len(decisions),
        "silent_consent": sum(1 for d in decisions if d[5] == "silent_consent"),
        "extracts_issued": sum(1 for d in decisions if d[1] == "zoning_extract"
                               and d[6] == "issued"),
        "on_time": sum(1 for d in decisions if d[2] <= d[4]),
        "median_days": round(pystats.median(took), 1) if took else None,
        "p90_days": round(float(_pct(took, 0.9)), 1) if took else None,
        "margin_days": round(pystats.median(margins), 1) if margins else None,
        "overdue_now": sum(1 for o in done.open_cases if mine(o) and o[2] < today),
    }


def _pct(values, q):
    """Linear interpolation between closest ranks, as PostgreSQL's percentile_cont."""
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def test_statistics_match_an_independent_count_of_the_generated_history():
    # given 400 applications over a year in two gminy, decided, silent or still open
    powiat, first, second, _other = of.county()
    today = timezone.localdate()
    start = today - timedelta(days=500)
    done = of.history([first, second], n=400, start=start, days=365, today=today)
    period = Period(start + timedelta(days=60), start + timedelta(days=300))

    # when the statistics are counted per unit
    rows, total = unit_statistics(units=[powiat, first, second], period=period, today=today)

    # then each unit's row and the total equal the count made here from what was generated
    by_teryt = {r.teryt: r for r in rows}
    for unit in (first, second):
        expected = _expected(done, unit.pk, period, today)
        assert {k: getattr(by_teryt[unit.teryt], k) for k in expected} == expected
    assert {k: getattr(total, k) for k in expected} == _expected(done, None, period, today)
    assert total.received > 100 and total.decided > 50 and total.silent_consent > 0
    assert by_teryt["0261"].received == 0


def test_statistics_per_service_add_up_to_the_total():
    powiat, first, second, _other = of.county()
    today = timezone.localdate()
    start = today - timedelta(days=300)
    of.history([first, second], n=120, start=start, days=200, today=today)
    period = Period(start, today)

    rows, total = unit_statistics(units=[first, second], period=period, by="service")

    assert sorted(r.kind for r in rows) == sorted(of.KINDS)
    assert sum(r.received for r in rows) == total.received
    assert sum(r.decided for r in rows) == total.decided
    assert sum(r.overdue_now for r in rows) == total.overdue_now


def test_tax_statistics_count_runs_open_findings_and_value_recovered():
    # given two runs in the period, one before it, and findings open and resolved
    _powiat, gmina, _second, _other = of.county()
    today = timezone.localdate()
    runs = [ReconciliationRun.objects.create(unit=gmina, year=2026, status="succeeded")
            for _ in range(3)]
    ReconciliationRun.objects.filter(pk=runs[0].pk).update(
        created_at=of.at(today - timedelta(days=400)))
    for n, (status, estimate, closed) in enumerate([
            ("open", "100.50", None), ("open", "20.00", None),
            ("resolved", "300.00", today - timedelta(days=5)),
            ("resolved", "999.00", today - timedelta(days=400)),
            ("dismissed", "50.00", today - timedelta(days=3))]):
        TaxFinding.objects.create(unit=gmina, category="c", key=str(n), severity="low",
                                  status=status, estimate=Decimal(estimate),
                                  first_run=runs[1], last_run=runs[1],
                                  closed_at=of.at(closed) if closed else None)

    rows, total = unit_statistics(units=[gmina],
                                  period=Period(today - timedelta(days=30), today))

    [row] = rows
    assert (row.reconciliation_runs, row.open_findings, row.open_findings_value,
            row.findings_resolved, row.value_recovered) == (
        2, 2, Decimal("120.50"), 1, Decimal("300.00"))
    assert total.value_recovered == Decimal("300.00")


def test_page_api_and_exports_give_the_same_numbers(client):
    powiat, first, second, _other = of.county()
    start = timezone.localdate() - timedelta(days=100)
    of.history([first, second], n=60, start=start, days=30)
    client.force_login(of.operator_of(powiat))
    query = {"from": start.isoformat(), "sort": "-received"}

    api = client.get(reverse("operator:api-statistics"), query).json()
    page = client.get(reverse("operator:statistics"), query)
    exported = client.get(reverse("operator:export", args=["csv"]), query)

    received = [r["received"] for r in api["rows"]]
    assert received == sorted(received, reverse=True)
    assert page.status_code == 200
    assert f'data-col="received">{api["total"]["received"]}<' in page.content.decode()
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert [int(line[4]) for line in lines[1:-1]] == received
    assert int(lines[-1][4]) == api["total"]["received"]


def test_exports_neutralise_formula_cells(client):
    powiat, first, *_ = of.county()
    first.name = "=HYPERLINK(\"http://x\",\"y\")"
    first.save()
    client.force_login(of.operator_of(powiat))

    exported = client.get(reverse("operator:export", args=["csv"]))
    xlsx = client.get(reverse("operator:export", args=["xlsx"]))

    assert "'=HYPERLINK" in exported.content.decode("utf-8-sig")
    from openpyxl import load_workbook
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    names = [row[1].value for row in sheet.iter_rows(min_row=2)]
    assert "'=HYPERLINK(\"http://x\",\"y\")" in names
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert neutralised("-1") == "'-1" and neutralised(-1) == -1


# --- The unit's public page --------------------------------------------------------------

def test_unit_page_shows_office_services_and_a_map_centred_on_the_unit(client):
    _powiat, gmina, _second, _other = of.county()
    gmina.office_name = "Urząd Miasta Legnicy"
    gmina.boundary = MultiPolygon(Polygon.from_bbox((317000, 385000, 319000, 387000)),
                                  srid=2180)
    gmina.save()
    enable(gmina, "trees")

    response = client.get(f"/{gmina.teryt}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Urząd Miasta Legnicy" in html
    assert 'data-kind="trees"' in html
    assert "/mapa/?x=318000&amp;y=386000&amp;scale=25000" in html


def test_unit_page_of_an_unknown_unit_is_404(client):
    assert client.get("/026199_1/").status_code == 404


def test_unit_crest_is_served_by_its_own_view_and_shown_on_the_page(client, settings,
                                                                     tmp_path):
    # given a gmina with an uploaded crest (media is never served by URL)
    settings.MEDIA_ROOT = tmp_path
    _powiat, gmina, _second, _other = of.county()
    png = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
           b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01"
           b"\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
    gmina.crest.save("herb.png", ContentFile(png))

    page = client.get(f"/{gmina.teryt}/").content.decode()
    crest = client.get(f"/{gmina.teryt}/herb")

    assert f'src="/{gmina.teryt}/herb"' in page
    assert crest.status_code == 200 and crest["Content-Type"] == "image/png"
    assert b"".join(crest.streaming_content) == png
    assert client.get("/026102_2/herb").status_code == 404


def test_operator_switches_a_template_on_in_every_gmina_under_them_in_one_action(client):
    from permits.models import KindSetting, ServiceTemplate, ServiceTemplateKind

    powiat, first, second, other = of.county()
    template = ServiceTemplate.objects.create(name="gmina, standard set", level="gmina")
    ServiceTemplateKind.objects.create(template=template, kind="trees", case_prefix="OŚ.6131")
    client.force_login(of.operator_of(powiat))

    response = client.post(reverse("operator:template-apply"), {"template": template.pk})

    assert response.status_code == 302
    assert set(KindSetting.objects.values_list("unit__teryt", "kind", "enabled")) == {
        ("026101_1", "trees", True), ("026102_2", "trees", True)}


@pytest.mark.parametrize("who", ["anonymous", "resident", "gmina_admin"])
def test_template_apply_is_refused_to_non_operators_and_changes_nothing(client, who):
    from permits.models import KindSetting, ServiceTemplate

    _powiat, gmina, _second, _other = of.county()
    template = ServiceTemplate.objects.create(name="set", level="gmina")
    if who == "resident":
        client.force_login(factories.user())
    elif who == "gmina_admin":
        client.force_login(factories.staff(gmina, UNIT_ADMIN))

    response = client.post(reverse("operator:template-apply"), {"template": template.pk})

    assert response.status_code == (302 if who == "anonymous" else 403)
    assert KindSetting.objects.count() == 0


def test_a_decision_through_the_workflow_is_counted_against_the_deadline_it_was_held_to():
    # given a tree permit filed, registered and refused through the services
    from permits import services
    from tests import permits_factories as pf

    unit, parcel, resident, officer = pf.world()
    app = pf.submitted(resident, [parcel])
    services.application_transition(application_id=app.pk, action="register", by=officer)
    app.refresh_from_db()
    held_to = app.deadline
    services.application_transition(application_id=app.pk, action="decide", by=officer,
                                    reason="Drzewo zdrowe", outcome="refused")

    # when the statistics of today are counted
    today = timezone.localdate()
    rows, total = unit_statistics(units=[unit], period=Period(today, today))

    # then the decision event carries what it was held to, and the row counts it on time
    event = app.events.get(action="decide")
    assert event.data["submitted_on"] == today.isoformat()
    assert event.data["deadline_in_force"] == held_to.isoformat()
    assert (total.received, total.decided, total.median_days, total.on_time_share) == (
        1, 1, 0.0, 1.0)
    assert total.deadline_days == (held_to - today).days


def test_days_awaiting_documents_are_not_counted_in_the_handling_time():
    # given a tree permit filed 12 days ago that waited 6 days for the applicant's documents
    from datetime import datetime, time

    from permits import services
    from permits.models import Application
    from tests import permits_factories as pf

    unit, parcel, resident, officer = pf.world()
    app = pf.submitted(resident, [parcel])
    today = timezone.localdate()
    services.application_transition(application_id=app.pk, action="register", by=officer)
    services.application_transition(application_id=app.pk, action="request_documents",
                                    by=officer, reason="Brak zgody właściciela",
                                    on_date=today + timedelta(days=14))
    services.application_transition(application_id=app.pk, action="supplement", by=resident)
    zone = timezone.get_default_timezone()
    for action, days_ago in (("submit", 12), ("register", 12), ("request_documents", 10),
                             ("supplement", 4)):
        app.events.filter(action=action).update(
            at=datetime.combine(today - timedelta(days=days_ago), time(10), zone))
    Application.objects.filter(pk=app.pk).update(
        submitted_at=datetime.combine(today - timedelta(days=12), time(10), zone))

    # when it is decided today and the statistics are counted
    services.application_transition(application_id=app.pk, action="decide", by=officer,
                                    reason="Drzewo zdrowe", outcome="refused")
    event = app.events.get(action="decide")
    _rows, recorded = unit_statistics(units=[unit], period=Period(today - timedelta(days=12),
                                                                  today))
    event.data.pop("paused_days")
    app.events.filter(pk=event.pk).update(data=event.data)  # as written before it was kept
    _rows, looked_up = unit_statistics(units=[unit],
                                       period=Period(today - timedelta(days=12), today))

    # then 12 days passed, 6 of them waiting: 6 counted, from the record or the history
    assert (recorded.decided, recorded.median_days, recorded.p90_days) == (1, 6.0, 6.0)
    assert (looked_up.median_days, looked_up.p90_days) == (6.0, 6.0)
    assert recorded.margin_days == (date.fromisoformat(event.data["deadline_in_force"])
                                    - today).days
