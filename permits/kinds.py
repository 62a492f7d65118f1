"""The registry of application kinds: what each kind of application is and needs.

The framework (models/base.py, workflow.py, services.py, selectors.py, views and API) is the
same for every kind; a kind declares only what differs. How a new kind plugs in:

1. Models: kind-specific rows go in the kind package's own `models.py` (next to the module
   registered in step 8), each with a ForeignKey to `Application` (related_name of your
   choice); permits/models/__init__.py loads every registered kind's `models.py`, in the
   order of KIND_MODULES, under the app label "permits". Then `manage.py makemigrations
   permits` (check with `--dry-run` that only your models are listed).
2. Form: a Django form class taking `(data=None, files=None, *, application, parcels)`;
   `parcels` is the list of cadastre_sync Parcel rows chosen on the map (?parcels=...).
   It must provide `payload() -> dict` (JSON-serialisable: what was filed, hashed into the
   confirmation's digest and printed on the PDF) and `save_details(application)` (writes
   the kind's own rows; called inside the transaction that saves the draft; delete and
   rewrite is fine). It may provide `verdict()` for a live answer on the page.
3. Fee: `fee(application) -> Fee | None`, computed from data tables (never constants in
   code), with `lines` explaining how it was computed; None when the kind has no fee.
   A decision whose Outcome has `charges_fee=False` records no fee; a deferred fee gives
   `deferred_until`, stored on the application.
4. Outcomes: the decisions an officer may take (`Outcome(code, label, procedure)`), and in
   `silent_outcomes` the outcome applied by the deadline job when a deadline passes in a
   state (only where the law says silence means consent); `conditions` records what a
   decision orders (e.g. replacement planting). `procedure(application)` may name the
   procedure the content calls for (notification or permit); "" when a kind has one.
5. Deadlines: `DeadlineDefault(state, days, source, procedure)` rows, the statutory default
   with its source; administrators correct them per unit in DeadlineRule rows.
6. Templates: `templates/permits/<code>/form.html` (the form page body) and
   `templates/permits/<code>/details.html` (what was filed, on the case page for the
   resident and the officer; its context has `summary`, the rows of `summary(application)`,
   from which the PDF is built too). Optional hooks: `panel` (a kind's own section on the
   case page), `verdict_template`/`saved_verdict` (the form's answer), `owner_consent`.
7. Map, API and front end: `map_features(application, srid)` gives the kind's own features
   for the case map ({name: GeoJSON FeatureCollection}, drawn as numbered points and
   outlined polygons); `live_check(parcels)` the settings of the form's live answer (the
   API address it posts the form's content to, and the labels of its answers); `urls` the
   dotted path of the kind's own URL module (pages and API, `urlpatterns`, included under
   the permits namespace); `content_help` what the API's `content` holds for the kind.
   The form template drives the case map through markup only (frontend/src/permits-map.js:
   `data-map-points`, `data-map-polygons`, `data-map-draw`, `data-map-draw-into`, and
   permits.drawn.DrawnPolygonField for every drawn polygon).
8. Register: add the module's dotted path to KIND_MODULES below; the module defines
   `KINDS = (Kind(...), ...)`. KIND_MODULES is read while models load: keep this module's
   top-level imports free of models. Enable the kind for a unit in the administration
   (Application kinds offered) — residents see only enabled kinds (selectors.offered_kinds).
"""
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import import_module
from typing import Any

# Modules defining `KINDS`; one line per module.
KIND_MODULES: tuple[str, ...] = (
    "permits.trees.kind",
    "permits.zoning_extract.kind",
    "permits.wz.kind",
)


@dataclass(frozen=True)
class Outcome:
    code: str
    label: Any
    procedure: str = ""  # "" = the outcome exists for every procedure of the kind
    positive: bool = True
    # False: the decision charges nothing and clears the fee computed at submission (a
    # refused tree permit: the fee is for a removal that will not happen).
    charges_fee: bool = True


@dataclass(frozen=True)
class DeadlineDefault:
    state: str
    days: int
    source: str
    procedure: str = ""
    note: Any = ""  # what the deadline is for, shown to officer and resident
    # "state": counted from entering the state; "deadline_date": from the date the officer
    # set (e.g. the inspection day, after which the objection term runs).
    counted_from: str = "state"
    # A dated legal rule (permits/legal.py) giving the term in force on the day; `days`
    # then only documents the figure seeded. `months`: the term is in months (KPA art. 57
    # § 3) rather than days.
    rule_key: str = ""
    months: bool = False
    # A term that depends on the application: (payload) -> (rule key, what the term is
    # for, shown with the note), e.g. the WZ terms by project type.
    rule_key_of: Any = None


@dataclass(frozen=True)
class Fee:
    amount: Decimal
    lines: tuple[str, ...] = ()
    deferred: bool = False  # e.g. replacement planting defers a tree fee for three years
    deferred_until: date | None = None  # the end of the deferral, kept on the application


