"""Tree and shrub removal (nature protection act, art. 83–86): the species dictionary, the
fee rate table, and the trees, shrub groups and replacement planting of an application."""
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.models import AdministrativeUnit

from ..models.base import Application

SRID = 2180

# Fee groups of the rates regulation (Dz.U. 2017 poz. 1330, annex): A, B, C for listed
# genera and species, D ("other species") for the rest; shrubs are invasive or other.
TREE_GROUPS = [("A", _("group A")), ("B", _("group B")), ("C", _("group C")),
               ("D", _("other species"))]
SHRUB_GROUPS = [("invasive", _("invasive shrubs")), ("other", _("other shrubs"))]


class Species(models.Model):
    """A tree or shrub species (or genus) as the law groups it."""

    latin_name = models.CharField(_("Latin name"), max_length=120, unique=True)
    name_pl = models.CharField(_("Polish name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120)
    is_tree = models.BooleanField(_("tree"), default=True)
    is_shrub = models.BooleanField(_("shrub"), default=False)
    fee_group = models.CharField(_("tree fee group"), max_length=1, choices=TREE_GROUPS,
                                 default="D")
    shrub_group = models.CharField(_("shrub fee group"), max_length=10, choices=SHRUB_GROUPS,
                                   default="other")
    fruit = models.BooleanField(
        _("fruit tree or shrub"), default=False,
        help_text=_("Art. 83f ust. 1: fruit trees and shrubs need no permit outside a "
                    "registered monument and public green areas."))
    notification_threshold_cm = models.PositiveSmallIntegerField(
        _("threshold at 5 cm [cm]"), default=50,
        help_text=_("Art. 83f ust. 4: a notification (or permit) is needed only above this "
                    "trunk circumference measured 5 cm above the ground."))

    class Meta:
        verbose_name = _("species")
        verbose_name_plural = _("species")
        ordering = ["name_pl"]

    def __str__(self) -> str:
        return f"{self.name} ({self.latin_name})"

    @property
    def name(self) -> str:
        """The common name in the active language (Polish unless English was chosen)."""
        return self.name_en if (get_language() or "pl").startswith("en") else self.name_pl


class FeeRate(models.Model):
    """A fee rate: zł per cm of circumference (trees) or per m² (shrubs), per band.

    Rows without a unit are the regulation's rates (Dz.U. 2017 poz. 1330); a gmina council's
    own rates (art. 85 ust. 4a) are rows for that unit and win for every group they cover.
    """

    TREE, SHRUB = "tree", "shrub"
    unit = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, null=True,
                             blank=True, related_name="+", verbose_name=_("unit"),
                             help_text=_("Empty: the regulation's rate for every unit."))
    subject = models.CharField(_("for"), max_length=5,
                               choices=[(TREE, _("trees")), (SHRUB, _("shrubs"))])
    group = models.CharField(_("group"), max_length=10)
    band_from = models.PositiveIntegerField(
        _("from [cm or m²]"), help_text=_("Lower end of the band, inclusive."))
    rate = models.DecimalField(_("rate [zł]"), max_digits=8, decimal_places=2)
    source = models.CharField(_("legal basis"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("fee rate")
        verbose_name_plural = _("fee rates")
        ordering = ["unit", "subject", "group", "band_from"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "subject", "group", "band_from"],
                                    name="fee_rate_unique", nulls_distinct=False),
            # Statutory caps, art. 85 ust. 4: 500 zł per cm, 200 zł per m².
            models.CheckConstraint(condition=Q(subject="shrub", rate__lte=200)
                                   | Q(subject="tree", rate__lte=500), name="fee_rate_cap"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.group} ≥{self.band_from}: {self.rate}"


# Why an item needs nothing or pays no fee: (code, label, kind, legal basis). "no_permit":
# the removal needs no permit (ustawa o ochronie przyrody art. 83f ust. 1; fruit trees and
# small shrubs follow from the species and the site, not from this choice); "no_fee": a
# permit is needed but art. 86 ust. 1 charges no fee (Dz.U. 2023 poz. 1336, art. 86 as
# read on lexlege.pl, in force 15.04.2024; pkt 1 is "no permit needed" itself).
NO_PERMIT, NO_FEE = "no_permit", "no_fee"
EXEMPTIONS = [
    ("plantation", _("plantation of trees or shrubs"), NO_PERMIT, "art. 83f ust. 1"),
    ("monument", _("renewal and care of trees on a registered monument"), NO_FEE,
     "art. 86 ust. 1 pkt 1a"),
    ("safety", _("threatens people or property in existing buildings, or utility equipment"),
     NO_FEE, "art. 86 ust. 1 pkt 4"),
    ("traffic", _("threatens road, rail or shipping safety"), NO_FEE, "art. 86 ust. 1 pkt 5"),
    ("road_works", _("reconstruction of a public road or railway line"), NO_FEE,
     "art. 86 ust. 1 pkt 6"),
    ("restore_tree", _("tree up to 120/80 cm at 130 cm, removed to restore unused land to the "
                       "use the plan or WZ sets"), NO_FEE, "art. 86 ust. 1 pkt 7"),
    ("restore_shrub", _("shrubs up to 50 m², removed to restore unused land to the use the "
                        "plan or WZ sets"), NO_FEE, "art. 86 ust. 1 pkt 8"),
    ("care", _("care works on trees and shrubs"), NO_FEE, "art. 86 ust. 1 pkt 9"),
]
EXEMPTION_CHOICES = [("", _("none"))] + [(code, label) for code, label, _k, _b in EXEMPTIONS]
EXEMPTION_KIND = {code: kind for code, _l, kind, _b in EXEMPTIONS}
EXEMPTION_BASIS = {code: basis for code, _l, _k, basis in EXEMPTIONS}


class TreeItem(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="trees", verbose_name=_("application"))
    position = models.PositiveSmallIntegerField(_("number"))
    species = models.ForeignKey(Species, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("species"))
    location = models.PointField(_("location"), srid=SRID)
    circumference_5cm = models.PositiveSmallIntegerField(_("circumference at 5 cm [cm]"))
    stems_130cm = ArrayField(models.PositiveSmallIntegerField(), verbose_name=_(
        "stem circumferences at 130 cm [cm]"), default=list, blank=True)
    exemption = models.CharField(_("no permit or no fee because"), max_length=16, blank=True,
                                 choices=EXEMPTION_CHOICES)

    class Meta:
        verbose_name = _("tree")
        verbose_name_plural = _("trees")
        ordering = ["application", "position"]
        constraints = [models.UniqueConstraint(fields=["application", "position"],
                                               name="tree_position_unique")]


class ShrubGroup(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="shrubs", verbose_name=_("application"))
    position = models.PositiveSmallIntegerField(_("number"))
    species = models.ForeignKey(Species, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("species"))
    area = models.PolygonField(_("area"), srid=SRID)
    area_m2 = models.DecimalField(_("area [m²]"), max_digits=10, decimal_places=1)
    exemption = models.CharField(_("no permit or no fee because"), max_length=16, blank=True,
                                 choices=EXEMPTION_CHOICES)

    class Meta:
        verbose_name = _("shrub group")
        verbose_name_plural = _("shrub groups")
        ordering = ["application", "position"]
        constraints = [models.UniqueConstraint(fields=["application", "position"],
                                               name="shrub_position_unique")]


class ReplacementPlanting(models.Model):
    """A condition of a permit (art. 83c ust. 2): trees or shrubs to plant, where and by when."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="replacement_plantings",
                                    verbose_name=_("application"))
    number = models.PositiveSmallIntegerField(_("number of plants"))
    species = models.ForeignKey(Species, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("species"))
    place = models.CharField(_("place"), max_length=300)
    deadline = models.DateField(_("plant by"))

    class Meta:
        verbose_name = _("replacement planting")
        verbose_name_plural = _("replacement plantings")
