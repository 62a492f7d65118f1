"""The zoning extract form: anyone may ask, no reason needed (art. 30 ust. 1 of the planning
act). The stamp duty is counted on the very document the choices produce, before submitting."""
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from ..zoning_fees import Duty, extract_stamp_duty
from .content import extract_content
from .models import ZoningExtract
from .pdf import extract_page_counts

SCOPE_CHOICES = [("both", _("extract text and map excerpt (wypis i wyrys)")),
                 ("text", _("extract text only (wypis)")),
                 ("map", _("map excerpt only (wyrys)"))]
DELIVERY_CHOICES = [("download", _("download from this portal once issued")),
                    ("pickup", _("collect at the office")),
                    ("post", _("by post to my address"))]
MAX_COPIES = 10


@dataclass(frozen=True)
class ExtractVerdict:
    duty: Duty
    text_pages: int
    map_pages: int
    no_plan: tuple[str, ...]  # parcel ids no plan covers
    no_local_plan: tuple[str, ...]  # parcel ids with no local plan (general plan only)


class ZoningExtractForm(forms.Form):
    applicant_name = forms.CharField(label=_("Your name (or the institution's)"),
                                     max_length=200)
    applicant_address = forms.CharField(label=_("Address for correspondence"), max_length=400,
                                        widget=forms.Textarea(attrs={"rows": 2}))
    scope = forms.ChoiceField(label=_("What do you need"), choices=SCOPE_CHOICES,
                              initial="both", widget=forms.RadioSelect)
    copies = forms.IntegerField(label=_("Number of copies"), min_value=1, max_value=MAX_COPIES,
                                initial=1)
    delivery = forms.ChoiceField(label=_("Delivery"), choices=DELIVERY_CHOICES,
                                 initial="download")

    def __init__(self, data=None, files=None, *, application=None, parcels=()):
        initial = dict(application.payload) if application is not None else {}
        super().__init__(data, initial=initial)
        self.application = application
        self.parcels = list(parcels)
        self._verdict: ExtractVerdict | None = None

    @property
    def wants_text(self) -> bool:
        return self.cleaned_data["scope"] in ("both", "text")

    @property
    def wants_map(self) -> bool:
        return self.cleaned_data["scope"] in ("both", "map")

    def clean(self):
        data = super().clean()
        if not self.errors and self.parcels:
            self._verdict = extract_verdict(parcels=self.parcels, wants_text=self.wants_text,
                                            wants_map=self.wants_map, copies=data["copies"])
        return data

    def verdict(self) -> ExtractVerdict | None:
        return self._verdict

    def payload(self) -> dict:
        c, v = self.cleaned_data, self._verdict
        return {"applicant_name": c["applicant_name"],
                "applicant_address": c["applicant_address"], "scope": c["scope"],
                "copies": c["copies"], "delivery": c["delivery"],
                "text_pages": v.text_pages, "map_pages": v.map_pages,
                "stamp_duty": str(v.duty.amount)}

    def save_details(self, application) -> None:
        v = self._verdict
        ZoningExtract.objects.update_or_create(application=application, defaults={
            "wants_text": self.wants_text, "wants_map": self.wants_map,
            "copies": self.cleaned_data["copies"], "text_pages": v.text_pages,
            "map_pages": v.map_pages})


def extract_verdict(*, parcels, wants_text: bool, wants_map: bool,
                    copies: int) -> ExtractVerdict:
    """The pages of the document these choices produce (laid out, maps left undrawn) and the
    stamp duty on them."""
    content = extract_content(parcels=parcels)
    text_pages, map_pages = extract_page_counts(text=content.text, sheets=content.sheets,
                                                with_text=wants_text, with_map=wants_map)
    duty = extract_stamp_duty(text_pages=text_pages, map_pages=map_pages, copies=copies)
    return ExtractVerdict(
        duty=duty, text_pages=text_pages, map_pages=map_pages,
        no_plan=tuple(p.parcel_id for p in content.parcels if not p.zones),
        no_local_plan=tuple(p.parcel_id for p in content.parcels
                            if p.zones and not p.local_plans))
