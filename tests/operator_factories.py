"""Factories for the regional operator's tests: units under a powiat and generated event
histories of applications (written directly, with chosen times, as years of use would)."""
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from core.roles import OPERATOR
from permits.models import Application, ApplicationEvent
from tests import factories

KINDS = ("trees", "zoning_extract", "wz")


def county():
    """Powiat 0261 with two gminy, and a gmina of another powiat (0262)."""
    powiat = factories.unit("0261", "Powiat legnicki")
    first = factories.unit("026101_1", "Legnica")
    second = factories.unit("026102_2", "Chojnów")
    other = factories.unit("026201_1", "Bolesławiec")
    return powiat, first, second, other


def operator_of(unit, username: str | None = None):
    return factories.staff(unit, OPERATOR, username)


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), timezone.get_default_timezone())


@dataclass
class History:
    """What the generator did, kept so a test can count it independently of the SQL."""

    submits: list[tuple] = field(default_factory=list)  # (unit, kind, day, online)
    decisions: list[tuple] = field(default_factory=list)  # (unit, kind, day, days, deadline,
    #                                                         action, outcome, paused days)
    open_cases: list[tuple] = field(default_factory=list)  # (unit, kind, deadline)


def _event(app, action, src, dst, when, role="officer", data=None):
    event = ApplicationEvent.objects.create(application=app, action=action, from_state=src,
                                            to_state=dst, actor_role=role, data=data or {})
    ApplicationEvent.objects.filter(pk=event.pk).update(at=when)


def history(units, *, n: int, start: date, days: int, seed: int = 7,
            today: date | None = None) -> History:
    """`n` applications over `days` days from `start`, spread over `units` and KINDS: each
    submitted (online or entered by an officer), registered with a deadline, then decided,
    decided by silence, or left open (some past their deadline)."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    resident = factories.user()
    done = History()
    today = today or timezone.localdate()
    for i in range(n):
        unit, kind = rng.choice(units), rng.choice(KINDS)
        filed = start + timedelta(days=rng.randrange(days))
        online = rng.random() < 0.8
        term = rng.choice((14, 30, 60))
        deadline = filed + timedelta(days=term)
        paper = {} if online else {"channel": "paper", "received_on": filed}
        app = Application.objects.create(unit=unit, kind=kind,
                                         applicant=resident if online else None,
                                         state="registered", digest=f"{i:064x}",
                                         case_number=f"X.{i}", deadline=deadline, **paper)
        # Received on paper: entered by the office the next day, counted on the day of receipt.
        entered = filed if online else filed + timedelta(days=1)
        _event(app, "submit", "draft", "submitted", at(entered, 9),
               role="applicant" if online else "officer",
               data=None if online else {"channel": "paper", "received_on": filed.isoformat()})
        _event(app, "register", "submitted", "registered", at(entered, 11),
               data={"deadline": deadline.isoformat()})
        done.submits.append((unit.pk, kind, filed, online))
        fate = rng.random()
        if fate < 0.7:
            took = rng.randrange(1, 90)
            decided = filed + timedelta(days=took)
            # Some cases wait for the applicant's documents: days not counted (KPA art. 35
            # § 5), from the request to the day they come in.
            paused = rng.randrange(1, took - 2) if took > 4 and rng.random() < 0.3 else 0
            if paused:
                asked = filed + timedelta(days=1)
                _event(app, "request_documents", "registered", "awaiting_documents",
                       at(asked, 12))
                deadline += timedelta(days=paused)  # the term runs on after the wait
                _event(app, "supplement", "awaiting_documents", "registered",
                       at(asked + timedelta(days=paused), 12), role="applicant",
                       data={"deadline": deadline.isoformat()})
            silent = kind == "trees" and rng.random() < 0.2
            action = "silent_consent" if silent else "decide"
            outcome = ("silent_consent" if silent else
                       rng.choice(("issued", "not_issued")) if kind == "zoning_extract"
                       else "granted")
            data = {"outcome": outcome}
            if i % 2:  # as the workflow writes a decision now; even ones as it did before
                data |= {"submitted_on": filed.isoformat(),
                         "deadline_in_force": deadline.isoformat(), "paused_days": paused}
            _event(app, action, "registered", "decided", at(decided, 14),
                   role="system" if silent else "officer", data=data)
            Application.objects.filter(pk=app.pk).update(state="decided", deadline=None,
                                                          outcome=outcome)
            done.decisions.append((unit.pk, kind, decided, took, deadline, action, outcome,
                                   paused))
        else:
            done.open_cases.append((unit.pk, kind, deadline))
    return done
