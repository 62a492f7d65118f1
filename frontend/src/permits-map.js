// The map of an application (permits), the same for every kind: the chosen parcels over our
// WMS, and the kind's own features (config.features: point and polygon collections, e.g. the
// trees and the shrub groups) in PL-1992 (EPSG:2180). On a form it writes into the fields a
// resident can type without it, found through the markup a kind's form template gives:
//   <table data-map-points="P">   rows with inputs .map-x and .map-y: a click fills the
//                                 first empty row (or a new one) with the point's X and Y;
//   <table data-map-polygons="P"> rows with a textarea.map-polygon, filled by drawing after
//                                 a click on <button data-map-draw="P">;
//   <button data-map-draw-into="ID"> draws one polygon into textarea#ID (.map-polygon);
//   <template data-row-template="P"> the empty row of formset P, added by
//                                 <button data-map-add-row="P"> and by the map.
// The live check (config.assessment, from the kind) sends the form's content to the kind's
// API as the resident types. Settings come as JSON from permits/templates/permits/_map.html.
import 'ol/ol.css';
import './permits-map.css';

import Feature from 'ol/Feature.js';
import Map from 'ol/Map.js';
import View from 'ol/View.js';
import {defaults as defaultControls, ScaleLine} from 'ol/control.js';
import {extend as extendExtent, createEmpty, isEmpty} from 'ol/extent.js';
import GeoJSON from 'ol/format/GeoJSON.js';
import Point from 'ol/geom/Point.js';
import Draw from 'ol/interaction/Draw.js';
import {defaults as defaultInteractions} from 'ol/interaction/defaults.js';
import ImageLayer from 'ol/layer/Image.js';
import VectorLayer from 'ol/layer/Vector.js';
import {get as getProjection} from 'ol/proj.js';
import {register} from 'ol/proj/proj4.js';
import ImageSource from 'ol/source/Image.js';
import VectorSource from 'ol/source/Vector.js';
import {createLoader} from 'ol/source/wms.js';
import {Circle, Fill, Stroke, Style, Text} from 'ol/style.js';
import proj4 from 'proj4';

import {safeImageLoad} from './wms-loader.js';

const PL_1992 = 'EPSG:2180';
proj4.defs(
  PL_1992,
  '+proj=tmerc +lat_0=0 +lon_0=19 +k=0.9993 +x_0=500000 +y_0=-5300000 ' +
    '+ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
);
register(proj4);

const geojson = new GeoJSON();

const parcelStyle = new Style({
  stroke: new Stroke({color: '#b91c1c', width: 3}),
  fill: new Fill({color: 'rgba(185, 28, 28, 0.06)'}),
});

const polygonStyle = new Style({
  stroke: new Stroke({color: '#15803d', width: 2}),
  fill: new Fill({color: 'rgba(21, 128, 61, 0.25)'}),
});

// Points numbered as their rows; polygons outlined.
function featureStyle(feature) {
  if (feature.getGeometry().getType() !== 'Point') return polygonStyle;
  return new Style({
    image: new Circle({radius: 7, fill: new Fill({color: '#15803d'}),
      stroke: new Stroke({color: '#fff', width: 2})}),
    text: new Text({text: String(feature.get('n') ?? ''), offsetY: -14, font: 'bold 12px sans-serif',
      fill: new Fill({color: '#14532d'}), stroke: new Stroke({color: '#fff', width: 3})}),
  });
}

function readFeatures(collection) {
  return collection ? geojson.readFeatures(collection) : [];
}

function wmsLayer(config, projection, status) {
  return new ImageLayer({
    source: new ImageSource({
      loader: createLoader({
        url: config.wms.url,
        params: {LAYERS: config.wms.layers, FORMAT: 'image/png', TRANSPARENT: true,
          VERSION: '1.1.1'},
        projection,
        ratio: 1.2,
        load: safeImageLoad(status, () => {}),
      }),
    }),
  });
}

// Formset rows ------------------------------------------------------------------------------

const bodyOf = (attribute, prefix) =>
  document.querySelector(`table[${attribute}="${CSS.escape(prefix)}"] tbody`);

function addRow(prefix) {
  const total = document.querySelector(`input[name="${CSS.escape(prefix)}-TOTAL_FORMS"]`);
  const template = document.querySelector(`template[data-row-template="${CSS.escape(prefix)}"]`);
  const table = document.querySelector(`table[data-map-points="${CSS.escape(prefix)}"], ` +
    `table[data-map-polygons="${CSS.escape(prefix)}"]`);
  const body = table?.querySelector('tbody');
  if (!total || !template || !body) return null;
  const index = Number(total.value);
  const html = template.innerHTML.replaceAll('__prefix__', String(index))
    .replaceAll('__n__', String(index + 1));
  body.insertAdjacentHTML('beforeend', html);
  total.value = String(index + 1);
  return body.lastElementChild;
}

