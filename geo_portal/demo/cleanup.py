"""Deleting a unit's demo data (for --replace), children before parents.

Django emulates ON DELETE CASCADE in Python; in the database every foreign key is
NO ACTION, so set-based deletes must run in this order. A row of another app that
still points at the unit's parcels or owners stops the delete with an IntegrityError.
"""
from .run import Run

DELETES = (
    # the plans' zones, and what an import or the administration added to them
    *((what, f"DELETE FROM {{{table}}} WHERE plan_id IN (SELECT id FROM {{plan}} "  # noqa: S608 - our own table names
                "WHERE unit_id = %(unit_id)s AND identifier = ANY(%(plans)s))")
      for what, table in (("zones", "zone"), ("plan areas", "plan_area"),
                          ("plan documents", "plan_document"),
                          ("plan drawings", "plan_drawing"))),
    ("plans", "DELETE FROM {plan} WHERE unit_id = %(unit_id)s AND identifier = ANY(%(plans)s)"),
    ("addresses", "DELETE FROM {address} WHERE unit_id = %(unit_id)s "
                  "OR parcel_id IN (SELECT id FROM {parcel} WHERE unit_id = %(unit_id)s)"),
    ("building links", "DELETE FROM {building_parcels} WHERE building_id IN "
                       "(SELECT id FROM {building} WHERE unit_id = %(unit_id)s) "
                       "OR parcel_id IN (SELECT id FROM {parcel} WHERE unit_id = %(unit_id)s)"),
    ("building versions", "DELETE FROM {building_version} WHERE building_id IN "
                          "(SELECT id FROM {building} WHERE unit_id = %(unit_id)s)"),
    ("buildings", "DELETE FROM {building} WHERE unit_id = %(unit_id)s"),
    ("land use", "DELETE FROM {land_use} WHERE parcel_id IN "
                 "(SELECT id FROM {parcel} WHERE unit_id = %(unit_id)s)"),
    ("parcel versions", "DELETE FROM {parcel_version} WHERE parcel_id IN "
                        "(SELECT id FROM {parcel} WHERE unit_id = %(unit_id)s)"),
    ("parcels", "DELETE FROM {parcel} WHERE unit_id = %(unit_id)s"),
    ("shares", "DELETE FROM {share} WHERE register_unit_id IN "
               "(SELECT id FROM {register_unit} WHERE unit_id = %(unit_id)s) "
               "OR owner_id IN (SELECT id FROM {owner} WHERE unit_id = %(unit_id)s) "
               "OR spouse_id IN (SELECT id FROM {owner} WHERE unit_id = %(unit_id)s)"),
    ("owners", "DELETE FROM {owner} WHERE unit_id = %(unit_id)s"),
    ("register units", "DELETE FROM {register_unit} WHERE unit_id = %(unit_id)s"),
    ("precincts", "DELETE FROM {precinct} WHERE unit_id = %(unit_id)s"),
)


def unit_data_delete(run: Run, plans: list[str]) -> int:
    """Delete the unit's cadastre and the generator's plans; return the rows deleted."""
    deleted = 0
    for _what, statement in DELETES:
        deleted += max(run.sql(statement, {"plans": plans}), 0)
    run.sql("UPDATE {unit} SET boundary = NULL WHERE id = %(unit_id)s")
    return deleted
