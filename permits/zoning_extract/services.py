"""Writes of the zoning extract: the automatic draft, the official's corrections, the issue.

The draft is generated from the plan data the first time an officer opens the case (or on
request), stored with the case, and regenerated whenever the official corrects its text.
Issuing renders the final document under the official's name and records the decision
through the framework's transition table (outcome "issued") in the same transaction.
"""
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import staff_signature
from core.errors import Conflict, Forbidden, InvalidInput, NotFound

from .. import services as framework
from ..access import roles_towards
from ..kinds import Fee
from ..models import Application, ApplicationEvent, KindSetting
from ..workflow import OFFICER, State
from ..zoning_fees import extract_stamp_duty
from .content import extract_content
from .models import ZoningExtract
from .pdf import ExtractHeader, extract_pdf

KIND = "zoning_extract"
ISSUED = "issued"
MAX_TEXT = 200_000
# States in which the official works on the document.
EDITABLE_STATES = (State.SUBMITTED, State.REGISTERED, State.AWAITING_DOCUMENTS)


def _filed_on(app: Application):
    """The duty is the one in force when the application was filed (today for a draft)."""
    return timezone.localdate(app.submitted_at) if app.submitted_at else None


def extract_fee(app: Application) -> Fee | None:
    row = ZoningExtract.objects.filter(application=app).first()
    if row is None:
        return None
    duty = extract_stamp_duty(text_pages=row.text_pages if row.wants_text else 0,
                              map_pages=row.map_pages if row.wants_map else 0,
                              copies=row.copies, on=_filed_on(app), unit=app.unit)
    return Fee(duty.amount, duty.lines)


def extract_header(app: Application, row: ZoningExtract, *, issued_by=None) -> ExtractHeader:
    setting = KindSetting.objects.filter(unit=app.unit, kind=KIND).first()
    office = (setting and setting.office_name) or app.unit.office_name or app.unit.name
    address = (setting and setting.office_address) or app.unit.office_address
    fee = extract_fee(app)
    duty = (_("Stamp duty: %(amount)s zł") % {"amount": _amount(fee.amount)}
            if fee and fee.amount else "")
    issued = issued_by is not None
    return ExtractHeader(
        office_name=office, office_address=address, place=app.unit.name,
        case_number=app.case_number,
        requested_on=timezone.localdate(app.submitted_at) if app.submitted_at else None,
        copies=row.copies, duty=duty, issued=issued,
        issued_on=timezone.localdate() if issued else None,
        issued_by=staff_signature(user=issued_by, unit=app.unit) if issued else "")


def _parcels(app: Application) -> list:
    return [link.parcel for link in app.parcel_links.select_related("parcel")]


def _render(app: Application, row: ZoningExtract, text: str, *,
            issued_by=None) -> tuple[bytes, tuple[int, int]]:
    """The document and its (wypis pages, wyrys A4 pages), counted as the duty is."""
    content = extract_content(parcels=_parcels(app))
    pdf, text_pages = extract_pdf(header=extract_header(app, row, issued_by=issued_by),
                                  text=text, sheets=content.sheets, with_text=row.wants_text,
                                  with_map=row.wants_map)
    map_pages = len(content.sheets) if row.wants_map else 0
    return pdf, (text_pages if row.wants_text else 0, map_pages)


def _charged_pages(row: ZoningExtract) -> tuple[int, int]:
    return (row.text_pages if row.wants_text else 0, row.map_pages if row.wants_map else 0)


def extract_pages_notice(app: Application, row: ZoningExtract,
                         issued: tuple[int, int]) -> dict:
    """When the issued document's pages are not those the duty was charged on (the
    official corrected the text, or the plan data changed): what to record on the issue
    event for the official to settle. The fee charged is not changed here."""
    charged = _charged_pages(row)
    if issued == charged:
        return {}
    due = extract_stamp_duty(text_pages=issued[0], map_pages=issued[1], copies=row.copies,
                             on=_filed_on(app), unit=app.unit)
    fee = app.fee if app.fee is not None else Decimal(0)
    notice = _("The issued document has %(text)d text page(s) and %(map)d map page(s); the "
               "stamp duty of %(charged)s zł was charged on %(text_charged)d and "
               "%(map_charged)d. On the issued pages it is %(due)s zł.") % {
        "text": issued[0], "map": issued[1], "text_charged": charged[0],
        "map_charged": charged[1], "charged": _amount(fee), "due": _amount(due.amount)}
    return {"pages_charged": list(charged), "pages_issued": list(issued),
            "duty_charged": f"{fee:.2f}", "duty_on_issued_pages": f"{due.amount:.2f}",
            "pages_notice": notice}


