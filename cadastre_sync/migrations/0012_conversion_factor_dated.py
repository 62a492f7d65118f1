"""Conversion hectare factors dated and sourced (in force from, until, the act, verified),
and the reconciliation's finding severity as a dated rule; the tax rules written again."""
import datetime
import importlib
from decimal import Decimal

from django.db import migrations, models

from cadastre_sync.tax.rules import (
    CONVERSION_FACTORS,
    CONVERSION_FACTORS_FROM,
    CONVERSION_FACTORS_SOURCE,
)


def seed(apps, schema_editor):
    ConversionFactor = apps.get_model("cadastre_sync", "ConversionFactor")
    act, article, journal, verified, note = CONVERSION_FACTORS_SOURCE
    valid_from = datetime.date.fromisoformat(CONVERSION_FACTORS_FROM)
    for group, classes in CONVERSION_FACTORS.items():
        for soil_class, factors in classes.items():
            for district, factor in enumerate(factors.split(), start=1):
                ConversionFactor.objects.update_or_create(
                    land_group=group, soil_class=soil_class, district=district,
                    valid_from=valid_from, defaults={
                        "factor": Decimal(factor), "act": act, "article": article,
                        "journal": journal, "verified": verified, "note": note})
    importlib.import_module("cadastre_sync.migrations.0010_tax_rules_dated").seed(
        apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('cadastre_sync', '0011_job_heartbeat'),
        ('core', '0007_legal_rule'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='conversionfactor',
            options={'ordering': ['land_group', 'soil_class', 'district', '-valid_from'], 'verbose_name': 'conversion hectare factor', 'verbose_name_plural': 'conversion hectare factors'},
        ),
        migrations.RemoveConstraint(
            model_name='conversionfactor',
            name='conversion_factor_unique',
        ),
        migrations.AddField(
            model_name='conversionfactor',
            name='act',
            field=models.CharField(default='ustawa z dnia 15 listopada 1984 r. o podatku rolnym', help_text='e.g. ustawa z dnia 15 listopada 1984 r. o podatku rolnym, or the council resolution.', max_length=300, verbose_name='legal act'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='conversionfactor',
            name='article',
            field=models.CharField(blank=True, help_text='e.g. art. 4 ust. 1', max_length=120, verbose_name='article'),
        ),
        migrations.AddField(
            model_name='conversionfactor',
            name='journal',
            field=models.CharField(blank=True, help_text='e.g. Dz.U. 2024 poz. 1176 or M.P. 2025 poz. 717', max_length=120, verbose_name='official journal position'),
        ),
        migrations.AddField(
            model_name='conversionfactor',
            name='note',
            field=models.TextField(blank=True, verbose_name='note'),
        ),
        migrations.AddField(
            model_name='conversionfactor',
            name='valid_from',
            field=models.DateField(default=datetime.date(1985, 1, 1), verbose_name='in force from'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='conversionfactor',
            name='valid_to',
            field=models.DateField(blank=True, help_text='Last day in force; empty: until changed.', null=True, verbose_name='in force until'),
        ),
        migrations.AddField(
            model_name='conversionfactor',
            name='verified',
            field=models.BooleanField(default=False, help_text="Tick only after reading the figure in the act's text.", verbose_name='verified against the source'),
        ),
        migrations.AddConstraint(
            model_name='conversionfactor',
            constraint=models.UniqueConstraint(fields=('land_group', 'soil_class', 'district', 'valid_from'), name='conversion_factor_unique'),
        ),
        migrations.AddConstraint(
            model_name='conversionfactor',
            constraint=models.CheckConstraint(condition=models.Q(('valid_to__isnull', True), ('valid_to__gte', models.F('valid_from')), _connector='OR'), name='conversion_factor_period'),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
