// The resident's map (/mapa/): OpenLayers in PL-1992 with our MapProxy tiles, a layer
// tree with legends, search, parcel selection with cards, measurement, location and a
// permalink. The page passes its settings and translated texts as JSON (map.html).
import 'ol/ol.css';
import './map-page.css';

import Geolocation from 'ol/Geolocation.js';
import Map from 'ol/Map.js';
import Overlay from 'ol/Overlay.js';
import View from 'ol/View.js';
import {defaults as defaultControls, ScaleLine} from 'ol/control.js';
import {defaults as defaultInteractions} from 'ol/interaction/defaults.js';

import {
  activeBase, createLayers, renderBaseSwitch, renderLayerTree, setBase, showOverlays,
  visibleOverlays,
} from './map/layers.js';
import {createMeasure} from './map/measure.js';
import {createParcelTiles} from './map/parcel-tiles.js';
import {readPermalink, writePermalink} from './map/permalink.js';
import {
  pl1992, resolutionForScale, scaleForResolution,
} from './map/projection.js';
import {createSearch} from './map/search.js';
import {createSelection} from './map/selection.js';

function statusReporter(element) {
  const say = (text, kind) => {
    element.textContent = text;
    element.dataset.kind = kind;
  };
  return {
    busy: (text) => say(text, 'busy'),
    ok: (text) => say(text, 'ok'),
    error: (text) => say(text, 'error'),
  };
}

function createView(config, projection) {
  const resolutions = Array.from({length: config.grid.levels},
    (_, z) => config.grid.resolution0 / 2 ** z);
  return new View({projection, resolutions, extent: config.bounds, constrainOnlyCenter: true,
    constrainResolution: false});
}

function scaleSelect(select, map, config) {
  const view = map.getView();
  const current = document.createElement('option');
  current.value = '';
  select.append(current, ...config.scales.map((scale) => {
    const option = document.createElement('option');
    option.value = String(scale);
    option.textContent = `1:${scale.toLocaleString(document.documentElement.lang)}`;
    return option;
  }));
  select.addEventListener('change', () => {
    if (select.value) view.setResolution(resolutionForScale(Number(select.value)));
  });
  return () => {
    const scale = Math.round(scaleForResolution(view.getResolution()));
    const listed = config.scales.includes(scale);
    current.hidden = listed;
    current.textContent = `1:${scale.toLocaleString(document.documentElement.lang)}`;
    select.value = listed ? String(scale) : '';
  };
}

function locate(map, config, status) {
  const m = config.messages;
  const marker = document.createElement('div');
  marker.className = 'map-location';
  marker.setAttribute('aria-hidden', 'true');
  const overlay = new Overlay({element: marker, positioning: 'center-center'});
  map.addOverlay(overlay);
  const geolocation = new Geolocation({projection: map.getView().getProjection(),
    trackingOptions: {enableHighAccuracy: true, timeout: 15000}});
  geolocation.on('change:position', () => {
    const position = geolocation.getPosition();
    geolocation.setTracking(false);
    overlay.setPosition(position);
    map.getView().setCenter(position);
    map.getView().setResolution(resolutionForScale(2000));
    status.ok(m.located);
  });
  geolocation.on('error', () => {
    geolocation.setTracking(false);
    status.error(m.locationError);
  });
  return () => {
    status.busy(m.locating);
    geolocation.setTracking(true);
  };
}

