// The search box: a parcel id, a precinct and number, a number, a precinct or an address.
// As the user types, matching precincts and addresses are listed; submitting selects the
// parcel when there is exactly one, otherwise lists what was found, or says what was not
// found and offers the near misses.
import {ApiError, getJson} from './api.js';

const DEBOUNCE_MS = 250;

const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};

export function createSearch(config, {selection, status}) {
  const m = config.messages;
  const form = document.getElementById('map-search');
  const input = document.getElementById('map-search-input');
  const message = document.getElementById('map-search-message');
  const list = document.getElementById('map-search-results');
  let timer = null;
  let asked = 0;

  async function ask(query) {
    const params = new URLSearchParams({q: query, srid: '2180'});
    return getJson(`${config.api.search}?${params}`, m.serviceError);
  }

  function choose(hit) {
    if (hit.parcel_id) {
      selection.select(hit.parcel_id, {zoom: true, focus: true});
      return;
    }
    // A precinct chosen: shown on the map, and the box is ready for the parcel number.
    selection.zoomTo(hit.bbox);
    status.ok(`${m.shown}: ${hit.label}`);
    input.value = `${hit.precinct_name} `;
    list.replaceChildren();
    message.textContent = m.typeNumber;
    input.focus();
  }

  function show(answer, {submitted}) {
    const hits = answer.results.length ? answer.results : answer.suggestions;
    const items = hits.map((hit) => {
      const button = el('button', {type: 'button', className: `map-search__hit is-${hit.kind}`},
        hit.label);
      button.addEventListener('click', () => choose(hit));
      return el('li', {}, button);
    });
    list.replaceChildren(...items);
    if (answer.results.length) {
      message.textContent = `${m.found} ${answer.results.length}`;
    } else if (answer.suggestions.length) {
      message.textContent = `${answer.message} ${m.didYouMean}`;
    } else {
      message.textContent = submitted ? answer.message : '';
    }
    message.classList.toggle('is-miss', !answer.results.length && submitted);
  }

  async function run(query, {submitted}) {
    const ticket = ++asked;
    try {
      const answer = await ask(query);
      if (ticket !== asked) return; // a newer question is on its way
      // One parcel (or one address, with its parcel) found: straight to its card.
      const [only] = answer.results;
      if (submitted && answer.results.length === 1 && only.parcel_id) {
        list.replaceChildren();
        message.textContent = '';
        await selection.select(only.parcel_id, {zoom: true, focus: true});
        return;
      }
      show(answer, {submitted});
    } catch (error) {
      if (ticket !== asked) return;
      list.replaceChildren();
      // While typing, a half-written id is not an error yet.
      message.textContent = !submitted ? '' :
        (error instanceof ApiError ? error.message : m.serviceError);
      message.classList.toggle('is-miss', submitted);
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(timer);
    const query = input.value.trim();
    if (query) run(query, {submitted: true});
  });
  input.addEventListener('input', () => {
    clearTimeout(timer);
    const query = input.value.trim();
    if (query.length < 2) {
      list.replaceChildren();
      message.textContent = '';
      return;
    }
    timer = setTimeout(() => run(query, {submitted: false}), DEBOUNCE_MS);
  });
}
