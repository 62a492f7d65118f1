"""layers: what is published on the map and how: zoning data, the layer registry,
MapServer mapfiles and MapProxy configuration, tiles and feature info.
May read cadastre_sync; never imports permits."""