function start() {
  const target = document.getElementById('map');
  const configElement = document.getElementById('map-config');
  if (!target || !configElement) return;
  const config = JSON.parse(configElement.textContent);
  const m = config.messages;
  const status = statusReporter(document.getElementById('map-status'));
  const projection = pl1992(config.bounds);
  let failed = false;
  const layers = createLayers(config, projection, (title) => {
    if (!failed) status.error(`${m.tilesError} (${title})`);
    failed = true;
  });
  const map = new Map({
    target,
    layers: layers.all,
    view: createView(config, projection),
    controls: defaultControls({
      zoomOptions: {zoomInTipLabel: m.zoomIn, zoomOutTipLabel: m.zoomOut},
      attributionOptions: {collapsible: true, tipLabel: m.attribution},
      rotate: false,
    }).extend([new ScaleLine({units: 'metric', bar: true, steps: 4, text: false,
      minWidth: 100})]),
    interactions: defaultInteractions({altShiftDragRotate: false, pinchRotate: false}),
    keyboardEventTarget: target,
  });
  // Whether every tile of the current view is loaded and drawn (the browser tests wait
  // for it): false from the moment more data is asked for.
  map.on('loadstart', () => { target.dataset.loaded = 'false'; });
  map.on('rendercomplete', () => { target.dataset.loaded = 'true'; });
  // Controls get their labels from the page's language.
  target.querySelectorAll('.ol-zoom-in').forEach((b) => b.setAttribute('aria-label', m.zoomIn));
  target.querySelectorAll('.ol-zoom-out').forEach((b) => b.setAttribute('aria-label', m.zoomOut));
  target.querySelectorAll('.ol-attribution button').forEach((b) =>
    b.setAttribute('aria-label', m.attribution));

  let measuring = false;
  let ready = false;
  const permalinkState = () => {
    const view = map.getView();
    const [x, y] = view.getCenter();
    return {x, y, scale: scaleForResolution(view.getResolution()), base: activeBase(layers),
      layers: visibleOverlays(layers), parcels: selection.ids()};
  };
  const updateLink = () => {
    if (ready) writePermalink(permalinkState());
  };
  const selection = createSelection(map, config, {status, onChange: updateLink});
  renderBaseSwitch(document.getElementById('map-bases'), config, layers, (name) => {
    setBase(layers, config, name);
    updateLink();
  });
  renderLayerTree(document.getElementById('map-layer-tree'), config, layers, updateLink);
  createSearch(config, {selection, status});
  createMeasure(map, {
    buttons: {LineString: document.getElementById('map-measure-length'),
      Polygon: document.getElementById('map-measure-area'),
      clear: document.getElementById('map-measure-clear')},
    output: document.getElementById('map-measure-result'),
    messages: m, locale: document.documentElement.lang,
    onActive: (active) => {
      measuring = active;
    },
  });
  const syncScale = scaleSelect(document.getElementById('map-scale'), map, config);
  document.getElementById('map-locate').addEventListener('click', locate(map, config, status));
  document.getElementById('map-copy-link').addEventListener('click', async () => {
    const url = window.location.href;
    try {
      await navigator.clipboard.writeText(url);
      status.ok(m.linkCopied);
    } catch (error) {
      status.ok(`${m.linkIs} ${url}`);
    }
  });

  const parcelTiles = config.overlays.some((o) => o.name === 'parcels') ?
    createParcelTiles(map, config, projection) : null;
  map.on('singleclick', (event) => {
    if (measuring) return;
    const add = event.originalEvent.shiftKey;
    const id = parcelTiles && parcelTiles.idAt(event.pixel);
    if (id) {
      selection.select(id, {add});
    } else {
      selection.selectAt(event.coordinate, {add});
    }
  });
  target.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && event.target === target) {
      event.preventDefault();
      selection.selectAt(map.getView().getCenter(), {add: event.shiftKey});
    }
  });
  map.on('moveend', () => {
    syncScale();
    updateLink();
  });

  // Restore the view from the address, else show the hosted units.
  const link = readPermalink();
  if (link.base !== null) setBase(layers, config, link.base);
  if (link.layers !== null) showOverlays(layers, link.layers);
  const view = map.getView();
  if (link.x !== null && link.y !== null) {
    view.setCenter([link.x, link.y]);
    view.setResolution(resolutionForScale(link.scale || 2000));
  } else {
    view.fit(config.extent, {padding: [16, 16, 16, 16]});
  }
  // Ready once the first frame is drawn (OpenLayers ignores clicks before it) and the
  // parcels named in the address are selected.
  const drawn = new Promise((resolve) => { map.once('postrender', resolve); });
  const selected = Promise.allSettled(link.parcels.map((id) => selection.select(id, {add: true})));
  Promise.all([drawn, selected]).finally(() => {
    ready = true;
    target.dataset.ready = 'true';
    syncScale();
    updateLink();
  });
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', start);
} else {
  start();
}
