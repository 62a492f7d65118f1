"""cadastre_sync: the cadastre (EGiB) model, its importers, tax records and reconciliation.
Depends only on core."""
