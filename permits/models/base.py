"""The application framework: kinds switched on per unit, applications, their events,
attachments, case numbering and deadline rules. Kind-specific rows live in their own
modules (trees.py, zoning.py) and point at Application."""
from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadastre_sync.models import Parcel
from core.models import AdministrativeUnit

from ..workflow import STATE_CHOICES, State


class KindSetting(models.Model):
    """One application kind as a unit offers it: switched on or off, and the office's details
    printed on confirmations and shown to residents."""

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE,
                             related_name="permit_kinds", verbose_name=_("unit"))
    kind = models.CharField(_("application kind"), max_length=40)
    enabled = models.BooleanField(_("offered to residents"), default=False)
    office_name = models.CharField(_("office name"), max_length=200, blank=True)
    office_address = models.TextField(_("office address"), blank=True)
    office_email = models.EmailField(_("office e-mail"), blank=True)
    office_phone = models.CharField(_("office phone"), max_length=40, blank=True)
    case_prefix = models.CharField(
        _("case number prefix"), max_length=40, blank=True,
        help_text=_("Office mark and file symbol, e.g. OŚ.6131; the number and year follow."))
    instructions = models.TextField(_("instructions for residents"), blank=True)

    class Meta:
        verbose_name = _("application kind offered")
        verbose_name_plural = _("application kinds offered")
        ordering = ["unit", "kind"]
        constraints = [models.UniqueConstraint(fields=["unit", "kind"], name="kind_setting_unique")]

    def __str__(self) -> str:
        return f"{self.unit} – {self.kind}"


class CaseCounter(models.Model):
    """Last case number used by a unit in a year in one file (its office mark and JRWA
    symbol, e.g. "OŚ.6131"): each file counts its own cases, as the office's register does."""

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="+")
    series = models.CharField(max_length=40, default="")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "series", "year"],
                                               name="case_counter_series_unique")]


