from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CadastreSyncConfig(AppConfig):
    name = "cadastre_sync"
    verbose_name = _("Cadastre")

    def ready(self) -> None:
        from core.rules import rule_lister_register, rule_value_labels_declare, rules_declare

        from .selectors import import_rules_in_force
        from .tax import rules as tax_rules
        from .tax.models import TaxFinding
        from .tax.rules import TAX_RULE_LABELS
        from .tax.selectors import (
            conversion_factors_in_force,
            next_year_tax_rules_missing,
            tax_rates_in_force,
        )

        rules_declare(_("tax"), TAX_RULE_LABELS)
        rule_lister_register(import_rules_in_force)
        rule_lister_register(tax_rates_in_force)
        rule_lister_register(conversion_factors_in_force)
        rule_lister_register(next_year_tax_rules_missing)
        rule_value_labels_declare({
            **dict(tax_rules.RATE_KEYS), **dict(tax_rules.OBJECT_KINDS),
            tax_rules.TAX_EXEMPT: _("exempt"),
            tax_rules.TAX_EXEMPT_ON_FARM: _("exempt on a farm's land, else other buildings"),
            tax_rules.ARABLE: _("arable land and orchards"),
            tax_rules.GRASSLAND: _("meadows and pastures"),
            **tax_rules.CATEGORY_NAMES, **dict(TaxFinding.SEVERITY_CHOICES),
            "high_from": _("high from [zł a year]"), "medium_from": _("medium from [zł a year]"),
            "fixed": _("fixed"), "spouse": _("only one spouse taxed")})
