// The map of an application (permits): the chosen parcels over our WMS, the trees as points
// and the shrub groups as outlines, in PL-1992 (EPSG:2180). On the form it writes into the
// same fields a resident can type without it: a click places a tree (X, Y of a new row),
// "Add a shrub group" draws an outline (GeoJSON of a new row). Settings come as JSON from
// the page (permits/templates/permits/_map.html).
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

function treeStyle(feature) {
  return new Style({
    image: new Circle({radius: 7, fill: new Fill({color: '#15803d'}),
      stroke: new Stroke({color: '#fff', width: 2})}),
    text: new Text({text: String(feature.get('n') ?? ''), offsetY: -14, font: 'bold 12px sans-serif',
      fill: new Fill({color: '#14532d'}), stroke: new Stroke({color: '#fff', width: 3})}),
  });
}

const shrubStyle = new Style({
  stroke: new Stroke({color: '#15803d', width: 2}),
  fill: new Fill({color: 'rgba(21, 128, 61, 0.25)'}),
});

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

function addRow(prefix) {
  const total = document.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`);
  const template = document.getElementById(`${prefix.replace(/s$/, '')}-row-template`);
  const body = document.querySelector(`#${prefix.replace(/s$/, '')}-rows tbody`);
  if (!total || !template || !body) return null;
  const index = Number(total.value);
  const html = template.innerHTML.replaceAll('__prefix__', String(index))
    .replaceAll('__n__', String(index + 1));
  body.insertAdjacentHTML('beforeend', html);
  total.value = String(index + 1);
  return body.lastElementChild;
}

function treeRowForPoint() {
  const rows = [...document.querySelectorAll('#tree-rows tbody tr')];
  const empty = rows.find((row) => !row.querySelector('.coord-x').value
    && !row.querySelector('.coord-y').value);
  return empty || addRow('trees');
}

function treesFromRows() {
  return [...document.querySelectorAll('#tree-rows tbody tr')].flatMap((row, i) => {
    const x = parseFloat(row.querySelector('.coord-x')?.value);
    const y = parseFloat(row.querySelector('.coord-y')?.value);
    if (Number.isNaN(x) || Number.isNaN(y)) return [];
    return [new Feature({geometry: new Point([x, y]), n: i + 1})];
  });
}

