"""The zoning plan extract (wypis i wyrys) as an application kind (see permits/kinds.py)."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..kinds import DeadlineDefault, Kind, Outcome
from ..workflow import OFFICER, State
from .models import ZoningExtract
from .services import ISSUED, extract_draft_ensure, extract_fee, extract_outcome_check


def extract_summary(app) -> list[tuple[str, str]]:
    p = app.payload
    scope = dict(_scope_labels()).get(p.get("scope", ""), p.get("scope", ""))
    return [
        (str(_("Applicant")), p.get("applicant_name", "")),
        (str(_("Address for correspondence")), p.get("applicant_address", "")),
        (str(_("What is asked for")), str(scope)),
        (str(_("Number of copies")), str(p.get("copies", ""))),
        (str(_("Delivery")), str(dict(_delivery_labels()).get(p.get("delivery", ""), ""))),
        (str(_("Pages (text / map)")), f"{p.get('text_pages', 0)} / {p.get('map_pages', 0)}"),
        (str(_("Stamp duty [zł]")), p.get("stamp_duty", "")),
    ]


def _scope_labels():
    from .forms import SCOPE_CHOICES
    return SCOPE_CHOICES


def _delivery_labels():
    from .forms import DELIVERY_CHOICES
    return DELIVERY_CHOICES


def extract_panel(app, user, roles: set) -> dict:
    """The case page's extract section: the officer's draft to check, correct and issue;
    the issued document for the applicant."""
    row = (extract_draft_ensure(application=app) if OFFICER in roles
           else ZoningExtract.objects.filter(application=app).first())
    issued = bool(row and row.issued_pdf and app.outcome == ISSUED)
    return {
        "extract": row,
        "is_officer": OFFICER in roles,
        "editable": OFFICER in roles and app.state in (State.SUBMITTED, State.REGISTERED,
                                                       State.AWAITING_DOCUMENTS),
        "issued": issued,
        "download_url": reverse("permits:zoning_extract_issued", args=[app.pk]) if issued
        else "",
        "draft_url": reverse("permits:zoning_extract_draft", args=[app.pk])
        if row and row.draft_pdf and OFFICER in roles else "",
    }


def extract_saved_verdict(app):
    from .forms import extract_verdict

    row = ZoningExtract.objects.filter(application=app).first()
    if row is None:
        return None
    parcels = [link.parcel for link in app.parcel_links.select_related("parcel__unit")]
    return extract_verdict(parcels=parcels, wants_text=row.wants_text, wants_map=row.wants_map,
                           copies=row.copies)


KINDS = (
    Kind(
        code="zoning_extract",
        title=_("Zoning plan extract (wypis i wyrys)"),
        description=_("The text of the plan's provisions for your parcels and a map excerpt "
                      "at the plan's scale. Anyone may ask; no reason is needed. The stamp "
                      "duty is shown before you submit."),
        form="permits.zoning_extract.forms.ZoningExtractForm",
        outcomes=(
            Outcome(ISSUED, _("extract issued")),
            Outcome("not_issued", _("extract not issued (reasons given)"), positive=False),
        ),
        deadlines=(
            # No statutory deadline (domain.md): offices promise 7 to 30 days. The office's
            # promise, corrected per unit in Deadline rules.
            DeadlineDefault(State.REGISTERED, 14, "obietnica urzędu (brak terminu ustawowego)",
                            "", _("extract due"), "submitted"),
            DeadlineDefault(State.AWAITING_DOCUMENTS, 7, "KPA art. 64 §2", "",
                            _("documents due"), "state"),
        ),
        fee=extract_fee,
        summary=extract_summary,
        conditions=extract_outcome_check,
        panel=extract_panel,
        verdict_template="permits/zoning_extract/verdict.html",
        saved_verdict=extract_saved_verdict,
        owner_consent=False,
        # JRWA of gminy: rozporządzenie Prezesa Rady Ministrów z 18 stycznia 2011 r. (Dz.U. 2011
        # nr 14 poz. 67), załącznik nr 2 (the unit's own list may differ: the
        # symbol is the unit's setting).
        jrwa_symbol="6727",
        urls="permits.zoning_extract.urls",
        # An extract carries no conditions to fulfil: it is a document to download.
        expected_of_applicant={
            State.DECIDED: _("Nothing more: download the extract below (if it was not "
                             "issued, the reasons are in the history)."),
        },
    ),
)
