from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CadastreSyncConfig(AppConfig):
    name = "cadastre_sync"
    verbose_name = _("Cadastre")
