"""The tax register (taxpayers, accounts, taxed objects), its imports, rates and
settings, and the reconciliation runs with their findings.

Tax objects name parcels and buildings by their cadastre identifiers (text), never
by foreign key: a tax object may point at a parcel that was retired or never existed,
which is exactly what reconciliation must find, and the cadastre can be re-imported
or regenerated without touching the tax register.
Personal data (PESEL, names of natural persons) is tax secrecy: only tax officers of
the unit see it, and every view of it is logged (PersonalDataAccess).
"""
from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import AdministrativeUnit, DatedSource, Job

from ..identifiers import validate_pesel, validate_regon
from .rules import (
    BUILDING_CATEGORIES,
    LAND_CATEGORIES,
    OBJECT_KINDS,
    RATE_KEYS,
)
from .values import validate_nip

SRID = 2180


class TaxRate(models.Model):
    """A rate for one tax year: the unit's council resolution, or (unit empty) the statutory
    maximum used where the unit has set none. A year without a row is not taxed at
    another year's rate: the run refuses and names the missing rates."""

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="tax_rates", verbose_name=_("unit"),
                             help_text=_("Empty: the statutory maximum, used by every unit "
                                         "without its own resolution."))
    year = models.PositiveSmallIntegerField(_("year"))
    key = models.CharField(_("rate"), max_length=24, choices=RATE_KEYS)
    rate = models.DecimalField(_("rate [zł]"), max_digits=10, decimal_places=4)
    source = models.CharField(_("legal source"), max_length=300, blank=True)
    verified = models.BooleanField(_("verified against the source"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("tax rate")
        verbose_name_plural = _("tax rates")
        ordering = ["-year", "key"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "key"], name="tax_rate_unique",
                                    nulls_distinct=False),
            models.CheckConstraint(condition=Q(rate__gte=0), name="tax_rate_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_key_display()}: {self.rate}"


class ConversionFactor(DatedSource):
    """Conversion hectare factor (przelicznik) by land group, soil class and tax district
    (ustawa o podatku rolnym art. 4 ust. 1), for the period the act's table is in force: a
    change of the table is new rows from its day, and a tax year no row covers refuses to
    run rather than use another period's factors."""

    ARABLE = "arable"
    GRASSLAND = "grassland"
    GROUP_CHOICES = [(ARABLE, _("arable land and orchards")),
                     (GRASSLAND, _("meadows and pastures"))]

    land_group = models.CharField(_("land group"), max_length=10, choices=GROUP_CHOICES)
    soil_class = models.CharField(_("soil class"), max_length=4)
    district = models.PositiveSmallIntegerField(_("tax district"))
    factor = models.DecimalField(_("factor"), max_digits=4, decimal_places=2)

    class Meta:
        verbose_name = _("conversion hectare factor")
        verbose_name_plural = _("conversion hectare factors")
        ordering = ["land_group", "soil_class", "district", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["land_group", "soil_class", "district",
                                            "valid_from"], name="conversion_factor_unique"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True)
                                   | Q(valid_to__gte=models.F("valid_from")),
                                   name="conversion_factor_period"),
            models.CheckConstraint(condition=Q(district__gte=1, district__lte=4),
                                   name="conversion_factor_district"),
        ]

    def __str__(self) -> str:
        return f"{self.land_group} {self.soil_class} / {self.district}: {self.factor}"


class TaxSettings(models.Model):
    """The unit's tax district and the tolerances of its reconciliation."""

    unit = models.OneToOneField(AdministrativeUnit, on_delete=models.CASCADE,
                                related_name="tax_settings", verbose_name=_("unit"))
    tax_district = models.PositiveSmallIntegerField(
        _("tax district (okręg podatkowy)"), default=2,
        help_text=_("I–IV, by the regulation on tax districts for agricultural tax."))
    area_tolerance_ha = models.DecimalField(
        _("area tolerance [ha]"), max_digits=8, decimal_places=4, default="0.0050",
        help_text=_("Differences up to this area are not reported."))
    area_tolerance_share = models.DecimalField(
        _("area tolerance [share]"), max_digits=5, decimal_places=4, default="0.0200",
        help_text=_("… nor up to this share of the registered area (the larger one applies)."))
    conversion_tolerance_ha = models.DecimalField(
        _("conversion hectares tolerance"), max_digits=8, decimal_places=4, default="0.0100")
    floor_area_tolerance_share = models.DecimalField(
        _("floor area tolerance [share]"), max_digits=5, decimal_places=4, default="0.3000",
        help_text=_("Declared usable floor area may differ this much from the estimate."))
    usable_floor_share = models.DecimalField(
        _("usable floor area per built-up area and storey"), max_digits=5, decimal_places=4,
        default="0.7500")
    exempt_register_groups = models.JSONField(
        _("register groups not taxed by the gmina"), default=list, blank=True,
        help_text=_("Register groups whose parcels are not expected in the tax register, "
                    "e.g. [4] for the gmina's own land."))

    class Meta:
        verbose_name = _("tax settings")
        verbose_name_plural = _("tax settings")

    def __str__(self) -> str:
        return str(self.unit)


