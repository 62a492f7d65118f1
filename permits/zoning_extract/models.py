"""The zoning plan extract (wypis i wyrys) an application asks for, and its document.
Points at one framework Application."""
from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..models.base import Application


class ZoningExtract(models.Model):
    """What the resident asked for, and the document: the automatic draft the official
    checks and edits, then the issued PDF the resident downloads."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE,
                                       related_name="zoning_extract",
                                       verbose_name=_("application"))
    wants_text = models.BooleanField(_("extract text (wypis)"), default=True)
    wants_map = models.BooleanField(_("map excerpt (wyrys)"), default=True)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    # Counted from the document these choices produce, when the draft is saved: the duty
    # the resident sees before submitting is the duty of that document.
    text_pages = models.PositiveSmallIntegerField(_("extract text pages"), default=0)
    map_pages = models.PositiveSmallIntegerField(_("map excerpt A4 pages"), default=0)
    text = models.TextField(_("extract text"), blank=True,
                            help_text=_("Generated from the plan data; the official may "
                                        "correct it before issuing."))
    draft_pdf = models.FileField(_("draft document (PDF)"),
                                 upload_to="permits/zoning/drafts/%Y/", blank=True)
    generated_at = models.DateTimeField(_("draft generated"), null=True, blank=True)
    issued_pdf = models.FileField(_("issued document (PDF)"),
                                  upload_to="permits/zoning/issued/%Y/", blank=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+",
                                  verbose_name=_("issued by"))

    class Meta:
        verbose_name = _("zoning plan extract")
        verbose_name_plural = _("zoning plan extracts")
        constraints = [
            models.CheckConstraint(condition=Q(wants_text=True) | Q(wants_map=True),
                                   name="zoning_extract_asks_for_something"),
            models.CheckConstraint(condition=Q(copies__gte=1) & Q(copies__lte=10),
                                   name="zoning_extract_copies_1_to_10"),
        ]

    def __str__(self) -> str:
        return str(self.application)
