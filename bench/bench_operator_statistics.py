"""The regional operator's statistics page over many units and a long event history.

Data: BENCH_OPERATOR_UNITS (100) gminy of voivodeship 30 (powiaty 3001..., ten gminy each)
and BENCH_OPERATOR_EVENTS (1,000,000) application events over the last two years, written
set-based in SQL: applications of three kinds, each submitted (80 % online), registered
with a deadline, and most decided (some by silence) or still open. Generated once per
database (kept for the next run; a different size is generated again).

- the statistics page (/operator/statistics/, one year, per unit: three grouped SQL
  statements, the table and the chart's data), requested ctx.repeat × 5 times by the
  voivodeship's operator through Django's test client; p95 in ms;
- the baseline, interleaved: the bare aggregate, a count of the period's events per unit
  in one statement, so the ratio is what the page's percentiles, deadlines and rendering
  cost on top of reading the events once.

Run through the harness: `.venv/bin/python bench/run.py operator_statistics`; small scale
for a quick check: BENCH_OPERATOR_EVENTS=20000 BENCH_REPEAT=2.
"""
import os

from harness import Context, Result, timed

VOIVODESHIP = "30"
MARK = "bench-operator"  # case numbers of the generated applications start with it

BARE_AGGREGATE = """
SELECT a.unit_id, count(*) FROM permits_applicationevent e
JOIN permits_application a ON a.id = e.application_id
WHERE a.unit_id = ANY(%(units)s) AND e.at >= %(start)s AND e.at < %(end)s
GROUP BY a.unit_id
"""

GENERATE = """
WITH apps AS (
  INSERT INTO permits_application (unit_id, kind, procedure, applicant_id, state, outcome,
      case_number, submitted_at, decided_at, state_since, deadline, deadline_note, version,
      payload, digest, pdf, created_at, updated_at, channel, received_on)
  SELECT u.ids[1 + (g %% array_length(u.ids, 1))],
         (ARRAY['trees', 'zoning_extract', 'wz'])[1 + (g %% 3)], '', %(applicant)s,
         CASE WHEN g %% 10 < 7 THEN 'decided' ELSE 'registered' END, '',
         %(mark)s || '.' || g, t.filed, NULL, t.filed,
         CASE WHEN g %% 10 < 7 THEN NULL ELSE (t.filed + interval '30 days')::date END, '', 1,
         '{}'::jsonb, md5(g::text), '', t.filed, t.filed,
         CASE WHEN g %% 5 = 0 THEN 'paper' ELSE 'online' END,
         CASE WHEN g %% 5 = 0 THEN t.filed::date END
  FROM generate_series(1, %(apps)s) g
  CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids FROM core_administrativeunit
              WHERE teryt LIKE %(prefix)s AND level = 'gmina') u
  CROSS JOIN LATERAL (SELECT now() - interval '730 days' * ((g::bigint * 7919) %% 1000) / 1000.0
                      AS filed) t
  RETURNING id, kind, created_at AS filed, state, substring(case_number from '[0-9]+$')::int AS g)
INSERT INTO permits_applicationevent (application_id, action, from_state, to_state, actor_role,
    reason, data, at)
SELECT id, 'submit', 'draft', 'submitted',
       CASE WHEN g %% 5 = 0 THEN 'officer' ELSE 'applicant' END, '',
       CASE WHEN g %% 5 = 0 THEN jsonb_build_object('channel', 'paper', 'received_on',
                                                    filed::date) ELSE '{}'::jsonb END, filed
FROM apps
UNION ALL
SELECT id, 'register', 'submitted', 'registered', 'officer', '',
       jsonb_build_object('deadline', (filed + interval '30 days')::date), filed
         + interval '1 hour'
FROM apps
UNION ALL
SELECT id, CASE WHEN kind = 'trees' AND g %% 7 = 0 THEN 'silent_consent' ELSE 'decide' END,
       'registered', 'decided', 'officer', '',
       jsonb_build_object('outcome', CASE WHEN kind = 'zoning_extract' THEN 'issued'
                                          ELSE 'granted' END,
                          'submitted_on', filed::date, 'paused_days', 0,
                          'deadline_in_force', (filed + interval '30 days')::date),
       filed + interval '1 day' * (1 + (g * 31) %% 60)
FROM apps WHERE state = 'decided'
UNION ALL
SELECT id, 'close', 'decided', 'closed', 'officer', '', '{}'::jsonb,
       filed + interval '1 day' * (61 + g %% 10)
FROM apps WHERE state = 'decided'
"""