class ColumnProfile(models.Model):
    """How one tax system names its export's columns: canonical field -> header."""

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="tax_column_profiles", verbose_name=_("unit"),
                             help_text=_("Empty: offered to every unit."))
    name = models.CharField(_("name"), max_length=100)
    columns = models.JSONField(_("columns"), default=dict,
                               help_text=_("Field name to column header, e.g. "
                                           "{\"account\": \"Nr konta\"}."))
    values = models.JSONField(_("value codes"), default=dict, blank=True,
                              help_text=_("Extra codes per field, e.g. {\"object_type\": "
                                          "{\"GR\": \"land\"}}."))
    is_default = models.BooleanField(_("default for the unit"), default=False)

    class Meta:
        verbose_name = _("column profile")
        verbose_name_plural = _("column profiles")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="column_profile_unique",
                                    nulls_distinct=False),
        ]

    def __str__(self) -> str:
        return self.name


class TaxImport(Job):
    """One import of a tax system export, with its report (line and reason per problem)."""

    source_name = models.CharField(_("file name"), max_length=255)
    source_path = models.CharField(_("stored file"), max_length=500, blank=True)
    content_hash = models.CharField(_("content hash (SHA-256)"), max_length=64, blank=True)
    strict = models.BooleanField(_("strict"), default=False)
    profile_name = models.CharField(_("column profile"), max_length=100, blank=True)
    detected = models.JSONField(_("detected format"), default=dict, blank=True)
    report = models.JSONField(_("report"), default=list, blank=True)

    class Meta(Job.Meta):
        verbose_name = _("tax record import")
        verbose_name_plural = _("tax record imports")

    def __str__(self) -> str:
        return f"{self.source_name} ({self.get_status_display()})"


