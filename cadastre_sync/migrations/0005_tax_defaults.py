"""Statutory default rates, the conversion hectare factors and the default column profile.

Seeded from cadastre_sync.tax.rules and .columns (the tables with their sources); an
administrator corrects them in the admin. Reversing removes only the default rows.
"""
from decimal import Decimal

from django.db import migrations

from cadastre_sync.tax.columns import DEFAULT_COLUMNS, DEFAULT_PROFILE_NAME
from cadastre_sync.tax.rules import CONVERSION_FACTORS, DEFAULT_RATES, DEFAULT_RATES_SOURCE


def seed(apps, schema_editor):
    TaxRate = apps.get_model("cadastre_sync", "TaxRate")
    ConversionFactor = apps.get_model("cadastre_sync", "ConversionFactor")
    ColumnProfile = apps.get_model("cadastre_sync", "ColumnProfile")
    for year, rates in DEFAULT_RATES.items():
        for key, (rate, _verified, _note) in rates.items():
            TaxRate.objects.get_or_create(unit=None, year=year, key=key, defaults={
                "rate": Decimal(rate), "source": DEFAULT_RATES_SOURCE[year]})
    for group, classes in CONVERSION_FACTORS.items():
        for soil_class, factors in classes.items():
            for district, factor in enumerate(factors.split(), start=1):
                ConversionFactor.objects.get_or_create(
                    land_group=group, soil_class=soil_class, district=district,
                    defaults={"factor": Decimal(factor)})
    ColumnProfile.objects.get_or_create(unit=None, name=DEFAULT_PROFILE_NAME, defaults={
        "columns": DEFAULT_COLUMNS, "is_default": True})


def unseed(apps, schema_editor):
    apps.get_model("cadastre_sync", "TaxRate").objects.filter(unit=None).delete()
    apps.get_model("cadastre_sync", "ConversionFactor").objects.all().delete()
    apps.get_model("cadastre_sync", "ColumnProfile").objects.filter(
        unit=None, name=DEFAULT_PROFILE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("cadastre_sync", "0004_tax_register")]
    operations = [migrations.RunPython(seed, unseed)]
