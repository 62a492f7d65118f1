"""Writes of the application framework: drafts, submission, transitions, attachments.

Every state change goes through `application_transition` (or `application_submit`, which
is the `submit` row of the table plus numbering): the row is locked, the expected version
checked, the transition looked up in permits.workflow.TRANSITIONS, an ApplicationEvent
written and the applicant e-mailed after the commit.
"""
import hashlib
import json
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cadastre_sync.models import Parcel
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.files import instance_delete_with_files

from . import deadlines, kinds, notifications
from .access import officer_exclusion, officer_exclusion_found, officer_units, roles_towards
from .models import Application, ApplicationEvent, ApplicationParcel, CaseCounter, KindSetting
from .workflow import APPLICANT, OFFICER, SYSTEM, State, Transition, transition


def _kind(code: str) -> kinds.Kind:
    kind = kinds.get(code)
    if kind is None:
        raise NotFound(_("There is no application kind %(kind)s.") % {"kind": code},
                       detail={"kind": code})
    return kind


def kind_setting_for(unit, kind_code: str) -> KindSetting:
    setting = KindSetting.objects.filter(unit=unit, kind=kind_code, enabled=True).first()
    if setting is None:
        raise InvalidInput(_("%(unit)s does not accept this kind of application online.")
                           % {"unit": unit.name}, detail={"kind": kind_code, "unit": unit.teryt})
    return setting


def _locked(application_id: int) -> Application:
    app = Application.objects.select_for_update().filter(pk=application_id).first()
    if app is None:
        raise NotFound(detail={"application": application_id})
    return app


def _check_version(app: Application, version: int | None) -> None:
    if version is not None and app.version != version:
        raise Conflict(detail={"application": app.pk, "version": app.version,
                               "expected": version})


@transaction.atomic
def draft_create(*, by, kind_code: str, parcels: Sequence[Parcel]) -> Application:
    """A new draft of `kind_code` against `parcels` (all of one unit that offers the kind)."""
    kind = _kind(kind_code)
    if not by or not by.is_authenticated:
        raise Forbidden(_("Log in to file an application."))
    if not parcels:
        raise InvalidInput(_("Choose at least one parcel."), detail={"field": "parcels"})
    if len(parcels) > kind.max_parcels:
        raise InvalidInput(_("At most %(n)s parcels in one application.") % {
            "n": kind.max_parcels}, detail={"field": "parcels"})
    units = {p.unit_id for p in parcels}
    if len(units) != 1:
        raise InvalidInput(_("All parcels of one application must lie in one unit."),
                           detail={"field": "parcels"})
    retired = [p.parcel_id for p in parcels if p.retired_at is not None]
    if retired:
        raise InvalidInput(_("Parcel %(id)s no longer exists in the cadastre.") % {
            "id": retired[0]}, detail={"field": "parcels", "parcel": retired[0]})
    unit = parcels[0].unit
    kind_setting_for(unit, kind_code)
    app = Application.objects.create(unit=unit, kind=kind_code, applicant=by)
    ApplicationParcel.objects.bulk_create([
        ApplicationParcel(application=app, parcel=p, parcel_ident=p.parcel_id, position=i)
        for i, p in enumerate(parcels)])
    return app


@transaction.atomic
def draft_save(*, application_id: int, by, form, version: int | None = None) -> Application:
    """Store a valid form's content in a draft; the kind writes its own rows."""
    app = _locked(application_id)
    if app.applicant_id != by.pk:
        raise Forbidden(_("Only the applicant may change this application."))
    if app.state != State.DRAFT:
        raise Conflict(_("The application was submitted; it can no longer be changed."),
                       detail={"state": app.state})
    _check_version(app, version)
    app.payload = form.payload()
    form.save_details(app)
    kind = _kind(app.kind)
    app.procedure = kind.procedure(app) if kind.procedure else ""
    app.version = F("version") + 1
    app.save(update_fields=["payload", "procedure", "version", "updated_at"])
    app.refresh_from_db()
    return app


@transaction.atomic
def draft_delete(*, application_id: int, by) -> None:
    app = _locked(application_id)
    if app.applicant_id != by.pk or app.state != State.DRAFT:
        raise Forbidden(_("Only the applicant's own draft can be deleted."))
    instance_delete_with_files(app)


_TAKE_NUMBER = f"""
INSERT INTO {CaseCounter._meta.db_table} AS c (unit_id, series, year, last)
VALUES (%s, %s, %s, 1)
ON CONFLICT (unit_id, series, year) DO UPDATE SET last = c.last + 1 RETURNING last
"""  # noqa: S608 - the table name is our model's