// The first formset of points on the form: where a click on the map goes.
function pointsPrefix() {
  return document.querySelector('table[data-map-points]')?.dataset.mapPoints ?? null;
}

function rowForPoint(prefix) {
  const rows = [...(bodyOf('data-map-points', prefix)?.querySelectorAll('tr') ?? [])];
  const empty = rows.find((row) => !row.querySelector('.map-x').value
    && !row.querySelector('.map-y').value);
  return empty || addRow(prefix);
}

function pointsFromRows() {
  return [...document.querySelectorAll('table[data-map-points] tbody')].flatMap((body) =>
    [...body.querySelectorAll('tr')].flatMap((row, i) => {
      const x = parseFloat(row.querySelector('.map-x')?.value);
      const y = parseFloat(row.querySelector('.map-y')?.value);
      if (Number.isNaN(x) || Number.isNaN(y)) return [];
      return [new Feature({geometry: new Point([x, y]), n: i + 1})];
    }));
}

function polygonsFromFields() {
  return [...document.querySelectorAll('textarea.map-polygon')].flatMap((field) => {
    const text = field.value.trim();
    if (!text || !text.startsWith('{')) return [];
    try {
      return [new Feature({geometry: geojson.readGeometry(JSON.parse(text))})];
    } catch {
      return []; // half-typed GeoJSON: shown once it reads
    }
  });
}

// The map -----------------------------------------------------------------------------------

function createMap(target, config) {
  const projection = getProjection(PL_1992);
  const statusElement = document.getElementById('permits-map-status');
  const status = (detail) => {
    if (statusElement) statusElement.textContent = config.messages.error;
    if (statusElement) statusElement.dataset.detail = detail;
  };
  const features = config.features || {};
  const parcels = new VectorSource({features: readFeatures(config.parcels || features.parcels)});
  // The kind's own features: every collection but the parcels, as read from the case.
  const own = new VectorSource({features: Object.entries(features)
    .filter(([name]) => name !== 'parcels').flatMap(([, collection]) => readFeatures(collection))});
  const map = new Map({
    target,
    layers: [
      wmsLayer(config, projection, status),
      new VectorLayer({source: parcels, style: parcelStyle}),
      new VectorLayer({source: own, style: featureStyle}),
    ],
    controls: defaultControls({rotate: false, attributionOptions: {collapsible: false}})
      .extend([new ScaleLine({units: 'metric'})]),
    // On a form a click places a point at once: no double-click zoom to tell it from (the
    // buttons, the wheel and pinching zoom), so no wait for a "single" click either.
    interactions: defaultInteractions({doubleClickZoom: !config.editable}),
    view: new View({projection, maxZoom: 28}),
  });
  const extent = createEmpty();
  for (const source of [parcels, own]) {
    if (source.getFeatures().length) extendExtent(extent, source.getExtent());
  }
  if (!isEmpty(extent)) map.getView().fit(extent, {padding: [40, 40, 40, 40], maxZoom: 21});
  if (config.editable) makeEditable(map, own);
  return map;
}

function makeEditable(map, own) {
  const form = document.getElementById('application-form');
  if (!form) return;
  // On a form the fields are the truth: what is drawn is read from them.
  const refresh = () => {
    own.clear();
    own.addFeatures([...polygonsFromFields(), ...pointsFromRows()]);
  };
  refresh();
  form.addEventListener('input', refresh);
  let draw = null;
  const drawInto = (fill) => {
    if (draw) return;
    draw = new Draw({type: 'Polygon', source: own});
    draw.on('drawend', (event) => {
      const geometry = geojson.writeGeometryObject(event.feature.getGeometry(), {decimals: 2});
      const field = fill();
      if (field) field.value = JSON.stringify(geometry);
      map.removeInteraction(draw);
      // The click that ended the drawing must not also place a point.
      setTimeout(() => {
        draw = null;
        refresh();
      }, 0);
      field?.closest('tr')?.querySelector('select')?.focus();
    });
    map.addInteraction(draw);
  };
  map.on('click', (event) => {
    const prefix = pointsPrefix();
    if (draw || prefix === null) return;
    const row = rowForPoint(prefix);
    if (!row) return;
    const [x, y] = event.coordinate;
    row.querySelector('.map-x').value = x.toFixed(1);
    row.querySelector('.map-y').value = y.toFixed(1);
    refresh();
    row.querySelector('select')?.focus();
  });
  document.querySelectorAll('button[data-map-add-row]').forEach((button) => {
    button.addEventListener('click', () => {
      addRow(button.dataset.mapAddRow)?.querySelector('select')?.focus();
    });
  });
  document.querySelectorAll('button[data-map-draw]').forEach((button) => {
    button.addEventListener('click', () => drawInto(() =>
      addRow(button.dataset.mapDraw)?.querySelector('textarea.map-polygon')));
  });
  document.querySelectorAll('button[data-map-draw-into]').forEach((button) => {
    button.addEventListener('click', () => {
      const field = document.getElementById(button.dataset.mapDrawInto);
      if (!field) return;
      field.value = '';
      refresh();
      drawInto(() => field);
    });
  });
}