class DeadlineRule(models.Model):
    """An administrator's correction of a kind's statutory deadline (see permits/kinds.py for
    the defaults and their sources). A row for a unit wins over a row for all units."""

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+", verbose_name=_("unit"),
                             help_text=_("Empty: applies to every unit."))
    kind = models.CharField(_("application kind"), max_length=40)
    procedure = models.CharField(_("procedure"), max_length=40, blank=True)
    state = models.CharField(_("state"), max_length=30, choices=STATE_CHOICES)
    days = models.PositiveSmallIntegerField(_("days"))
    source = models.CharField(_("legal basis"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        constraints = [models.UniqueConstraint(
            fields=["unit", "kind", "procedure", "state"], name="deadline_rule_unique",
            nulls_distinct=False)]

    def __str__(self) -> str:
        return f"{self.kind} {self.procedure} {self.state}: {self.days}"


class Application(models.Model):
    """An application against one or more parcels of one unit: filed online by a resident,
    or received on paper at the office and registered there by an officer (`channel`)."""

    ONLINE, PAPER = "online", "paper"
    CHANNEL_CHOICES = [(ONLINE, _("online")), (PAPER, _("on paper, at the office"))]

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT,
                             related_name="applications", verbose_name=_("unit"))
    kind = models.CharField(_("application kind"), max_length=40)
    procedure = models.CharField(
        _("procedure"), max_length=40, blank=True,
        help_text=_("Set by the kind, e.g. notification or permit for tree removal."))
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="applications", verbose_name=_("applicant"),
        help_text=_("The account that filed it; none for a paper application (the "
                    "applicant's name and address are in its content)."))
    channel = models.CharField(_("received"), max_length=8, choices=CHANNEL_CHOICES,
                               default=ONLINE)
    received_on = models.DateField(
        _("received at the office on"), null=True, blank=True,
        help_text=_("A paper application: the day it reached the office, from which its "
                    "terms run (KPA art. 61 § 3)."))
    parcels = models.ManyToManyField(Parcel, through="ApplicationParcel", related_name="+",
                                     verbose_name=_("parcels"))
    state = models.CharField(_("state"), max_length=30, choices=STATE_CHOICES,
                             default=State.DRAFT)
    outcome = models.CharField(_("decision"), max_length=40, blank=True)
    case_number = models.CharField(_("case number"), max_length=80, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    state_since = models.DateTimeField(_("in this state since"), auto_now_add=True)
    inspection_on = models.DateField(_("inspection day"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    deadline_note = models.CharField(_("what the deadline is for"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    payload = models.JSONField(_("content"), default=dict, blank=True)
    digest = models.CharField(_("SHA-256 of the submitted content"), max_length=64, blank=True)
    fee = models.DecimalField(_("fee [zł]"), max_digits=12, decimal_places=2, null=True,
                              blank=True)
    fee_deferred_until = models.DateField(
        _("fee deferred until"), null=True, blank=True,
        help_text=_("Replacement planting ordered: the fee is due after this date, and is "
                    "cancelled if the new plants survive (art. 84 ust. 4)."))
    pdf = models.FileField(_("submitted document (PDF)"), upload_to="permits/pdf/%Y/",
                           blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "case_number"], condition=~Q(case_number=""),
                                    name="application_case_number_unique"),
            models.CheckConstraint(condition=Q(state="draft") | ~Q(digest=""),
                                   name="application_submitted_has_digest"),
            models.CheckConstraint(
                condition=Q(channel="online", applicant__isnull=False, received_on__isnull=True)
                | Q(channel="paper", received_on__isnull=False),
                name="application_channel_consistent"),
        ]
        indexes = [models.Index(fields=["unit", "state", "deadline"],
                                name="application_queue_idx"),
                   models.Index(fields=["applicant", "-created_at"],
                                name="application_mine_idx")]

    def __str__(self) -> str:
        return self.case_number or f"{self.kind} #{self.pk}"


class ApplicationParcel(models.Model):
    """A parcel an application is filed against; its id is kept as filed."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="parcel_links")
    parcel = models.ForeignKey(Parcel, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("parcel"))
    parcel_ident = models.CharField(_("parcel id"), max_length=64)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["application", "parcel"],
                                               name="application_parcel_unique")]


class ApplicationEvent(models.Model):
    """One transition of an application: who, when, from, to and why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                     related_name="events", verbose_name=_("application"))
    action = models.CharField(_("action"), max_length=40)
    from_state = models.CharField(_("from"), max_length=30, choices=STATE_CHOICES)
    to_state = models.CharField(_("to"), max_length=30, choices=STATE_CHOICES)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("by"))
    actor_role = models.CharField(_("acting as"), max_length=20)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
        ordering = ["at", "pk"]
        # Statistics count events of a kind over a period (submissions, decisions).
        indexes = [models.Index(fields=["action", "at"], name="application_event_action_idx")]


class Attachment(models.Model):
    """A document attached to an application; type and size checked on its content."""

    CONSENT = "owner_consent"
    DRAWING = "drawing"
    TITLE = "legal_title"
    OTHER = "other"
    PURPOSE_CHOICES = [
        (CONSENT, _("owner's consent")),
        (DRAWING, _("drawing or map")),
        (TITLE, _("legal title to the property")),
        (OTHER, _("other document")),
    ]

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="attachments", verbose_name=_("application"))
    purpose = models.CharField(_("document"), max_length=20, choices=PURPOSE_CHOICES)
    file = models.FileField(_("file"), upload_to="permits/attachments/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type (from content)"), max_length=80)
    size = models.PositiveIntegerField(_("size [bytes]"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class ServiceTemplate(models.Model):
    """A set of application kinds an operator offers units of one level at once, e.g.
    "gmina, standard set": applied to many units in one action, it switches the kinds on."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    level = models.CharField(_("for units of level"), max_length=12,
                             choices=AdministrativeUnit.LEVEL_CHOICES, default="gmina")
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("service template")
        verbose_name_plural = _("service templates")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceTemplateKind(models.Model):
    """One application kind of a template, with the file symbol (JRWA) units start with."""

    template = models.ForeignKey(ServiceTemplate, on_delete=models.CASCADE, related_name="kinds",
                                 verbose_name=_("template"))
    kind = models.CharField(_("application kind"), max_length=40)
    case_prefix = models.CharField(
        _("case number prefix"), max_length=40, blank=True,
        help_text=_("Office mark and file symbol, e.g. OŚ.6131; a unit's own is kept."))

    class Meta:
        verbose_name = _("kind in the template")
        verbose_name_plural = _("kinds in the template")
        constraints = [models.UniqueConstraint(fields=["template", "kind"],
                                               name="service_template_kind_unique")]

    def __str__(self) -> str:
        return self.kind
