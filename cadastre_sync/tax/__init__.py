"""Tax records and their reconciliation with the cadastre (issue 9).

- `rules.py`: the legal tables (land use -> tax class, building classes, conversion
  hectare factors, default rates per year, tolerances), each with its source;
- `reading.py`, `columns.py`, `rows.py`: reading a municipal tax system's CSV/XLSX export;
- `importer.py`: staging with COPY and the one-transaction merge;
- `reconcile_sql.py`, `reconcile.py`: the set-based comparison with the cadastre;
- `services.py` (writes), `selectors.py` (reads), `views.py`, `exports.py`.
"""
