// Distance and area measurement: geodesic on the GRS80 ellipsoid (ol/sphere), so that
// lengths are true ground lengths, not PL-1992's grid lengths (off by up to 0.07 %).
import Draw from 'ol/interaction/Draw.js';
import VectorLayer from 'ol/layer/Vector.js';
import VectorSource from 'ol/source/Vector.js';
import {getArea, getLength} from 'ol/sphere.js';
import {Fill, Stroke, Style} from 'ol/style.js';

const STYLE = new Style({
  stroke: new Stroke({color: '#b91c1c', width: 3, lineDash: [8, 4]}),
  fill: new Fill({color: 'rgba(185, 28, 28, 0.12)'}),
});

export function formatLength(metres, locale) {
  const n = (v, d) => v.toLocaleString(locale, {maximumFractionDigits: d});
  return metres >= 1000 ? `${n(metres / 1000, 3)} km` : `${n(metres, 2)} m`;
}

export function formatArea(squareMetres, locale) {
  const n = (v, d) => v.toLocaleString(locale, {maximumFractionDigits: d});
  return squareMetres >= 10000 ?
    `${n(squareMetres / 10000, 4)} ha (${n(squareMetres, 0)} m²)` : `${n(squareMetres, 1)} m²`;
}

export function createMeasure(map, {buttons, output, messages, locale, onActive}) {
  const source = new VectorSource();
  map.addLayer(new VectorLayer({source, style: STYLE, zIndex: 100}));
  let draw = null;

  const describe = (geometry) => {
    const projection = map.getView().getProjection();
    if (geometry.getType() === 'Polygon') {
      return `${messages.area}: ${formatArea(getArea(geometry, {projection}), locale)}`;
    }
    return `${messages.distance}: ${formatLength(getLength(geometry, {projection}), locale)}`;
  };

  const stop = () => {
    if (draw) map.removeInteraction(draw);
    draw = null;
    Object.values(buttons).forEach((b) => b.setAttribute('aria-pressed', 'false'));
    onActive(false);
  };

  const start = (type) => {
    const again = draw && draw.get('kind') === type;
    stop();
    if (again) return;
    draw = new Draw({source, type, style: STYLE});
    draw.set('kind', type);
    draw.on('drawstart', (event) => {
      event.feature.getGeometry().on('change', (e) => {
        output.textContent = describe(e.target);
      });
    });
    draw.on('drawend', (event) => {
      output.textContent = describe(event.feature.getGeometry());
    });
    map.addInteraction(draw);
    buttons[type].setAttribute('aria-pressed', 'true');
    onActive(true);
  };

  buttons.LineString.addEventListener('click', () => start('LineString'));
  buttons.Polygon.addEventListener('click', () => start('Polygon'));
  buttons.clear.addEventListener('click', () => {
    stop();
    source.clear();
    output.textContent = '';
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && draw) {
      draw.abortDrawing();
      stop();
    }
  });
  return {active: () => draw !== null, source};
}