def _next_case_number(app: Application, setting: KindSetting, year: int) -> str:
    """"OŚ.6131.7.2026": the unit's office mark and the kind's JRWA symbol (the kind's
    setting, else the kind's own symbol), the next number in that file and the year."""
    kind = _kind(app.kind)
    series = setting.case_prefix.strip() or kind.jrwa_symbol
    # One statement takes the next number: concurrent submissions never share one.
    with connection.cursor() as cursor:
        cursor.execute(_TAKE_NUMBER, [app.unit_id, series, year])
        number = cursor.fetchone()[0]
    return f"{series}.{number}.{year}" if series else f"{number}/{year}"


def content_digest(app: Application) -> str:
    """SHA-256 of what was filed, as canonical JSON (sorted keys, no spaces)."""
    content = {
        "unit": app.unit.teryt, "kind": app.kind, "procedure": app.procedure,
        "case_number": app.case_number,
        "submitted_at": app.submitted_at.isoformat() if app.submitted_at else None,
        "parcels": [link.parcel_ident for link in app.parcel_links.all()],
        "payload": app.payload,
        "attachments": [{"name": a.original_name, "sha256": a.sha256, "size": a.size}
                        for a in app.attachments.all()],
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def application_submit(*, application_id: int, by, version: int | None = None) -> Application:
    """File a draft: case number of the unit and year, content digest, PDF, first deadline."""
    from .pdf import submission_pdf

    app = _locked(application_id)
    roles = roles_towards(by, app)
    row = transition("submit")
    _allowed(app, row, roles)
    _check_version(app, version)
    if not app.payload:
        raise InvalidInput(_("The application is empty; fill in the form and save it first."))
    kind = _kind(app.kind)
    setting = kind_setting_for(app.unit, app.kind)
    refusal = kind.submit_check(app) if kind.submit_check else None
    if refusal:
        raise InvalidInput(refusal, detail={"application": app.pk})
    fee = kind.fee(app) if kind.fee else None
    app.fee = fee.amount if fee else None
    # The unit's counter row stays locked until the commit (numbers without gaps), so it is
    # taken after everything that does not need the number.
    now = timezone.now()
    app.submitted_at = now
    app.case_number = _next_case_number(app, setting, timezone.localdate(now).year)
    app.digest = content_digest(app)
    app.pdf.save(f"{app.case_number.replace('/', '-')}.pdf",
                 ContentFile(submission_pdf(app, setting)), save=False)
    _enter(app, row, by=by, role=APPLICANT, reason="", data={"digest": app.digest})
    return app


# How late a paper application may be registered after it reached the office: the register
# of incoming mail is kept day by day, and a term counted from a receipt weeks old would be
# nearly spent before the case is even on the queue.
PAPER_REGISTRATION_DAYS = 14


def _paper_received_on(received_on: date | None) -> date:
    today = timezone.localdate()
    if received_on is None:
        raise InvalidInput(_("Give the day the application reached the office."),
                           detail={"field": "received_on"})
    if received_on > today:
        raise InvalidInput(_("The day of receipt cannot be in the future."),
                           detail={"field": "received_on"})
    if received_on < today - timedelta(days=PAPER_REGISTRATION_DAYS):
        raise InvalidInput(_("A paper application is registered within %(days)s days of its "
                             "receipt; this one was received on %(date)s.")
                           % {"days": PAPER_REGISTRATION_DAYS, "date": received_on},
                           detail={"field": "received_on"})
    return received_on


@transaction.atomic
def application_register_paper(*, by, kind_code: str, parcels: Sequence[Parcel], form,
                               received_on: date | None) -> Application:
    """Register an application received on paper at the office: an officer of the parcels'
    unit enters its content through the kind's own form; it is filed as received on
    `received_on` (its case number of that year, its terms counted from that day, KPA
    art. 61 § 3) and takes the same course as one filed online. Documents missing from the
    paper are asked for in the workflow (KPA art. 64 § 2), not refused here."""
    from .pdf import submission_pdf

    kind = _kind(kind_code)
    if not parcels:
        raise InvalidInput(_("Choose at least one parcel."), detail={"field": "parcels"})
    if len({p.unit_id for p in parcels}) != 1:
        raise InvalidInput(_("All parcels of one application must lie in one unit."),
                           detail={"field": "parcels"})
    unit = parcels[0].unit
    if not by or not by.is_authenticated or not officer_units(by).filter(pk=unit.pk).exists():
        raise Forbidden(_("Only an officer of %(unit)s registers its paper applications.")
                        % {"unit": unit.name}, detail={"unit": unit.teryt})
    retired = [p.parcel_id for p in parcels if p.retired_at is not None]
    if retired:
        raise InvalidInput(_("Parcel %(id)s no longer exists in the cadastre.") % {
            "id": retired[0]}, detail={"field": "parcels", "parcel": retired[0]})
    if len(parcels) > kind.max_parcels:
        raise InvalidInput(_("At most %(n)s parcels in one application.") % {
            "n": kind.max_parcels}, detail={"field": "parcels"})
    received_on = _paper_received_on(received_on)
    # Paper is accepted for every kind the unit handles, offered online or not.
    setting = (KindSetting.objects.filter(unit=unit, kind=kind_code).first()
               or KindSetting(unit=unit, kind=kind_code))
    app = Application.objects.create(unit=unit, kind=kind_code, applicant=None,
                                     channel=Application.PAPER, received_on=received_on)
    ApplicationParcel.objects.bulk_create([
        ApplicationParcel(application=app, parcel=p, parcel_ident=p.parcel_id, position=i)
        for i, p in enumerate(parcels)])
    app.payload = form.payload()
    form.save_details(app)
    app.procedure = kind.procedure(app) if kind.procedure else ""
    fee = kind.fee(app) if kind.fee else None
    app.fee = fee.amount if fee else None
    now = timezone.now()
    app.submitted_at = (now if received_on == timezone.localdate(now) else datetime.combine(
        received_on, time.min, timezone.get_current_timezone()))
    app.case_number = _next_case_number(app, setting, received_on.year)
    app.digest = content_digest(app)
    app.pdf.save(f"{app.case_number.replace('/', '-')}.pdf",
                 ContentFile(submission_pdf(app, setting)), save=False)
    _enter(app, transition("submit"), by=by, role=OFFICER, reason="",
           data={"digest": app.digest, "channel": Application.PAPER,
                 "received_on": received_on.isoformat()})
    return app


def _allowed(app: Application, row: Transition | None, roles: set[str]) -> None:
    if row is None:
        raise InvalidInput(_("Unknown action."))
    if not roles & row.roles:
        raise Forbidden(_("You may not do this with this application."),
                        detail={"action": row.action, "application": app.pk})
    if app.state not in row.sources:
        raise Conflict(_("This cannot be done while the application is %(state)s.") % {
            "state": State(app.state).label}, detail={"action": row.action, "state": app.state})


def _enter(app: Application, row: Transition, *, by, role: str, reason: str, data: dict,
           on_date: date | None = None) -> ApplicationEvent:
    """Move the locked `app` along `row`, set its deadline, record the event, mail after commit.
    """
    source = app.state
    today = timezone.localdate()
    app.state = row.target
    app.state_since = timezone.now()
    app.deadline, app.deadline_note = _deadline(app, today, on_date, source)
    if app.deadline:
        data = {**data, "deadline": app.deadline.isoformat(), "deadline_note": app.deadline_note}
    app.version = F("version") + 1
    app.save()
    app.refresh_from_db(fields=["version"])
    event = ApplicationEvent.objects.create(
        application=app, action=row.action, from_state=source, to_state=row.target,
        actor=by if by and by.is_authenticated else None, actor_role=role, reason=reason,
        data=data)
    transaction.on_commit(lambda: notifications.state_changed(event_id=event.pk))
    return event


def _deadline(app: Application, today: date, on_date: date | None, source: str
              ) -> tuple[date | None, str]:
    rule = deadlines.rule_for(unit=app.unit, kind_code=app.kind, procedure=app.procedure,
                              state=app.state, payload=app.payload)
    if rule is None:
        return None, ""
    submitted = timezone.localdate(app.submitted_at) if app.submitted_at else None
    paused = (_days_awaiting_documents(app, source, today)
              if rule.counted_from == "submitted" and app.submitted_at else 0)
    computed = deadlines.compute(rule, entered=today, submitted=submitted, officer_date=on_date,
                                 paused_days=paused)
    extended = _extended_term(app) if rule.counted_from == "submitted" else None
    if extended is not None and extended > computed:
        # The decision term an art. 36 notice moved stays moved through later steps.
        return extended, _("term extended (KPA art. 36)")
    if app.state == State.AWAITING_DOCUMENTS and on_date:
        # The officer may give more time than the minimum, never less (KPA art. 64 §2).
        if on_date < computed:
            raise InvalidInput(_("Give the applicant at least %(days)s days (until %(date)s).")
                               % {"days": rule.days, "date": computed},
                               detail={"field": "date"})
        computed = deadlines.next_working_day(on_date)
    return computed, rule.note


def _extended_term(app: Application) -> date | None:
    """The term of the case's latest art. 36 notice, if any."""
    data = (app.events.filter(action="extend_deadline").order_by("-at", "-pk")
            .values_list("data", flat=True).first())
    return date.fromisoformat(data["deadline"]) if data and data.get("deadline") else None


def _days_awaiting_documents(app: Application, source: str, today: date) -> int:
    """Days the case waited for documents, this transition (from `source`) included."""
    steps = [(timezone.localdate(at), src, dst) for at, src, dst in app.events.order_by(
        "at", "pk").values_list("at", "from_state", "to_state")]
    steps.append((today, source, app.state))
    return deadlines.days_awaiting(steps, today=today, awaiting=State.AWAITING_DOCUMENTS)


@transaction.atomic
def application_transition(*, application_id: int, action: str, by, version: int | None = None,
                           reason: str = "", outcome: str = "", on_date: date | None = None,
                           conditions: list | None = None, as_system: bool = False
                           ) -> Application:
    """Apply one row of the transition table to an application, or refuse without a change."""
    app = _locked(application_id)
    roles = {SYSTEM} if as_system else roles_towards(by, app)
    excluded = None if as_system else officer_exclusion_found(by, app)
    if excluded:
        raise Forbidden(excluded.message, detail={
            "application": app.pk, "basis": "KPA art. 24 § 1", "parcel": excluded.parcel,
            "matched_by": "pesel" if excluded.by_identity else "name"})
    row = transition(action)
    if row is not None and row.action == "submit":
        raise InvalidInput(_("Use submission to file a draft."))
    _allowed(app, row, roles)
    _check_version(app, version)
    reason = (reason or "").strip()
    if row.reason_required and not reason:
        raise InvalidInput(_("Give the reason."), detail={"field": "reason"})
    if row.needs_deadline and on_date is None:
        raise InvalidInput(_("Give the date."), detail={"field": "date"})
    if row.needs_deadline and on_date < timezone.localdate():
        raise InvalidInput(_("The date cannot be in the past."), detail={"field": "date"})
    data: dict = {}
    kind = _kind(app.kind)
    if row.silent:
        outcome = kind.silent_outcomes.get((app.procedure, app.state), "")
        if not outcome:
            raise Conflict(_("Silence has no legal effect in this procedure."))
        if app.deadline is None or app.deadline >= timezone.localdate():
            raise Conflict(_("The deadline has not passed yet."),
                           detail={"deadline": str(app.deadline)})
    if row.needs_outcome or row.silent:
        _record_outcome(app, kind, outcome, conditions or [], data, by_silence=row.silent)
    if row.action == "schedule_inspection":
        app.inspection_on = on_date
        data["inspection_on"] = on_date.isoformat()
    if on_date is not None:
        data["date"] = on_date.isoformat()
    _enter(app, row, by=by, role=next(iter(roles & row.roles)), reason=reason, data=data,
           on_date=on_date)
    return app


def _record_outcome(app: Application, kind: kinds.Kind, outcome: str, conditions: list,
                    data: dict, *, by_silence: bool = False) -> None:
    # An outcome by silence is the deadline job's alone: an officer cannot choose it.
    choices = kind.outcomes_for if by_silence else kind.outcomes_to_choose
    allowed = {o.code for o in choices(app.procedure)}
    if outcome not in allowed:
        raise InvalidInput(_("Choose one of the decisions this procedure allows."),
                           detail={"field": "outcome", "allowed": sorted(allowed)})
    if kind.conditions:
        kind.conditions(app, outcome, conditions)
    elif conditions:
        raise InvalidInput(_("This kind of decision carries no conditions."),
                           detail={"field": "conditions"})
    app.outcome = outcome
    app.decided_at = timezone.now()
    chosen = next(o for o in kind.outcomes_for(app.procedure) if o.code == outcome)
    fee = kind.fee(app) if kind.fee and chosen.charges_fee else None
    if not chosen.charges_fee:
        app.fee = None  # what was computed at submission is not charged
    app.fee_deferred_until = fee.deferred_until if fee else None
    if fee is not None:
        app.fee = fee.amount
        data["fee"] = str(fee.amount)
        data["fee_deferred"] = fee.deferred
        if fee.deferred_until:
            data["fee_deferred_until"] = fee.deferred_until.isoformat()
    data["outcome"] = outcome
    # What the decision was held to, as it stood when it was taken: the statistics compare
    # the handling time with it without replaying the case's history.
    data["submitted_on"] = timezone.localdate(app.submitted_at).isoformat()
    data["paused_days"] = _days_awaiting_documents(app, app.state, timezone.localdate())
    if app.deadline:
        data["deadline_in_force"] = app.deadline.isoformat()


def applications_silence_due(*, today: date | None = None) -> int:
    """Apply the outcome 'by silence' to every case whose term passed without a decision.

    Safe to run twice and concurrently: each case is re-checked under its row lock."""
    today = today or timezone.localdate()
    done = 0
    for kind in kinds.all_kinds():
        for (procedure, state), _outcome in kind.silent_outcomes.items():
            ids = Application.objects.filter(kind=kind.code, procedure=procedure, state=state,
                                             deadline__lt=today).values_list("pk", flat=True)
            for pk in ids:
                try:
                    application_transition(application_id=pk, action="silent_consent", by=None,
                                           as_system=True)
                    done += 1
                except (Conflict, InvalidInput):
                    continue
    return done


@transaction.atomic
def kind_setting_update(*, unit, kind_code: str, by, **fields) -> KindSetting:
    from core.access import ensure_unit_access

    _kind(kind_code)
    ensure_unit_access(by, unit, "permits.kindsetting", "change")
    setting, _created = KindSetting.objects.get_or_create(unit=unit, kind=kind_code)
    for name, value in fields.items():
        setattr(setting, name, value)
    setting.full_clean()
    setting.save()
    return setting


@transaction.atomic
def service_template_apply(*, template, units) -> dict[str, int]:
    """Switch on the template's kinds in each of `units` of the template's level, in one
    transaction. A unit's own settings (office details, its file symbol) are kept; a kind
    already on is left as it is, so applying the template again changes nothing."""
    items = list(template.kinds.all())
    for item in items:
        _kind(item.kind)
    targets = [u for u in units if u.level == template.level]
    existing = {(s.unit_id, s.kind): s for s in KindSetting.objects.select_for_update().filter(
        unit__in=targets, kind__in=[i.kind for i in items])}
    counts = {"units": len(targets), "enabled": 0, "unchanged": 0}
    for unit in targets:
        for item in items:
            setting = existing.get((unit.pk, item.kind))
            if setting is None:
                KindSetting.objects.create(unit=unit, kind=item.kind, enabled=True,
                                           case_prefix=item.case_prefix)
                counts["enabled"] += 1
            elif not setting.enabled or (item.case_prefix and not setting.case_prefix):
                setting.enabled = True
                setting.case_prefix = setting.case_prefix or item.case_prefix
                setting.save(update_fields=["enabled", "case_prefix"])
                counts["enabled"] += 1
            else:
                counts["unchanged"] += 1
    return counts


@transaction.atomic
def application_deadline_extend(*, application_id: int, by, new_deadline: date, reason: str,
                                version: int | None = None) -> Application:
    """Extend the case's term by a notice under KPA art. 36 § 1: the officer names the
    reason and the new term; the notice is an event of the case (and mailed to the
    applicant after the commit). Nothing else moves a term: an inspection does not."""
    app = _locked(application_id)
    if OFFICER not in roles_towards(by, app):
        raise Forbidden(officer_exclusion(by, app) or _("You may not do this with this "
                                                        "application."),
                        detail={"application": app.pk})
    _check_version(app, version)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give the reason for the delay (KPA art. 36 § 1)."),
                           detail={"field": "reason"})
    if app.deadline is None:
        raise Conflict(_("This case has no running term to extend."),
                       detail={"application": app.pk, "state": app.state})
    if new_deadline <= app.deadline:
        raise InvalidInput(_("The new term must be later than %(date)s.") % {
            "date": app.deadline.isoformat()}, detail={"field": "new_deadline"})
    old = app.deadline
    app.deadline = deadlines.next_working_day(new_deadline)
    app.deadline_note = _("term extended (KPA art. 36)")
    app.version = F("version") + 1
    app.save()
    app.refresh_from_db(fields=["version"])
    event = ApplicationEvent.objects.create(
        application=app, action="extend_deadline", from_state=app.state, to_state=app.state,
        actor=by, actor_role=OFFICER, reason=reason,
        data={"deadline": app.deadline.isoformat(), "previous_deadline": old.isoformat(),
              "basis": "KPA art. 36 § 1", "deadline_note": str(app.deadline_note)})
    transaction.on_commit(lambda: notifications.state_changed(event_id=event.pk))
    return app
