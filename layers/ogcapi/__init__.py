"""OGC API - Features (Part 1 core, Part 2 CRS by reference, Part 3 CQL2 filtering) of the
registry's feature collections, answered from PostGIS behind the one access policy.

`crs` names the coordinate reference systems offered and their axis order, `collections`
says how each collection reads the database, `cql` turns a CQL2 filter (parsed by
pygeofilter) into a Django query, `documents` writes the JSON documents. The views are
in layers/features.py; the HTML pages and the OpenAPI document stay MapServer's.
"""
