// The parcel card: what the API's /api/parcels/<id>/ says about one parcel, as HTML.
// Built with DOM nodes and textContent only: nothing from the data is parsed as HTML.

const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
};

function number(value, locale, digits) {
  if (value === null || value === undefined || value === '') return '–';
  return Number(value).toLocaleString(locale, {maximumFractionDigits: digits,
    minimumFractionDigits: Math.min(digits, 0)});
}

const percent = (share, locale) =>
  `${(share * 100).toLocaleString(locale, {maximumFractionDigits: 1})} %`;

const aria = (node, attributes) => {
  Object.entries(attributes).forEach(([name, value]) => node.setAttribute(name, value));
  return node;
};

// An identifier (026101_1.0001.BUD_7) may wrap after its dots, never inside a part.
const breakable = (id) => id.split('.').flatMap((part, i, parts) =>
  (i < parts.length - 1 ? [`${part}.`, el('wbr')] : [part]));

// Where the card is too narrow for columns (map-page.css), each row stacks as label /
// value lines: every cell holds its column's heading as a label, shown only then and
// hidden from screen readers (they read the headings). The roles keep the table a table
// for them when its display changes.
function table(caption, headings, rows) {
  const label = (i) => aria(el('span', {className: 'map-card__label'}, headings[i]),
    {'aria-hidden': 'true'});
  const cell = (content, i) => aria(el(i ? 'td' : 'th', i ? {} : {scope: 'row'}, label(i),
    el('span', {}, ...[content].flat())), {role: i ? 'cell' : 'rowheader'});
  const row = (cells) => aria(el('tr', {}, ...cells), {role: 'row'});
  const head = headings.map((h) => aria(el('th', {scope: 'col'}, h), {role: 'columnheader'}));
  return aria(el('table', {className: 'map-card__table'}, el('caption', {}, caption),
    aria(el('thead', {}, row(head)), {role: 'rowgroup'}),
    aria(el('tbody', {}, ...rows.map((r) => row(r.map(cell)))), {role: 'rowgroup'})),
  {role: 'table'});
}

function zoneParameters(zone, m, locale) {
  const p = zone.parameters;
  const items = [
    [m.maxIntensity, p.max_intensity, ''],
    [m.maxBuiltUp, p.max_built_up_share, ' %'],
    [m.maxHeight, p.max_height_m, ' m'],
    [m.minBiological, p.min_biologically_active_share, ' %'],
  ].filter(([, value]) => value !== null && value !== undefined);
  if (!items.length) return null;
  return el('dl', {className: 'map-card__params'}, ...items.flatMap(([label, value, unit]) =>
    [el('dt', {}, label), el('dd', {}, `${number(value, locale, 2)}${unit}`)]));
}

function zoningSection(props, m, locale) {
  if (!props.zoning.length) return el('p', {}, m.noZoning);
  return el('ul', {className: 'map-card__zones'}, ...props.zoning.map((zone) => el('li', {},
    el('p', {}, el('strong', {}, `${zone.label} – ${zone.designation}`),
      ` (${zone.symbol}), ${percent(zone.share, locale)} ${m.ofParcel}, `
      + `${number(zone.area_m2, locale, 0)} m²`),
    el('p', {className: 'map-card__plan'},
      `${zone.plan.kind === 'local' ? m.localPlan : m.generalPlan}: ${zone.plan.name}`),
    zoneParameters(zone, m, locale))));
}

export function renderCard(feature, m, locale, onRemove) {
  const p = feature.properties;
  const heading = el('h3', {}, `${m.parcel} ${p.number}`);
  const remove = el('button', {type: 'button', className: 'map-card__remove',
    textContent: m.remove, ariaLabel: `${m.remove}: ${m.parcel} ${p.number}`});
  remove.setAttribute('aria-label', `${m.remove}: ${m.parcel} ${p.number}`);
  remove.addEventListener('click', () => onRemove(p.id));
  const facts = el('dl', {className: 'map-card__facts'},
    el('dt', {}, m.parcelId), el('dd', {}, el('code', {}, ...breakable(p.id))),
    el('dt', {}, m.precinct), el('dd', {}, `${p.precinct.number} ${p.precinct.name}`),
    el('dt', {}, m.unit), el('dd', {}, `${p.unit.name} (${p.unit.teryt})`),
    el('dt', {}, m.registeredArea), el('dd', {className: 'map-card__area'},
      `${number(p.registered_area_ha, locale, 4)} ha`),
    ...(p.addresses.length ? [el('dt', {}, m.addresses), el('dd', {}, p.addresses.join('; '))] :
      []));
  const landUse = p.land_use.length ?
    table(m.landUse, [m.landUseClass, m.areaHa], p.land_use.map((row) => [
      `${row.ofu}${row.ozk ? ` ${row.ozk}` : ''} – ${row.name}`,
      number(row.area_ha, locale, 4)])) : el('p', {}, m.noLandUse);
  const buildings = p.buildings.length ?
    table(m.buildings, [m.buildingId, m.buildingKind, m.storeys], p.buildings.map((b) => [
      breakable(b.id), `${b.kst_class} ${b.name}`, `${b.storeys_above} / ${b.storeys_below}`])) :
    el('p', {}, m.noBuildings);
  const card = el('article', {className: 'map-card__parcel'},
    el('div', {className: 'map-card__head'}, heading, remove), facts,
    el('h4', {}, m.zoning), zoningSection(p, m, locale), landUse, buildings);
  card.dataset.parcel = p.id;
  return card;
}

export function renderActions(actions, m) {
  if (!actions.length) return el('p', {className: 'hint'}, m.noActions);
  return el('div', {className: 'map-card__actions'}, el('h3', {}, m.actions),
    el('ul', {}, ...actions.map((a) => el('li', {},
      el('a', {href: a.url, className: 'button-link'}, a.title)))));
}