// The live check: the form's content (its main form's fields by name, each formset as a list
// of rows) sent to the kind's API as the resident types; the answer replaces the verdict
// panel's text. Without JavaScript "Check" does the same. The kind's settings say which
// prefix is the main form, which field makes a row count and what stands in for fields the
// check does not need.
function formContent(form, settings) {
  const content = {...(settings.placeholders || {})};
  const rows = {};
  const main = settings.mainPrefix ? `${settings.mainPrefix}-` : '';
  for (const element of form.elements) {
    const name = element.name;
    if (!name || element.type === 'submit' || element.type === 'button' ||
        name === 'csrfmiddlewaretoken' || /-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$/.test(name)) {
      continue;
    }
    if (element.type === 'radio' && !element.checked) continue;
    const value = element.type === 'checkbox' ? element.checked : element.value;
    const row = /^(.+)-(\d+)-([^-]+)$/.exec(name);
    if (row) {
      const [, prefix, index, field] = row;
      rows[prefix] ??= [];
      rows[prefix][Number(index)] ??= {};
      rows[prefix][Number(index)][field] = value;
    } else if (name.startsWith(main)) {
      const field = name.slice(main.length);
      if (value !== '' || !(field in content)) content[field] = value;
    }
  }
  for (const [prefix, list] of Object.entries(rows)) {
    content[prefix] = list.filter((row) => row && row[settings.rowKey]);
  }
  return content;
}

function liveVerdict(config) {
  const form = document.getElementById('application-form');
  const panel = document.getElementById('verdict');
  const settings = config.assessment;
  if (!form || !panel || !settings) return;
  const answer = document.createElement('div');
  answer.className = 'verdict__live';
  answer.setAttribute('aria-live', 'polite');
  panel.append(answer);
  let timer = null;
  const ask = async () => {
    const content = formContent(form, settings);
    const rowLists = Object.values(content).filter(Array.isArray);
    if (rowLists.length && !rowLists.some((list) => list.length)) return;
    const response = await fetch(settings.url, {
      method: 'POST', credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', Accept: 'application/json',
        'X-CSRFToken': form.elements.csrfmiddlewaretoken.value},
      body: JSON.stringify({parcels: settings.parcels, content}),
    });
    if (!response.ok) return; // incomplete rows: "Check" explains what is missing
    const result = await response.json();
    answer.replaceChildren();
    const head = document.createElement('p');
    head.className = `verdict__answer verdict--${result.verdict}`;
    head.dataset.liveVerdict = result.verdict;
    head.textContent = settings.labels[result.verdict]
      .replace('%(fee)s', Number(result.fee).toLocaleString(document.documentElement.lang,
        {minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: 'always'}));
    const list = document.createElement('ul');
    for (const line of result.lines) {
      list.append(Object.assign(document.createElement('li'), {textContent: line}));
    }
    answer.append(head, list);
    panel.querySelectorAll(':scope > p, :scope > ul').forEach((old) => old.remove());
  };
  form.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => ask().catch(() => {}), 400);
  });
}

function start() {
  const target = document.getElementById('permits-map');
  const element = document.getElementById('permits-map-config');
  if (!target || !element) return;
  const config = JSON.parse(element.textContent);
  const map = createMap(target, config);
  // OpenLayers drops pointer events until its first frame is drawn: the map is "ready"
  // (a click places a point) only then, not when the script starts.
  map.once('postrender', () => target.classList.add('permits-map--ready'));
  liveVerdict(config);
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', start);
} else {
  start();
}
