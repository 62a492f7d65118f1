"""The portal's JSON API for the resident's map: parcels at a point, by id, and search."""
