// Parcels as vector tiles from our own /tiles/pl1992/parcels/ (PostGIS ST_AsMVT): the
// parcel under the pointer is outlined, and a click knows its idDzialki at once, without
// asking the server what is there. Where the tiles are not drawn (small scales) the map
// falls back to asking /api/parcels/at/.
import MVT from 'ol/format/MVT.js';
import VectorTileLayer from 'ol/layer/VectorTile.js';
import VectorTileSource from 'ol/source/VectorTile.js';
import {Fill, Stroke, Style} from 'ol/style.js';

import {pl1992TileGrid} from './layers.js';

// Nearly transparent: invisible, yet found by hit detection (fully transparent is not).
const PICKABLE = new Style({fill: new Fill({color: 'rgba(255, 255, 255, 0.01)'})});
const HOVER = [
  new Style({stroke: new Stroke({color: '#ffffff', width: 5})}),
  new Style({stroke: new Stroke({color: '#0369a1', width: 2.5}),
    fill: new Fill({color: 'rgba(3, 105, 161, 0.10)'})}),
];
// The tiles start at mercator zoom 14 (about 6 m per pixel in Poland).
const MAX_RESOLUTION = 6.2;

export function createParcelTiles(map, config, projection) {
  const source = new VectorTileSource({
    format: new MVT({idProperty: 'id'}),
    url: config.vectorTiles.replace('{layer}', 'parcels'),
    projection,
    tileGrid: pl1992TileGrid(config.grid),
    transition: 0,
  });
  let hovered = null;
  const layer = new VectorTileLayer({
    source,
    maxResolution: MAX_RESOLUTION,
    zIndex: 40,
    style: (feature) => (feature.get('idDzialki') === hovered ? HOVER : PICKABLE),
    properties: {name: 'parcels-vector'},
  });
  map.addLayer(layer);

  const idAt = (pixel) => {
    const found = map.getFeaturesAtPixel(pixel, {layerFilter: (l) => l === layer,
      hitTolerance: 0});
    return found.length ? found[0].get('idDzialki') : null;
  };

  map.on('pointermove', (event) => {
    if (event.dragging || !layer.isVisible()) return;
    const id = idAt(event.pixel);
    if (id !== hovered) {
      hovered = id;
      layer.changed();
    }
    map.getTargetElement().style.cursor = id ? 'pointer' : '';
  });
  return {idAt: (pixel) => (layer.isVisible() ? idAt(pixel) : null)};
}