def _amount(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def _file_name(app: Application, suffix: str) -> str:
    return f"{(app.case_number or str(app.pk)).replace('/', '-')}-{suffix}.pdf"


@transaction.atomic
def extract_draft_generate(*, application_id: int, keep_text: bool = False) -> ZoningExtract:
    """(Re)generate the draft from the plan data; `keep_text` keeps the official's text."""
    Application.objects.select_for_update().filter(pk=application_id).first()
    row = ZoningExtract.objects.select_related("application__unit").filter(
        application_id=application_id).first()
    if row is None:
        raise NotFound(detail={"application": application_id, "kind": KIND})
    app = row.application
    if not (keep_text and row.text):
        row.text = extract_content(parcels=_parcels(app)).text
    old = row.draft_pdf.name if row.draft_pdf else ""
    pdf, _pages = _render(app, row, row.text)
    row.draft_pdf.save(_file_name(app, "projekt"), ContentFile(pdf), save=False)
    row.generated_at = timezone.now()
    row.save(update_fields=["text", "draft_pdf", "generated_at"])
    _delete_after_commit(row.draft_pdf.storage, old)
    return row


def extract_draft_ensure(*, application: Application) -> ZoningExtract | None:
    """The draft of a submitted extract, generated now if it never was."""
    row = ZoningExtract.objects.filter(application=application).first()
    if row is None or application.state == State.DRAFT:
        return row
    if not row.generated_at:
        row = extract_draft_generate(application_id=application.pk)
    return row


def _officer_row(application_id: int, by) -> ZoningExtract:
    app = Application.objects.select_for_update().filter(pk=application_id, kind=KIND).first()
    if app is None:
        raise NotFound(detail={"application": application_id})
    if OFFICER not in roles_towards(by, app):
        raise Forbidden(_("Only a case officer of the unit may prepare the extract."),
                        detail={"application": application_id})
    if app.state not in EDITABLE_STATES:
        raise Conflict(_("The extract can no longer be changed in this state."),
                       detail={"state": app.state})
    return ZoningExtract.objects.select_related("application__unit").get(application=app)


@transaction.atomic
def extract_text_update(*, application_id: int, by, text: str) -> ZoningExtract:
    """The official's corrected text; the draft PDF is rendered again with it."""
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise InvalidInput(_("The extract text cannot be empty."), detail={"field": "text"})
    if len(text) > MAX_TEXT:
        raise InvalidInput(_("The extract text is too long."), detail={"field": "text"})
    row = _officer_row(application_id, by)
    row.text = text + "\n"
    row.save(update_fields=["text"])
    return extract_draft_generate(application_id=application_id, keep_text=True)


@transaction.atomic
def extract_issue(*, application_id: int, by, version: int | None = None,
                  reason: str = "") -> Application:
    """Issue the extract: the final document under the official's name, then the decision
    'issued' through the transition table; all or nothing. Its pages are counted again: if
    they are not those the duty was charged on, the issue event says so (its reason and
    data["pages_notice"]) for the official to settle the fee."""
    row = _officer_row(application_id, by)
    app = row.application
    if not row.text and row.wants_text:
        raise InvalidInput(_("Generate and check the draft first."), detail={"field": "text"})
    pdf, pages = _render(app, row, row.text, issued_by=by)
    notice = extract_pages_notice(app, row, pages)
    row.issued_pdf.save(_file_name(app, "wypis-wyrys"), ContentFile(pdf), save=False)
    row.issued_at, row.issued_by = timezone.now(), by
    row.save(update_fields=["issued_pdf", "issued_at", "issued_by"])
    storage, name = row.issued_pdf.storage, row.issued_pdf.name
    reason = " ".join(filter(None, [reason.strip() or _("Extract issued."),
                                    notice.get("pages_notice")]))
    try:
        app = framework.application_transition(
            application_id=app.pk, action="decide", by=by, version=version, outcome=ISSUED,
            reason=reason)
    except Exception:
        storage.delete(name)  # the transaction rolls back: leave no stray document behind
        raise
    if notice:
        # The event was just written in this transaction; its mail goes out after commit.
        event = app.events.filter(action="decide").latest("pk")
        ApplicationEvent.objects.filter(pk=event.pk).update(data={**event.data, **notice})
    return app


def extract_outcome_check(app: Application, outcome: str, conditions: list) -> None:
    """The kind's decision hook: 'issued' only with the issued document in place (it is
    made by `extract_issue`), and no conditions on either outcome."""
    if conditions:
        raise InvalidInput(_("This kind of decision carries no conditions."),
                           detail={"field": "conditions"})
    if outcome == ISSUED and not ZoningExtract.objects.filter(
            application=app).exclude(issued_pdf="").exists():
        raise InvalidInput(_("Issue the extract with “Issue the extract” in its section: the "
                             "final document is made then."), detail={"field": "outcome"})


def _delete_after_commit(storage, name: str) -> None:
    if name:
        transaction.on_commit(lambda: storage.delete(name))