class Taxpayer(models.Model):
    """A taxpayer of the unit: a natural person or an institution."""

    PERSON = "person"
    INSTITUTION = "institution"
    KIND_CHOICES = [(PERSON, _("natural person")), (INSTITUTION, _("institution"))]

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE,
                             related_name="taxpayers", verbose_name=_("unit"))
    ident_key = models.CharField(_("identity key"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=KIND_CHOICES)
    pesel = models.CharField(_("PESEL"), max_length=11, blank=True, validators=[validate_pesel])
    regon = models.CharField(_("REGON"), max_length=14, blank=True, validators=[validate_regon])
    nip = models.CharField(_("NIP"), max_length=10, blank=True, validators=[validate_nip])
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    surname = models.CharField(_("surname"), max_length=150, blank=True)
    name = models.CharField(_("institution name"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("taxpayer")
        verbose_name_plural = _("taxpayers")
        constraints = [
            models.UniqueConstraint(fields=["unit", "ident_key"], name="taxpayer_unique"),
        ]

    def __str__(self) -> str:
        return self.name if self.kind == self.INSTITUTION else f"{self.first_name} {self.surname}"


class TaxAccount(models.Model):
    """An account (konto podatnika) held by one taxpayer or jointly (co-owners, spouses)."""

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE,
                             related_name="tax_accounts", verbose_name=_("unit"))
    number = models.CharField(_("account number"), max_length=40)
    holders = models.ManyToManyField(Taxpayer, through="AccountHolder", related_name="accounts")

    class Meta:
        verbose_name = _("tax account")
        verbose_name_plural = _("tax accounts")
        constraints = [
            models.UniqueConstraint(fields=["unit", "number"], name="tax_account_unique"),
        ]

    def __str__(self) -> str:
        return self.number


class AccountHolder(models.Model):
    OWNER = "owner"
    CO_OWNER = "co_owner"
    SPOUSE = "spouse"
    ROLE_CHOICES = [(OWNER, _("taxpayer")), (CO_OWNER, _("co-owner")), (SPOUSE, _("spouse"))]

    account = models.ForeignKey(TaxAccount, on_delete=models.CASCADE, related_name="holdings")
    taxpayer = models.ForeignKey(Taxpayer, on_delete=models.CASCADE, related_name="holdings")
    role = models.CharField(_("role"), max_length=10, choices=ROLE_CHOICES, default=OWNER)

    class Meta:
        verbose_name = _("account holder")
        verbose_name_plural = _("account holders")
        constraints = [
            models.UniqueConstraint(fields=["account", "taxpayer"], name="account_holder_unique"),
        ]


class TaxObject(models.Model):
    """A taxed object: land, a building, agricultural land or forest, on one parcel."""

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE,
                             related_name="tax_objects", verbose_name=_("unit"))
    account = models.ForeignKey(TaxAccount, on_delete=models.CASCADE, related_name="tax_objects",
                                verbose_name=_("account"))
    object_key = models.CharField(_("object key"), max_length=300)
    kind = models.CharField(_("kind"), max_length=12, choices=OBJECT_KINDS)
    parcel_ref = models.CharField(_("parcel id"), max_length=64, blank=True)
    building_ref = models.CharField(_("building id"), max_length=80, blank=True)
    category = models.CharField(_("category"), max_length=12, blank=True,
                                choices=LAND_CATEGORIES + BUILDING_CATEGORIES)
    land_use = models.CharField(_("land use (OFU)"), max_length=4, blank=True)
    soil_class = models.CharField(_("soil class"), max_length=4, blank=True)
    area_ha = models.DecimalField(_("area [ha]"), max_digits=12, decimal_places=4, null=True,
                                  blank=True)
    floor_area_m2 = models.DecimalField(_("usable floor area [m²]"), max_digits=12,
                                        decimal_places=2, null=True, blank=True)
    source_line = models.PositiveIntegerField(_("line in the file"), null=True, blank=True)

    class Meta:
        verbose_name = _("tax object")
        verbose_name_plural = _("tax objects")
        constraints = [
            models.UniqueConstraint(fields=["unit", "account", "object_key"],
                                    name="tax_object_unique"),
        ]
        indexes = [
            models.Index(fields=["unit", "parcel_ref"], name="tax_object_parcel_idx"),
            models.Index(fields=["unit", "building_ref"], name="tax_object_building_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.parcel_ref or self.building_ref}"


class ReconciliationRun(Job):
    """One comparison of the unit's tax register with its cadastre."""

    FULL = "full"
    INCREMENTAL = "incremental"
    SCOPE_CHOICES = [(FULL, _("full")), (INCREMENTAL, _("incremental"))]

    year = models.PositiveSmallIntegerField(_("tax year"))
    # What the run re-checked: the whole unit, or only what changed since the last run
    # (`coverage` says what changed, how much was re-checked and, for a full run, why).
    scope = models.CharField(_("scope"), max_length=12, choices=SCOPE_CHOICES, default=FULL)
    coverage = models.JSONField(_("coverage"), default=dict, blank=True)
    # The rates, rules and settings the run applied (a digest): a run may recheck only
    # the changes when the previous one applied the very same.
    rules_digest = models.CharField(_("rules digest"), max_length=32, blank=True)

    class Meta(Job.Meta):
        verbose_name = _("reconciliation run")
        verbose_name_plural = _("reconciliation runs")

    def __str__(self) -> str:
        return f"{self.unit} {self.created_at:%Y-%m-%d %H:%M}"


class ReconciliationChange(models.Model):
    """What changed in a unit's cadastre or tax register since its last reconciliation run.

    Written by database triggers on every table a finding depends on (so every import,
    edit and deletion is recorded, whatever wrote it), read and consumed by the next run,
    which re-checks only what these rows touch. `kind`: p parcel (row id), r register
    unit, o owner, b building (row id), a tax account, t taxpayer, x parcel id named by
    a tax object, y building id named by one, * more than a statement's worth (the next
    run is a full one).
    """

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="+",
                             db_constraint=False, db_index=False)
    kind = models.CharField(max_length=1)
    ref = models.TextField()

    class Meta:
        verbose_name = _("change awaiting reconciliation")
        verbose_name_plural = _("changes awaiting reconciliation")
        indexes = [models.Index(fields=["unit", "kind"], name="reconciliation_change_idx")]


class FarmHolding(models.Model):
    """A holding that was a farm at its unit's last reconciliation run.

    A holding is a register unit (a parcel without one: the parcel, by its id negated);
    it is a farm when its agricultural land is over the threshold (agricultural tax act
    art. 2 ust. 1), which sets the rate of all its agricultural land and exempts farm
    buildings. Kept so that an incremental run re-checks a holding's other parcels only
    when a change to one parcel's land makes the holding a farm or ends it.
    """

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="+",
                             db_index=False)
    holding = models.BigIntegerField()

    class Meta:
        verbose_name = _("farm at the last reconciliation")
        verbose_name_plural = _("farms at the last reconciliation")
        constraints = [
            models.UniqueConstraint(fields=["unit", "holding"], name="farm_holding_unique"),
        ]


class TaxFinding(models.Model):
    """A difference between the tax register and the cadastre, followed across runs.

    `key` names the difference's subject (parcel, building, tax object) within its
    category, so the next run finds the same finding again: it persists, it is
    resolved when it is no longer found, and one marked "not a discrepancy" stays so.
    """

    OPEN = "open"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"
    STATUS_CHOICES = [(OPEN, _("open")), (RESOLVED, _("resolved")),
                      (DISMISSED, _("not a discrepancy"))]
    LOW, MEDIUM, HIGH = "low", "medium", "high"
    SEVERITY_CHOICES = [(HIGH, _("high")), (MEDIUM, _("medium")), (LOW, _("low"))]

    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE,
                             related_name="tax_findings", verbose_name=_("unit"))
    category = models.CharField(_("category"), max_length=24)
    key = models.CharField(_("subject"), max_length=200)
    severity = models.CharField(_("severity"), max_length=6, choices=SEVERITY_CHOICES)
    status = models.CharField(_("status"), max_length=10, choices=STATUS_CHOICES, default=OPEN)
    parcel_ref = models.CharField(_("parcel id"), max_length=64, blank=True)
    building_ref = models.CharField(_("building id"), max_length=80, blank=True)
    geom = models.MultiPolygonField(_("geometry"), srid=SRID, null=True, blank=True)
    evidence = models.JSONField(_("evidence"), default=dict)
    estimate = models.DecimalField(_("estimated annual tax difference [zł]"), max_digits=14,
                                   decimal_places=2, default=0)
    first_run = models.ForeignKey(ReconciliationRun, on_delete=models.CASCADE,
                                  related_name="+", verbose_name=_("first found"))
    # Set on every finding a run finds again: not indexed, so that rewriting it alone is a
    # heap-only update (the table leaves room for it, see migration 0020); nothing looks
    # findings up by it.
    last_run = models.ForeignKey(ReconciliationRun, on_delete=models.CASCADE,
                                 related_name="+", verbose_name=_("last found"),
                                 db_index=False)
    resolved_run = models.ForeignKey(ReconciliationRun, on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+",
                                     verbose_name=_("no longer found in"))
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("assigned to"))
    resolution = models.TextField(_("action taken or reason"), blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+",
                                  verbose_name=_("closed by"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("tax finding")
        verbose_name_plural = _("tax findings")
        ordering = ["-estimate", "id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "category", "key"], name="tax_finding_unique"),
        ]
        indexes = [models.Index(fields=["unit", "status", "category"], name="tax_finding_idx")]

    def __str__(self) -> str:
        return f"{self.category} {self.key}"


class FindingEvent(models.Model):
    """What an officer (or a run) did with a finding: its worklog."""

    ASSIGN, COMMENT, RESOLVE, DISMISS, REOPEN = "assign", "comment", "resolve", "dismiss", "reopen"
    ACTION_CHOICES = [(ASSIGN, _("assigned")), (COMMENT, _("comment")),
                      (RESOLVE, _("resolved")), (DISMISS, _("not a discrepancy")),
                      (REOPEN, _("reopened"))]

    finding = models.ForeignKey(TaxFinding, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                           blank=True, related_name="+", verbose_name=_("by"))
    action = models.CharField(_("action"), max_length=8, choices=ACTION_CHOICES)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("finding event")
        verbose_name_plural = _("finding events")
        ordering = ["at", "id"]


class PersonalDataAccess(models.Model):
    """One view or export of taxpayers' personal data (RODO accountability)."""

    at = models.DateTimeField(_("at"), auto_now_add=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="+", verbose_name=_("user"))
    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("unit"))
    action = models.CharField(_("action"), max_length=20)
    subject = models.CharField(_("what was seen"), max_length=300)
    taxpayer_ids = models.JSONField(_("taxpayers"), default=list)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-at"]
