"""permits models: the framework (base) and one module per application kind.

A new kind adds its module here with one import line (see permits/kinds.py).
"""
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
from .trees import FeeRate, ReplacementPlanting, ShrubGroup, Species, TreeItem  # noqa: F401
from .zoning import WzApplication, ZoningExtract  # noqa: F401
