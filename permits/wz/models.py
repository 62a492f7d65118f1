"""A WZ decision application's content (warunki zabudowy). Points at one framework
Application."""
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from ..models.base import Application

SRID = 2180


class WzApplication(models.Model):
    """A WZ application's content (art. 52 ust. 2 and art. 64 of the planning act)."""

    FUNCTION_CHOICES = [
        ("single_family", _("single-family housing")),
        ("multi_family", _("multi-family housing")),
        ("services", _("services")),
        ("production", _("production, storage")),
        ("farm", _("farm buildings")),
        ("other", _("other")),
    ]
    WATER_CHOICES = [("network", _("public water supply")), ("well", _("own well")),
                     ("none", _("not needed"))]
    SEWAGE_CHOICES = [("network", _("public sewer")), ("tank", _("septic tank")),
                      ("plant", _("own treatment plant")), ("none", _("not needed"))]
    ACCESS_CHOICES = [("direct", _("directly from a public road")),
                      ("internal", _("through an internal road")),
                      ("easement", _("through a right of way (easement)"))]

    # The planning act's term for the decision depends on the project (art. 64 ust. 1 pkt 1).
    HOUSE_OWN_NEEDS, AGRICULTURAL_BIOGAS, OTHER_PROJECT = (
        "house_own_needs", "agricultural_biogas", "other")
    PROJECT_TYPE_CHOICES = [
        (HOUSE_OWN_NEEDS, _("a detached single-family house of up to 2 storeys and up to 70 m² "
                            "built-up area, whose impact area lies wholly on its own parcels, "
                            "built for my own housing needs")),
        (AGRICULTURAL_BIOGAS, _("an agricultural biogas plant")),
        (OTHER_PROJECT, _("another development")),
    ]

    application = models.OneToOneField(Application, on_delete=models.CASCADE,
                                       related_name="wz", verbose_name=_("application"))
    project_type = models.CharField(
        _("project type (sets the decision's term)"), max_length=24,
        choices=PROJECT_TYPE_CHOICES, default=OTHER_PROJECT,
        help_text=_("The office decides within 21 days for a small house for your own needs, "
                    "65 days for an agricultural biogas plant and 90 days otherwise."))
    site = models.MultiPolygonField(_("site boundary"), srid=SRID)
    site_area_m2 = models.DecimalField(_("site area [m²]"), max_digits=12, decimal_places=1)
    function = models.CharField(_("function"), max_length=20, choices=FUNCTION_CHOICES)
    description = models.TextField(_("description of the development"))
    buildings = models.PositiveSmallIntegerField(_("number of buildings"), default=1)
    width_m = models.DecimalField(_("front elevation width [m]"), max_digits=7,
                                  decimal_places=2, null=True, blank=True)
    length_m = models.DecimalField(_("length [m]"), max_digits=7, decimal_places=2, null=True,
                                   blank=True)
    height_m = models.DecimalField(_("height [m]"), max_digits=6, decimal_places=2)
    storeys = models.PositiveSmallIntegerField(_("storeys above ground"))
    built_up_area_m2 = models.DecimalField(_("built-up area [m²]"), max_digits=10,
                                           decimal_places=1)
    floor_area_m2 = models.DecimalField(_("above-ground floor area [m²]"), max_digits=10,
                                        decimal_places=1, null=True, blank=True)
    biologically_active_m2 = models.DecimalField(_("biologically active area [m²]"),
                                                 max_digits=10, decimal_places=1, null=True,
                                                 blank=True)
    water = models.CharField(_("water supply"), max_length=10, choices=WATER_CHOICES)
    water_m3_day = models.DecimalField(_("water demand [m³/day]"), max_digits=8,
                                       decimal_places=2, null=True, blank=True)
    energy_kw = models.DecimalField(_("power demand [kW]"), max_digits=8, decimal_places=1,
                                    null=True, blank=True)
    sewage = models.CharField(_("sewage disposal"), max_length=10, choices=SEWAGE_CHOICES)
    sewage_m3_day = models.DecimalField(_("sewage [m³/day]"), max_digits=8, decimal_places=2,
                                        null=True, blank=True)
    road_access = models.CharField(_("road access"), max_length=10, choices=ACCESS_CHOICES)
    access_parcel = models.CharField(_("access through parcel"), max_length=64, blank=True)
    environment = models.TextField(_("environmental impact"), blank=True)
    applicant_is_owner = models.BooleanField(_("applicant is an owner in the cadastre"),
                                             default=False)
    power_of_attorney = models.BooleanField(_("filed through a proxy"), default=False)
    # Recorded when the conditions are set: the years the decision stays valid from the day
    # it becomes final (none: indefinite), and the rule it follows.
    validity_years = models.PositiveSmallIntegerField(_("valid for [years] once final"),
                                                      null=True, blank=True)
    validity_basis = models.CharField(_("validity: legal basis"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("WZ application")
        verbose_name_plural = _("WZ applications")

    def __str__(self) -> str:
        return str(self.application)
