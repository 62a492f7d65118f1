// The overview map of the home page: the hosted units, their precincts and parcels,
// drawn by our own WMS (MapProxy) in the Polish national grid PL-1992 (EPSG:2180).
// The page passes its settings as JSON (Django's json_script), see home.html.
import 'ol/ol.css';
import './overview-map.css';

import Map from 'ol/Map.js';
import View from 'ol/View.js';
import {defaults as defaultControls, ScaleLine} from 'ol/control.js';
import ImageLayer from 'ol/layer/Image.js';
import {get as getProjection} from 'ol/proj.js';
import {register} from 'ol/proj/proj4.js';
import ImageSource from 'ol/source/Image.js';
import {createLoader} from 'ol/source/wms.js';
import proj4 from 'proj4';

import {safeImageLoad} from './wms-loader.js';

const PL_1992 = 'EPSG:2180';
proj4.defs(
  PL_1992,
  '+proj=tmerc +lat_0=0 +lon_0=19 +k=0.9993 +x_0=500000 +y_0=-5300000 ' +
    '+ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
);
register(proj4);

function readConfig(id) {
  const element = document.getElementById(id);
  return element ? JSON.parse(element.textContent) : null;
}

// The status element is a live region that stays in the page; filling it announces the
// message to screen readers, emptying it hides it (see :empty in overview-map.css).
function statusReporter(element, message) {
  let shown = false;
  return {
    error(detail) {
      if (!element || shown) return;
      shown = true;
      element.textContent = message;
      element.dataset.detail = detail;
    },
    ok() {
      if (!element || !shown) return;
      shown = false;
      element.textContent = '';
      delete element.dataset.detail;
    },
  };
}

function wmsLayer(config, projection, status) {
  return new ImageLayer({
    source: new ImageSource({
      attributions: config.attribution,
      loader: createLoader({
        url: config.wms.url,
        // WMS 1.1.1 keeps the BBOX in x,y order for every SRS; 1.3.0 flips it for EPSG:2180.
        params: {LAYERS: config.wms.layers, FORMAT: 'image/png', TRANSPARENT: true,
          VERSION: '1.1.1'},
        projection,
        ratio: 1.2,
        load: safeImageLoad(status.error, status.ok),
      }),
    }),
  });
}

function createOverviewMap(target, config) {
  const projection = getProjection(PL_1992);
  projection.setExtent(config.bounds);
  const status = statusReporter(document.getElementById(config.statusId), config.messages.error);
  const map = new Map({
    target,
    layers: [wmsLayer(config, projection, status)],
    controls: defaultControls({
      zoomOptions: {zoomInTipLabel: config.messages.zoomIn, zoomOutTipLabel: config.messages.zoomOut},
      attributionOptions: {collapsible: false},
      rotate: false,
    }).extend([new ScaleLine({units: 'metric'})]),
    view: new View({projection, extent: config.bounds, constrainOnlyCenter: true}),
  });
  map.getView().fit(config.extent, {padding: [16, 16, 16, 16]});
  return map;
}

function start() {
  const target = document.getElementById('overview-map');
  const config = readConfig('overview-map-config');
  if (!target || !config) return;
  target.classList.add('overview-map--ready');
  createOverviewMap(target, config);
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', start);
} else {
  start();
}