@dataclass(frozen=True)
class Kind:
    code: str
    title: Any
    description: Any
    form: str  # dotted path of the form class
    outcomes: tuple[Outcome, ...]
    deadlines: tuple[DeadlineDefault, ...] = ()
    fee: Callable[[Any], Fee | None] | None = None
    procedure: Callable[[Any], str] | None = None  # application -> procedure code
    # (procedure, state) -> outcome applied by the deadline job when the deadline passes
    silent_outcomes: dict[tuple[str, str], str] = field(default_factory=dict)
    summary: Callable[[Any], Sequence[tuple[str, str]]] | None = None  # label, value (PDF)
    # (application, outcome, conditions: list[dict]) -> None; validates (raising
    # core.errors.InvalidInput) and writes a decision's conditions, inside the decision's
    # transaction. None: the kind's decisions carry no conditions.
    conditions: Callable[[Any, str, list], None] | None = None
    max_parcels: int = 20
    # application -> None, or the reason it cannot be submitted yet (a readable message)
    submit_check: Callable[[Any], Any] | None = None
    # (application, user, roles) -> dict: the context of `panel_template`, a kind's own
    # section on the case page (e.g. the extract's draft for the officer). None: no section.
    panel: Callable[[Any, Any, set], dict] | None = None
    # The form page's answer: `verdict_template` renders `verdict` (form.check() or
    # form.verdict()) under a "Check" button; "" offers no check. `saved_verdict(application)`
    # gives the answer for a saved draft opened again.
    verdict_template: str = ""
    saved_verdict: Callable[[Any], Any] | None = None
    # Whether a parcel not owned by the applicant needs the owner's consent (review flag).
    owner_consent: bool = True
    # procedure code -> its label for people ("permit" -> "zezwolenie"); a kind with one
    # procedure ("") is shown by its title.
    procedure_labels: dict[str, Any] = field(default_factory=dict)
    # The kind's file symbol in the uniform file list (JRWA) of gminy, the case number's
    # file when a unit gives no office mark of its own (KindSetting.case_prefix).
    jrwa_symbol: str = ""
    # state -> what the applicant is to do, where the kind differs from the framework's
    # words (permits.workflow.EXPECTED_OF_APPLICANT), e.g. an issued extract has no conditions.
    expected_of_applicant: dict[str, Any] = field(default_factory=dict)
    # (application, srid) -> {name: GeoJSON FeatureCollection}: the kind's own features on
    # the case map (the parcels are drawn for every kind).
    map_features: Callable[[Any, int], dict] | None = None
    # parcels -> the settings of the form's live answer (frontend/src/permits-map.js
    # `assessment`: url, parcels, labels, mainPrefix, rowKey, placeholders). None: none.
    live_check: Callable[[list], dict] | None = None
    # Dotted path of the kind's URL module (`urlpatterns`, namespace permits).
    urls: str = ""
    # What the API's `content` holds for this kind (the OpenAPI description).
    content_help: str = ""
    # True: the fee (a stamp duty) is paid with the application; False: the fee is imposed
    # by the decision (a tree permit's), so payment is asked for only once it is decided.
    fee_due_at_filing: bool = True

    def form_class(self):
        module, _, name = self.form.rpartition(".")
        return getattr(import_module(module), name)

    def outcomes_for(self, procedure: str) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.procedure in ("", procedure))

    def outcomes_to_choose(self, procedure: str) -> tuple[Outcome, ...]:
        """The outcomes an officer may choose: not those only the deadline job applies
        (e.g. a removal allowed because no objection came in time)."""
        automatic = set(self.silent_outcomes.values())
        return tuple(o for o in self.outcomes_for(procedure) if o.code not in automatic)

    def expected(self, state: str):
        from .workflow import EXPECTED_OF_APPLICANT

        return self.expected_of_applicant.get(state) or EXPECTED_OF_APPLICANT[state]

    def procedure_label(self, procedure: str):
        return self.procedure_labels.get(procedure) or self.title

    @property
    def form_template(self) -> str:
        return f"permits/{self.code}/form.html"

    @property
    def details_template(self) -> str:
        return f"permits/{self.code}/details.html"

    @property
    def panel_template(self) -> str:
        return f"permits/{self.code}/panel.html"


@cache
def _registry() -> dict[str, Kind]:
    kinds: dict[str, Kind] = {}
    for path in KIND_MODULES:
        for kind in import_module(path).KINDS:
            if kind.code in kinds:
                raise ValueError(f"application kind {kind.code!r} registered twice ({path})")
            kinds[kind.code] = kind
    return kinds


def all_kinds() -> list[Kind]:
    return list(_registry().values())


def get(code: str) -> Kind | None:
    return _registry().get(code)


def choices() -> list[tuple[str, Any]]:
    return [(k.code, k.title) for k in all_kinds()]
