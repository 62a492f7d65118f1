"""What the cadastre tells the apps above it, which it must not import.

`cadastre_changed` is sent once an import that changed the cadastre has committed, with
`unit` (AdministrativeUnit), `area` (MultiPolygon, EPSG:2180: the old and the new
geometry of every parcel and building created, changed or retired), `reason` (text for
people) and `job_id` (the CadastreImport, or None). The map layers connect a receiver
that refreshes the cached tiles over `area`.

`tax_findings_changed` is sent once a reconciliation run or an officer changed which
findings are open (the findings layer draws the open ones), with `unit`, `area`
(MultiPolygon, EPSG:2180: the findings opened, reopened or closed) and `reason`.
"""
from django.dispatch import Signal

cadastre_changed = Signal()
tax_findings_changed = Signal()