function shrubsFromRows() {
  return [...document.querySelectorAll('#shrub-rows tbody tr')].flatMap((row) => {
    const text = row.querySelector('.shrub-geometry')?.value.trim();
    if (!text || !text.startsWith('{')) return [];
    try {
      return [new Feature({geometry: geojson.readGeometry(JSON.parse(text))})];
    } catch {
      return [];
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
  const trees = new VectorSource({features: readFeatures(features.trees)});
  const shrubs = new VectorSource({features: readFeatures(features.shrubs)});
  const map = new Map({
    target,
    layers: [
      wmsLayer(config, projection, status),
      new VectorLayer({source: parcels, style: parcelStyle}),
      new VectorLayer({source: shrubs, style: shrubStyle}),
      new VectorLayer({source: trees, style: treeStyle}),
    ],
    controls: defaultControls({rotate: false, attributionOptions: {collapsible: false}})
      .extend([new ScaleLine({units: 'metric'})]),
    // On a form a click places a tree at once: no double-click zoom to tell it from (the
    // buttons, the wheel and pinching zoom), so no wait for a "single" click either.
    interactions: defaultInteractions({doubleClickZoom: !config.editable}),
    view: new View({projection, maxZoom: 28}),
  });
  const extent = createEmpty();
  for (const source of [parcels, trees, shrubs]) {
    if (source.getFeatures().length) extendExtent(extent, source.getExtent());
  }
  if (!isEmpty(extent)) map.getView().fit(extent, {padding: [40, 40, 40, 40], maxZoom: 21});
  if (config.editable) makeEditable(map, trees, shrubs);
  if (config.editable) makeSiteEditable(map);
  return map;
}

// A site boundary (the WZ application): one polygon drawn with #draw-site into the
// textarea.site-geometry (GeoJSON in PL-1992), shown as typed or drawn.
function makeSiteEditable(map) {
  const field = document.querySelector('textarea.site-geometry');
  const button = document.getElementById('draw-site');
  if (!field || !button) return;
  const site = new VectorSource();
  map.addLayer(new VectorLayer({source: site, style: shrubStyle}));
  const show = () => {
    site.clear();
    const text = field.value.trim();
    if (!text.startsWith('{')) return;
    try {
      site.addFeature(new Feature({geometry: geojson.readGeometry(JSON.parse(text))}));
    } catch (error) { /* half-typed GeoJSON: shown once it reads */ }
  };
  show();
  field.addEventListener('input', show);
  button.addEventListener('click', () => {
    const draw = new Draw({type: 'Polygon', source: site});
    site.clear();
    draw.on('drawend', (event) => {
      field.value = JSON.stringify(geojson.writeGeometryObject(event.feature.getGeometry(),
        {decimals: 2}));
      map.removeInteraction(draw);
    });
    map.addInteraction(draw);
  });
}

function makeEditable(map, trees, shrubs) {
  const form = document.getElementById('application-form');
  if (!form) return;
  const refresh = () => {
    trees.clear();
    trees.addFeatures(treesFromRows());
    shrubs.clear();
    shrubs.addFeatures(shrubsFromRows());
  };
  refresh();
  form.addEventListener('input', refresh);
  let draw = null;
  map.on('click', (event) => {
    if (draw) return;
    const row = treeRowForPoint();
    if (!row) return;
    const [x, y] = event.coordinate;
    row.querySelector('.coord-x').value = x.toFixed(1);
    row.querySelector('.coord-y').value = y.toFixed(1);
    refresh();
    row.querySelector('select')?.focus();
  });
  document.getElementById('add-tree')?.addEventListener('click', () => {
    addRow('trees')?.querySelector('select')?.focus();
  });
  document.getElementById('add-shrub')?.addEventListener('click', () => {
    if (draw) return;
    draw = new Draw({type: 'Polygon', source: shrubs});
    draw.on('drawend', (event) => {
      const row = addRow('shrubs');
      const geometry = geojson.writeGeometryObject(event.feature.getGeometry(),
        {decimals: 2});
      if (row) row.querySelector('.shrub-geometry').value = JSON.stringify(geometry);
      map.removeInteraction(draw);
      // The click that ended the drawing must not also place a tree.
      setTimeout(() => { draw = null; }, 0);
      row?.querySelector('select')?.focus();
    });
    map.addInteraction(draw);
  });
}

// The live verdict: the form's content sent to the assessment API as the resident types;
// the answer replaces the verdict panel's text. Without JavaScript "Check" does the same.
function formContent(form) {
  const value = (name) => form.elements[name]?.value ?? '';
  const checked = (name) => Boolean(form.elements[name]?.checked);
  const rows = (prefix, fields) => {
    const total = Number(value(`${prefix}-TOTAL_FORMS`));
    return [...Array(total).keys()].map((i) => Object.fromEntries(
      fields.map((f) => [f, value(`${prefix}-${i}-${f}`)]))).filter((row) => row.species);
  };
  return {
    applicant_name: value('main-applicant_name') || '-',
    applicant_address: value('main-applicant_address') || '-',
    reason: value('main-reason') || '-',
    natural_person: checked('main-natural_person'), own_land: checked('main-own_land'),
    land_natural_persons: checked('main-land_natural_persons'),
    business: checked('main-business'),
    trees: rows('trees', ['species', 'x', 'y', 'circumference_5cm', 'stems_130cm', 'exemption'])
      .map((t) => ({...t, stems_130cm: t.stems_130cm.split(',').map((s) => s.trim())
        .filter(Boolean).map(Number)})),
    shrubs: rows('shrubs', ['species', 'geometry', 'exemption']),
  };
}

function liveVerdict(config) {
  const form = document.getElementById('application-form');
  const panel = document.getElementById('verdict');
  if (!form || !panel || !config.assessment) return;
  const answer = document.createElement('div');
  answer.className = 'verdict__live';
  answer.setAttribute('aria-live', 'polite');
  panel.append(answer);
  let timer = null;
  const ask = async () => {
    const content = formContent(form);
    if (!content.trees.length && !content.shrubs.length) return;
    const response = await fetch(config.assessment.url, {
      method: 'POST', credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', Accept: 'application/json',
        'X-CSRFToken': form.elements.csrfmiddlewaretoken.value},
      body: JSON.stringify({parcels: config.assessment.parcels, content}),
    });
    if (!response.ok) return; // incomplete rows: "Check" explains what is missing
    const result = await response.json();
    answer.replaceChildren();
    const head = document.createElement('p');
    head.className = `verdict__answer verdict--${result.verdict}`;
    head.dataset.liveVerdict = result.verdict;
    head.textContent = config.assessment.labels[result.verdict]
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
  // (a click places a tree) only then, not when the script starts.
  map.once('postrender', () => target.classList.add('permits-map--ready'));
  liveVerdict(config);
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', start);
} else {
  start();
}
