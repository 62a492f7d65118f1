"""The workflow of every application kind as ONE table of allowed transitions.

A row says: from these states, this action, taken by one of these roles, leads to this state;
whether a reason must be given, and what else the action carries. permits.services applies
a row under a row lock and records an ApplicationEvent; nothing else changes `state`.

Roles here are roles *towards one application*: the resident who filed it (APPLICANT), a
case officer of the application's unit (OFFICER), and the deadline job (SYSTEM).
"""
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    REGISTERED = "registered", _("registered")
    AWAITING_DOCUMENTS = "awaiting_documents", _("awaiting documents")
    INSPECTION_SCHEDULED = "inspection_scheduled", _("inspection scheduled")
    DECIDED = "decided", _("decided")
    WITHDRAWN = "withdrawn", _("withdrawn")
    CLOSED = "closed", _("closed")


STATE_CHOICES = State.choices
OPEN_STATES = frozenset({State.SUBMITTED, State.REGISTERED, State.AWAITING_DOCUMENTS,
                         State.INSPECTION_SCHEDULED})

APPLICANT = "applicant"
OFFICER = "officer"
SYSTEM = "system"
ROLE_LABELS = {APPLICANT: _("applicant"), OFFICER: _("case officer"), SYSTEM: _("the system")}


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    label: str
    reason_required: bool = False
    needs_outcome: bool = False  # the kind's decision outcome must be given
    needs_deadline: bool = False  # the officer sets a date (documents due, inspection day)
    silent: bool = False  # the kind's outcome "by silence" (deadline passed, no decision)


def _t(action, sources, target, roles, label, **kw) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(roles), label, **kw)


S = State
# Sources: Kodeks postępowania administracyjnego (KPA) art. 61, 64 §2 (supplementing an
# application, at least 7 days), art. 105 (discontinuing), and the nature protection act
# art. 83–83f for tree removal (inspection, objection, removal allowed by silence).
TRANSITIONS: tuple[Transition, ...] = (
    _t("submit", [S.DRAFT], S.SUBMITTED, [APPLICANT], _("Submit")),
    _t("register", [S.SUBMITTED], S.REGISTERED, [OFFICER], _("Register")),
    _t("request_documents", [S.REGISTERED, S.INSPECTION_SCHEDULED], S.AWAITING_DOCUMENTS,
       [OFFICER], _("Ask for documents"), reason_required=True, needs_deadline=True),
    _t("supplement", [S.AWAITING_DOCUMENTS], S.REGISTERED, [APPLICANT],
       _("Documents supplied")),
    _t("schedule_inspection", [S.REGISTERED], S.INSPECTION_SCHEDULED, [OFFICER],
       _("Schedule an inspection"), needs_deadline=True),
    _t("decide", [S.REGISTERED, S.INSPECTION_SCHEDULED], S.DECIDED, [OFFICER],
       _("Decide"), reason_required=True, needs_outcome=True),
    _t("silent_consent", [S.REGISTERED, S.INSPECTION_SCHEDULED], S.DECIDED, [SYSTEM],
       _("Deadline passed without objection"), silent=True),
    # A draft is never withdrawn: it was never filed, its author deletes it.
    _t("withdraw", [S.SUBMITTED, S.REGISTERED, S.AWAITING_DOCUMENTS, S.INSPECTION_SCHEDULED],
       S.WITHDRAWN, [APPLICANT], _("Withdraw")),
    _t("leave_unexamined", [S.AWAITING_DOCUMENTS], S.CLOSED, [OFFICER],
       _("Leave unexamined (documents not supplied)"), reason_required=True),
    _t("close", [S.DECIDED, S.WITHDRAWN], S.CLOSED, [OFFICER], _("Close the case")),
)
BY_ACTION = {t.action: t for t in TRANSITIONS}

# What the resident is expected to do in each state (shown on "my cases").
EXPECTED_OF_APPLICANT = {
    S.DRAFT: _("Complete the application and submit it."),
    S.SUBMITTED: _("Nothing: the office will register your application."),
    S.REGISTERED: _("Nothing: the office is examining your application."),
    S.AWAITING_DOCUMENTS: _("Supply the documents the office asked for before the deadline, "
                            "or the application will be left unexamined."),
    S.INSPECTION_SCHEDULED: _("Make the trees available for the inspection on the given day."),
    S.DECIDED: _("Read the decision and follow its conditions."),
    S.WITHDRAWN: _("Nothing: you withdrew the application."),
    S.CLOSED: _("Nothing: the case is closed."),
}


def transition(action: str) -> Transition | None:
    return BY_ACTION.get(action)


def allowed_actions(state: str, roles: set[str]) -> list[Transition]:
    """Transitions open from `state` to someone holding any of `roles`, in table order."""
    return [t for t in TRANSITIONS if state in t.sources and t.roles & roles]
