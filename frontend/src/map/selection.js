// Selected parcels: a click selects the parcel under it (shift-click adds or removes),
// a search result selects its parcel; each is outlined on the map and has a card.
import GeoJSON from 'ol/format/GeoJSON.js';
import VectorLayer from 'ol/layer/Vector.js';
import VectorSource from 'ol/source/Vector.js';
import {Fill, Stroke, Style} from 'ol/style.js';

import {ApiError, getJson, parcelUrl} from './api.js';
import {renderActions, renderCard} from './card.js';
import {PL_1992} from './projection.js';

const HIGHLIGHT = [
  new Style({stroke: new Stroke({color: '#ffffff', width: 7})}),
  new Style({stroke: new Stroke({color: '#c2410c', width: 3.5}),
    fill: new Fill({color: 'rgba(234, 88, 12, 0.18)'})}),
];

export function createSelection(map, config, {status, onChange}) {
  const m = config.messages;
  const locale = document.documentElement.lang || 'pl';
  const source = new VectorSource();
  map.addLayer(new VectorLayer({source, style: HIGHLIGHT, zIndex: 50}));
  const format = new GeoJSON({dataProjection: PL_1992, featureProjection: PL_1992});
  const selected = new Map(); // parcel id -> API feature (card)
  const body = document.getElementById('map-card-body');
  const empty = document.getElementById('map-card-empty');
  const section = document.getElementById('map-card');

  async function renderActionsFor(ids) {
    if (!ids.length) return null;
    const params = new URLSearchParams({ids: ids.join(',')});
    try {
      const answer = await getJson(`${config.api.actions}?${params}`, m.serviceError);
      return renderActions(answer.actions, m);
    } catch (error) {
      return renderActions([], m);
    }
  }

  async function render() {
    const ids = [...selected.keys()];
    const cards = [...selected.values()].map((f) => renderCard(f, m, locale, remove));
    empty.hidden = ids.length > 0;
    const actions = await renderActionsFor(ids);
    body.replaceChildren(...cards, ...(actions ? [actions] : []));
    onChange();
  }

  function draw() {
    source.clear();
    selected.forEach((feature) => {
      const olFeature = format.readFeature(feature);
      olFeature.setId(feature.id);
      source.addFeature(olFeature);
    });
  }

  async function select(id, {add = false, zoom = false, focus = false} = {}) {
    if (add && selected.has(id)) {
      remove(id);
      return null;
    }
    status.busy(m.loading);
    try {
      const feature = await getJson(parcelUrl(config, id), m.serviceError);
      if (!add) selected.clear();
      selected.set(feature.properties.id, feature);
      draw();
      if (zoom) zoomTo(feature.bbox);
      await render();
      status.ok(`${m.selected}: ${m.parcel} ${feature.properties.number}`);
      if (focus) section.focus();
      return feature;
    } catch (error) {
      status.error(error instanceof ApiError ? error.message : m.serviceError);
      return null;
    }
  }

  async function selectAt(coordinate, {add = false} = {}) {
    const params = new URLSearchParams({x: coordinate[0].toFixed(2),
      y: coordinate[1].toFixed(2), srid: '2180'});
    status.busy(m.loading);
    try {
      const feature = await getJson(`${config.api.at}?${params}`, m.serviceError);
      return select(feature.properties.id, {add});
    } catch (error) {
      if (error instanceof ApiError && error.status === 404 && !add) clear();
      status.error(error instanceof ApiError && error.status === 404 ? m.noParcelHere :
        error.message);
      return null;
    }
  }

  function zoomTo(bbox) {
    map.getView().fit(bbox, {padding: [40, 40, 40, 40], maxZoom: 13, duration: 0});
  }

  function remove(id) {
    selected.delete(id);
    draw();
    render();
  }

  function clear() {
    selected.clear();
    draw();
    render();
  }

  return {select, selectAt, zoomTo, clear, ids: () => [...selected.keys()]};
}
