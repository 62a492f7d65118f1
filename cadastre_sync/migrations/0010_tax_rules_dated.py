"""Tax rules as dated, sourced data: the 2025 maxima corrected and the 2026 maxima added
(each with its source and whether the figure was confirmed), the agricultural and forest
rates replaced by the year's rye and wood prices (core.LegalRule), and the land-use and
building-class tables as dated rules. Reversing removes the seeded rules only."""
from datetime import date
from decimal import Decimal

from django.db import migrations, models

from cadastre_sync.tax.rules import DEFAULT_RATES, DEFAULT_RATES_SOURCE, LEGAL_RULES


def _date(value):
    return date.fromisoformat(value) if value else None


def seed(apps, schema_editor):
    TaxRate = apps.get_model("cadastre_sync", "TaxRate")
    LegalRule = apps.get_model("core", "LegalRule")
    TaxRate.objects.filter(unit=None, key__in=["agricultural", "forest"]).delete()
    for year, rates in DEFAULT_RATES.items():
        for key, (rate, verified, note) in rates.items():
            TaxRate.objects.update_or_create(unit=None, year=year, key=key, defaults={
                "rate": Decimal(rate), "source": DEFAULT_RATES_SOURCE[year],
                "verified": verified, "note": note})
    for key, value, start, end, act, article, journal, verified, note in LEGAL_RULES:
        LegalRule.objects.update_or_create(unit=None, key=key, valid_from=_date(start), defaults={
            "value": value, "valid_to": _date(end), "act": act, "article": article,
            "journal": journal, "verified": verified, "note": note})


def unseed(apps, schema_editor):
    LegalRule = apps.get_model("core", "LegalRule")
    LegalRule.objects.filter(unit=None, key__in={row[0] for row in LEGAL_RULES}).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('cadastre_sync', '0009_iip_identity'),
        ('core', '0007_legal_rule'),
    ]

    operations = [
        migrations.AddField(
            model_name='taxrate',
            name='note',
            field=models.CharField(blank=True, max_length=300, verbose_name='note'),
        ),
        migrations.AddField(
            model_name='taxrate',
            name='verified',
            field=models.BooleanField(default=False, verbose_name='verified against the source'),
        ),
        migrations.AlterField(
            model_name='landusepiece',
            name='ozk',
            field=models.CharField(blank=True, choices=[('I', 'I'), ('II', 'II'), ('IIIa', 'IIIa'), ('IIIb', 'IIIb'), ('IVa', 'IVa'), ('IVb', 'IVb'), ('III', 'III'), ('IV', 'IV'), ('V', 'V'), ('VI', 'VI'), ('VIz', 'VIz')], max_length=4, verbose_name='soil class (OZK)'),
        ),
        migrations.AlterField(
            model_name='taxrate',
            name='key',
            field=models.CharField(choices=[('land_business', 'land used for business [zł/m²]'), ('land_water', 'land under water [zł/ha]'), ('land_other', 'other land [zł/m²]'), ('building_residential', 'residential buildings [zł/m² usable floor area]'), ('building_business', 'business buildings [zł/m² usable floor area]'), ('building_other', 'other buildings [zł/m² usable floor area]')], max_length=24, verbose_name='rate'),
        ),
        migrations.RunPython(seed, unseed),
    ]
