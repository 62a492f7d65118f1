"""permits models: the framework (base) here; each application kind's own models live in
its package (`permits/<kind>/models.py`) and are loaded from the kind registry.

Django registers the models of `permits.models` only; importing each kind package's
`models` module from here, in the order of permits.kinds.KIND_MODULES, registers the kinds'
models under the app label "permits" without this module naming any kind. Import a kind's
models from its own package (`from permits.<kind>.models import ...`).
"""
from importlib import import_module
from importlib.util import find_spec

from ..kinds import KIND_MODULES
from .base import (  # noqa: F401
    Application,
    ApplicationEvent,
    ApplicationParcel,
    Attachment,
    CaseCounter,
    DeadlineRule,
    KindSetting,
    ServiceTemplate,
    ServiceTemplateKind,
)


def kind_model_modules() -> list[str]:
    """The dotted paths of the kinds' model modules, in registry order (a kind package
    without models.py has none)."""
    packages = dict.fromkeys(path.rpartition(".")[0] for path in KIND_MODULES)
    return [f"{package}.models" for package in packages if find_spec(f"{package}.models")]


for _module in kind_model_modules():
    import_module(_module)
