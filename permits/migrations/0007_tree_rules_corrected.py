"""Trees and shrubs corrected: fruit species (no permit outside monuments and green
areas, art. 83f ust. 1), the 10 zł shrub group as the regulation names it (Dz.U. 2017
poz. 1330: dereń rozłogowy, róża pomarszczona, sumak octowiec, tawuła kutnerowata,
świdośliwa kłosowa; amorpha is not among them), the exemption codes of art. 86 ust. 1 as
in force (old codes mapped: "safety" kept, the rest moved to their real basis or cleared),
and the dated rules of permits/legal.py."""
from datetime import date

from django.db import migrations, models

from permits.legal import LEGAL_RULES

FRUIT = ["Pyrus", "Malus", "Prunus", "Cerasus"]
# latin, Polish, English (shrubs of the 10 zł group)
INVASIVE_SHRUBS = [
    ("Cornus sericea", "dereń rozłogowy", "red osier dogwood"),
    ("Rosa rugosa", "róża pomarszczona", "Japanese rose"),
    ("Rhus typhina", "sumak octowiec", "staghorn sumac"),
    ("Spiraea tomentosa", "tawuła kutnerowata", "steeplebush"),
    ("Amelanchier spicata", "świdośliwa kłosowa", "dwarf serviceberry"),
]
# Old exemption codes -> the code of the basis in force ("" where none applies: a dead
# tree is no longer an art. 86 case; a fruit tree needs no permit by its species).
OLD_CODES = {"dead": "", "fruit": "", "plantation": "plantation", "flood": "",
             "safety": "safety"}


def _date(value):
    return date.fromisoformat(value) if value else None


def seed(apps, schema_editor):
    Species = apps.get_model("permits", "Species")
    LegalRule = apps.get_model("core", "LegalRule")
    Species.objects.filter(latin_name__in=FRUIT).update(fruit=True)
    Species.objects.filter(shrub_group="invasive").exclude(
        latin_name__in=[s[0] for s in INVASIVE_SHRUBS]).update(shrub_group="other")
    for latin, pl, en in INVASIVE_SHRUBS:
        Species.objects.update_or_create(latin_name=latin, defaults=dict(
            name_pl=pl, name_en=en, is_tree=False, is_shrub=True, fee_group="D",
            shrub_group="invasive", notification_threshold_cm=50))
    for model in ("TreeItem", "ShrubGroup"):
        rows = apps.get_model("permits", model).objects
        for old, new in OLD_CODES.items():
            rows.filter(exemption=old).update(exemption=new)
    for key, value, start, end, act, article, journal, verified, note in LEGAL_RULES:
        LegalRule.objects.update_or_create(unit=None, key=key, valid_from=_date(start), defaults={
            "value": value, "valid_to": _date(end), "act": act, "article": article,
            "journal": journal, "verified": verified, "note": note})


def unseed(apps, schema_editor):
    apps.get_model("core", "LegalRule").objects.filter(
        unit=None, key__in={row[0] for row in LEGAL_RULES}).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0007_legal_rule'),
        ('permits', '0006_service_template'),
    ]

    operations = [
        migrations.AddField(
            model_name='species',
            name='fruit',
            field=models.BooleanField(default=False, help_text='Art. 83f ust. 1: fruit trees and shrubs need no permit outside a registered monument and public green areas.', verbose_name='fruit tree or shrub'),
        ),
        migrations.AlterField(
            model_name='shrubgroup',
            name='exemption',
            field=models.CharField(blank=True, choices=[('', 'none'), ('plantation', 'plantation of trees or shrubs'), ('monument', 'renewal and care of trees on a registered monument'), ('safety', 'threatens people or property in existing buildings, or utility equipment'), ('traffic', 'threatens road, rail or shipping safety'), ('road_works', 'reconstruction of a public road or railway line'), ('restore_tree', 'tree up to 120/80 cm at 130 cm, removed to restore unused land to the use the plan or WZ sets'), ('restore_shrub', 'shrubs up to 50 m², removed to restore unused land to the use the plan or WZ sets'), ('care', 'care works on trees and shrubs')], max_length=16, verbose_name='no permit or no fee because'),
        ),
        migrations.AlterField(
            model_name='treeitem',
            name='exemption',
            field=models.CharField(blank=True, choices=[('', 'none'), ('plantation', 'plantation of trees or shrubs'), ('monument', 'renewal and care of trees on a registered monument'), ('safety', 'threatens people or property in existing buildings, or utility equipment'), ('traffic', 'threatens road, rail or shipping safety'), ('road_works', 'reconstruction of a public road or railway line'), ('restore_tree', 'tree up to 120/80 cm at 130 cm, removed to restore unused land to the use the plan or WZ sets'), ('restore_shrub', 'shrubs up to 50 m², removed to restore unused land to the use the plan or WZ sets'), ('care', 'care works on trees and shrubs')], max_length=16, verbose_name='no permit or no fee because'),
        ),
        migrations.RunPython(seed, unseed),
    ]
