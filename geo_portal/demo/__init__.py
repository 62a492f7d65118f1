"""Deterministic demo and benchmark data: a whole gmina from a TERYT code, a size and a seed.

It lives in the project package because it writes to every app: units and staff
(core), the cadastre (cadastre_sync) and zoning plans (layers).
"""
