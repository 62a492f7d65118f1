"""Readers of county cadastre exports (EGiB GML 2021/2015, SWDE, any OGR file), the
staging tables they fill, the SQL checks and the merge. Entry point:
cadastre_sync.services.cadastre_import."""
