from contextlib import suppress

from django.conf import settings
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .identifiers import (
    LEVEL_GMINA,
    LEVEL_POWIAT,
    LEVEL_VOIVODESHIP,
    parse_teryt,
    validate_host_name,
    validate_nrb,
    validate_teryt,
)
from .roles import ROLE_CHOICES


class AdministrativeUnit(models.Model):
    """A local government unit (JST) hosted on this deployment: gmina, powiat or voivodeship.

    Every piece of municipal data belongs to one unit. The hierarchy is carried by the
    TERYT code itself (a powiat's code is the prefix of its gminy's codes).
    """

    LEVEL_CHOICES = [
        (LEVEL_VOIVODESHIP, _("voivodeship")),
        (LEVEL_POWIAT, _("powiat")),
        (LEVEL_GMINA, _("gmina")),
    ]

    teryt = models.CharField(
        _("TERYT code"), max_length=8, unique=True, validators=[validate_teryt],
        help_text=_(
            "WWPPGG_R for a gmina (e.g. 026101_1), WWPP for a powiat, WW for a voivodeship."
        ),
    )
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=12, choices=LEVEL_CHOICES, editable=False)
    boundary = models.MultiPolygonField(_("boundary"), srid=2180, null=True, blank=True)
    BOUNDARY_GIVEN = ""
    BOUNDARY_FROM_CADASTRE = "cadastre"
    BOUNDARY_SOURCES = [(BOUNDARY_GIVEN, _("given (a boundary file or drawn)")),
                        (BOUNDARY_FROM_CADASTRE, _("derived from the imported precincts"))]
    boundary_source = models.CharField(
        _("boundary source"), max_length=12, choices=BOUNDARY_SOURCES, blank=True,
        default=BOUNDARY_GIVEN,
        help_text=_("A boundary derived from the cadastre follows every cadastre import; "
                    "a given one is never overwritten by an import."))
    office_name = models.CharField(_("office name"), max_length=200, blank=True)
    office_address = models.TextField(_("office address"), blank=True)
    office_email = models.EmailField(_("office e-mail"), blank=True)
    crest = models.ImageField(
        _("crest"), upload_to="units/crests/", blank=True,
        help_text=_("The unit's coat of arms, shown on its public page (PNG or JPEG)."))
    # Where residents pay the unit's fees: shown on a case with the fee, with the transfer
    # title and the banks' QR transfer code (permits/payments.py).
    tax_id = models.CharField(_("NIP"), max_length=10, blank=True,
                              validators=[RegexValidator(r"^\d{10}$", _("Ten digits."))])
    bank_account = models.CharField(
        _("bank account for fees"), max_length=26, blank=True,
        validators=[validate_nrb])
    # The unit's own address for its residents (geoportal.gmina-x.pl): it opens the unit's
    # page and centres the map on it. A name here is also a host the site answers for
    # (geo_portal.hosts.AllowedHosts): an exact name, never a pattern.
    host_name = models.CharField(
        _("host name"), max_length=253, blank=True, validators=[validate_host_name],
        help_text=_("E.g. geoportal.gmina-x.pl: the unit's own address, pointed (DNS, "
                    "certificate) at this portal. Leave empty when it has none."))
    # Set only by the demo generator on the units it creates: it replaces their data and
    # refuses to touch any other unit.
    is_demo = models.BooleanField(
        _("demo unit"), default=False, editable=False,
        help_text=_("Created by the demo generator (development only)."))

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["teryt"]
        constraints = [
            models.CheckConstraint(
                condition=Q(teryt__regex=r"^(\d{2}|\d{4}|\d{6}_\d)$"), name="unit_teryt_shape"
            ),
            models.UniqueConstraint(fields=["host_name"], condition=~Q(host_name=""),
                                    name="unit_host_name_unique",
                                    violation_error_message=_(
                                        "Another unit already has this host name.")),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.teryt})"

    def clean(self) -> None:
        # An invalid code is already reported on the teryt field by its validator.
        with suppress(ValidationError):
            self.teryt = parse_teryt(self.teryt).code
        self.host_name = self.host_name.strip().lower().rstrip(".")

    def save(self, *args, **kwargs) -> None:
        # Level is derived from the code and never typed in; keep it in step.
        self.level = parse_teryt(self.teryt).level
        super().save(*args, **kwargs)


