// Tile layers from our MapProxy on the pl1992 grid (mapproxy/base.yaml), the base-map
// switch and the layer tree with visibility and legends (WMS GetLegendGraphic).
import TileLayer from 'ol/layer/Tile.js';
import XYZ from 'ol/source/XYZ.js';
import TileGrid from 'ol/tilegrid/TileGrid.js';

import {resolutionForScale} from './projection.js';

export function pl1992TileGrid(grid) {
  const resolutions = Array.from({length: grid.levels}, (_, z) => grid.resolution0 / 2 ** z);
  return new TileGrid({origin: grid.origin, extent: grid.extent, resolutions,
    tileSize: grid.tileSize});
}

function tileLayer(config, layer, tileGrid, projection, onError) {
  const source = new XYZ({
    url: config.tiles.replace('{layer}', encodeURIComponent(layer.name)),
    projection,
    tileGrid,
    attributions: config.attribution,
    transition: 0,
  });
  source.on('tileloaderror', () => onError(layer.title));
  return new TileLayer({
    source,
    visible: layer.visible,
    // A layer drawn only up to 1:max_scale is not asked for below it.
    maxResolution: layer.maxScale ? resolutionForScale(layer.maxScale) * 1.01 : undefined,
    minResolution: layer.minScale ? resolutionForScale(layer.minScale) : undefined,
    properties: {name: layer.name, title: layer.title},
  });
}

export function legendUrl(config, name) {
  const params = new URLSearchParams({SERVICE: 'WMS', VERSION: '1.1.1',
    REQUEST: 'GetLegendGraphic', LAYER: name, FORMAT: 'image/png', SLD_VERSION: '1.1.0'});
  return `${config.wms}?${params}`;
}

/** Base maps (orthophotos, the cartographic base map) and overlays, bottom to top. */
export function createLayers(config, projection, onError) {
  const tileGrid = pl1992TileGrid(config.grid);
  const bases = config.baseLayers.map((b) => tileLayer(config, b, tileGrid, projection, onError));
  const overlays = config.overlays.map((o) => tileLayer(config, o, tileGrid, projection, onError));
  return {bases, overlays, all: [...bases, ...[...overlays].reverse()]};
}

const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};

/** Radio buttons for the base map: an orthophoto, the cartographic base map or none. */
export function renderBaseSwitch(container, config, layers, onChange) {
  const shown = activeBase(layers);
  const choices = [...config.baseLayers, {name: '', title: config.messages.noBase}];
  choices.forEach((choice, index) => {
    const id = `map-base-${index}`;
    const input = el('input', {type: 'radio', name: 'map-base', id, value: choice.name,
      checked: choice.name === shown});
    input.addEventListener('change', () => onChange(choice.name));
    container.append(el('div', {className: 'map-bases__choice'}, input,
      el('label', {htmlFor: id}, choice.title)));
  });
  if (!config.baseLayers.some((base) => base.name !== config.baseMap)) {
    container.append(el('p', {className: 'hint'}, config.messages.noOrthophoto));
  }
}

export function setBase(layers, config, name) {
  // A base map no longer published (an old link) gives way to the default one.
  const names = layers.bases.map((layer) => layer.get('name'));
  const known = name === '' || names.includes(name) ? name : (names[0] || '');
  layers.bases.forEach((layer) => layer.setVisible(layer.get('name') === known));
  const radio = document.querySelector(`input[name="map-base"][value="${CSS.escape(known)}"]`);
  if (radio) radio.checked = true;
}

export function activeBase(layers) {
  const shown = layers.bases.find((layer) => layer.getVisible());
  return shown ? shown.get('name') : '';
}

/** Checkboxes per overlay, grouped, each with its legend while it is shown. */
export function renderLayerTree(container, config, layers, onChange) {
  const lang = document.documentElement.lang;
  const groups = new Map();
  config.overlays.forEach((overlay, index) => {
    if (!groups.has(overlay.group)) {
      const list = el('ul', {className: 'map-tree__list'});
      const fieldset = el('fieldset', {className: 'map-tree__group'},
        el('legend', {}, config.groups[overlay.group] || overlay.group), list);
      container.append(fieldset);
      groups.set(overlay.group, list);
    }
    const layer = layers.overlays[index];
    const id = `map-layer-${overlay.name}`;
    const input = el('input', {type: 'checkbox', id, checked: layer.getVisible(),
      value: overlay.name});
    const legend = el('img', {className: 'map-tree__legend', alt: '', loading: 'lazy',
      hidden: !layer.getVisible()});
    legend.dataset.src = legendUrl(config, overlay.name);
    const showLegend = () => {
      legend.hidden = !layer.getVisible();
      if (!legend.hidden && !legend.src) {
        legend.alt = `${config.messages.legendOf} ${overlay.title}`;
        legend.src = legend.dataset.src;
      }
    };
    input.addEventListener('change', () => {
      layer.setVisible(input.checked);
      showLegend();
      onChange();
    });
    layer.on('change:visible', () => {
      input.checked = layer.getVisible();
      showLegend();
    });
    showLegend();
    const scaleNote = overlay.maxScale ?
      el('span', {className: 'map-tree__scale'},
        ` (${config.messages.visibleFrom} 1:${overlay.maxScale.toLocaleString(lang)})`) : '';
    groups.get(overlay.group).append(el('li', {title: overlay.abstract},
      el('div', {className: 'map-tree__item'}, input, el('label', {htmlFor: id}, overlay.title,
        scaleNote)), legend));
  });
}

export function visibleOverlays(layers) {
  return layers.overlays.filter((l) => l.getVisible()).map((l) => l.get('name'));
}

export function showOverlays(layers, names) {
  const wanted = new Set(names);
  layers.overlays.forEach((layer) => layer.setVisible(wanted.has(layer.get('name'))));
}