def run(ctx: Context) -> list[Result]:
    from django.test import Client

    units = int(os.environ.get("BENCH_OPERATOR_UNITS", "100"))
    events = int(os.environ.get("BENCH_OPERATOR_EVENTS", "1000000"))
    operator, unit_ids = _data(units, events)
    client = Client()
    client.force_login(operator)
    query = _period()
    page, bare = [], []
    _page(client, query)  # warm: templates, plans, caches
    for _ in range(ctx.repeat * 5):
        page.append(1000 * timed(lambda: _page(client, query)))
        bare.append(1000 * timed(lambda: _bare(unit_ids, query)))
    return [Result("operator statistics page, 1 year", "ms", page, bare,
                   extra={"units": units, "events": events,
                          "baseline": "bare count of the period's events per unit"},
                   goal="p95 < 2000 ms")]


def _period() -> dict:
    from django.utils import timezone

    today = timezone.localdate()
    return {"from": today.replace(year=today.year - 1).isoformat(), "to": today.isoformat()}


def _page(client, query: dict) -> None:
    response = client.get("/operator/statystyki/", query)
    assert response.status_code == 200, response.status_code


def _bare(unit_ids: list[int], query: dict) -> None:
    from datetime import date, timedelta

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(BARE_AGGREGATE, {
            "units": unit_ids, "start": date.fromisoformat(query["from"]),
            "end": date.fromisoformat(query["to"]) + timedelta(days=1)})
        cursor.fetchall()


def _data(units: int, events: int):
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from core.models import AdministrativeUnit
    from core.roles import OPERATOR
    from core.services import membership_grant
    from permits.models import Application, ApplicationEvent

    voivodeship, _ = AdministrativeUnit.objects.get_or_create(
        teryt=VOIVODESHIP, defaults={"name": "województwo wielkopolskie"})
    codes = [f"{VOIVODESHIP}{p:02d}{g:02d}_2" for p in range(1, 100) for g in range(1, 11)]
    for code in codes[:units]:
        AdministrativeUnit.objects.get_or_create(teryt=code, defaults={"name": f"Gmina {code}"})
    operator, _ = get_user_model().objects.get_or_create(username=f"{MARK}-operator")
    membership_grant(user=operator, unit=voivodeship, role=OPERATOR)
    unit_ids = list(AdministrativeUnit.objects.filter(teryt__in=codes[:units])
                    .values_list("pk", flat=True))
    mine = ApplicationEvent.objects.filter(application__case_number__startswith=MARK)
    stale = mine.filter(action="decide").exclude(data__has_key="submitted_on").exists()
    if stale or mine.count() != _expected(events):
        with transaction.atomic():
            Application.objects.filter(case_number__startswith=MARK).delete()
            with connection.cursor() as cursor:
                cursor.execute(GENERATE, {"applicant": operator.pk, "mark": MARK,
                                          "apps": _apps(events), "prefix": VOIVODESHIP + "%"})
            cursor_analyze()
    return operator, unit_ids


def _apps(events: int) -> int:
    # 70 % of applications have 4 events, 30 % have 2: 3.4 events on average.
    return max(10, round(events / 3.4))


def _expected(events: int) -> int:
    apps = _apps(events)
    return 2 * apps + 2 * sum(1 for g in range(1, apps + 1) if g % 10 < 7)


def cursor_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE permits_application")
        cursor.execute("ANALYZE permits_applicationevent")