class Membership(models.Model):
    """A staff member's role in one unit."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships",
        verbose_name=_("user"),
    )
    unit = models.ForeignKey(
        AdministrativeUnit, on_delete=models.CASCADE, related_name="memberships",
        verbose_name=_("unit"),
    )
    role = models.CharField(_("role"), max_length=20, choices=ROLE_CHOICES)
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    # Printed under the name on the documents the person signs for the unit.
    position = models.CharField(_("position"), max_length=200, blank=True,
                                help_text=_("E.g. inspektor ds. planowania przestrzennego."))

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.unit}"


class Job(models.Model):
    """Base of every long-running job (imports, reconciliation, seeding).

    A job row is created in the request's transaction, its task is enqueued with
    `transaction.on_commit`, and the worker reports progress through core.jobs.
    """

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    STATUS_CHOICES = [
        (QUEUED, _("queued")),
        (RUNNING, _("running")),
        (SUCCEEDED, _("succeeded")),
        (FAILED, _("failed")),
    ]

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("unit"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("created by"))
    status = models.CharField(_("status"), max_length=10, choices=STATUS_CHOICES, default=QUEUED)
    progress_done = models.PositiveBigIntegerField(_("done"), default=0)
    progress_total = models.PositiveBigIntegerField(_("total"), null=True, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)
    log = models.TextField(_("log"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Stamped while the job runs (core.jobs.job_guard); a lapsed one means its process died.
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True,
                                        editable=False)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def progress(self) -> float | None:
        if not self.progress_total:
            return None
        return min(1.0, self.progress_done / self.progress_total)


class ApiToken(models.Model):
    """A personal access token for desktop GIS clients (QGIS) and scripts.

    Only a SHA-256 digest of the token is stored: the token itself is shown once, when it
    is created, and cannot be read back. A token is 43 random URL-safe characters (256
    bits), so a fast digest is enough; a revoked or expired token opens nothing.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens", verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100, blank=True,
                            help_text=_("What the token is for, e.g. “QGIS on the planning PC”."))
    prefix = models.CharField(_("prefix"), max_length=8, editable=False,
                              help_text=_("The first characters of the token, to recognise it."))
    digest = models.CharField(_("digest"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now())


class StaffInvitation(models.Model):
    """An invitation, sent by e-mail, to take a staff role in a unit.

    Only a SHA-256 digest of the link's token is stored. Accepting it grants the role on
    behalf of the person who invited, whose right to grant it is checked again then.
    """

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE,
                             related_name="invitations", verbose_name=_("unit"))
    role = models.CharField(_("role"), max_length=20, choices=ROLE_CHOICES)
    email = models.EmailField(_("e-mail"))
    digest = models.CharField(_("digest"), max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                   related_name="+", verbose_name=_("invited by"))
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("valid until"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("accepted by"))
    revoked_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("staff invitation")
        verbose_name_plural = _("staff invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} – {self.get_role_display()} – {self.unit}"

    @property
    def is_open(self) -> bool:
        return (self.accepted_at is None and self.revoked_at is None
                and self.expires_at > timezone.now())


class DatedSource(models.Model):
    """What every legal rule row carries: when it is in force, the statute it comes from,
    and whether someone checked the figure against that statute's text. A computation asks
    for the row in force on its own date (core.rules); an unverified row is shown as such
    to the officer."""

    valid_from = models.DateField(_("in force from"))
    valid_to = models.DateField(_("in force until"), null=True, blank=True,
                                help_text=_("Last day in force; empty: until changed."))
    act = models.CharField(_("legal act"), max_length=300,
                           help_text=_("e.g. ustawa z dnia 15 listopada 1984 r. o podatku "
                                       "rolnym, or the council resolution."))
    article = models.CharField(_("article"), max_length=120, blank=True,
                               help_text=_("e.g. art. 4 ust. 1"))
    journal = models.CharField(_("official journal position"), max_length=120, blank=True,
                               help_text=_("e.g. Dz.U. 2024 poz. 1176 or M.P. 2025 poz. 717"))
    verified = models.BooleanField(
        _("verified against the source"), default=False,
        help_text=_("Tick only after reading the figure in the act's text."))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        abstract = True

    @property
    def source(self) -> str:
        return ", ".join(part for part in (self.act, self.article, self.journal) if part)


class SourcedRule(DatedSource):
    """A dated, sourced rule for a unit (none: every unit, the national default)."""

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+", verbose_name=_("unit"),
                             help_text=_("Empty: the national rule, inherited by every unit "
                                         "without its own row (e.g. a council resolution)."))

    class Meta:
        abstract = True


class LegalRule(SourcedRule):
    """One legal rule as data: a figure, a list or a table (JSON), keyed by its name in
    core.rules.RULES, for a period and a unit."""

    key = models.CharField(_("rule"), max_length=80)
    value = models.JSONField(_("value"))

    class Meta:
        verbose_name = _("legal rule")
        verbose_name_plural = _("legal rules")
        ordering = ["key", "unit", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["key", "unit", "valid_from"],
                                    name="legal_rule_unique", nulls_distinct=False),
            models.CheckConstraint(condition=Q(valid_to__isnull=True)
                                   | Q(valid_to__gte=models.F("valid_from")),
                                   name="legal_rule_period"),
        ]
        indexes = [models.Index(fields=["key", "valid_from"], name="legal_rule_key_idx")]

    def __str__(self) -> str:
        return f"{self.key} {self.valid_from}"
class PersonProfile(models.Model):
    """What a person tells the portal once, so that their applications are filled in."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="profile", verbose_name=_("user"))
    address = models.TextField(_("address for correspondence"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("personal details")
        verbose_name_plural = _("personal details")

    def __str__(self) -> str:
        return str(self.user)
