from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PermitsConfig(AppConfig):
    name = "permits"
    verbose_name = _("Applications and permits")

    def ready(self) -> None:
        from core.rules import rules_declare

        from .legal import LABELS

        rules_declare(_("permits"), LABELS)
