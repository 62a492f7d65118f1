// The URL always holds the view, the base map, the visible layers and the selected
// parcels, so a link sent by e-mail opens the same view:
//   /mapa/?x=318050&y=386050&scale=2000&base=&layers=parcels,buildings&parcels=<id>,<id>
// Query parameters rather than a hash: they survive the language switch (a form post
// back to the same address) and reach the server.

const round = (value) => Math.round(value * 100) / 100;

export function readPermalink(search = window.location.search) {
  const params = new URLSearchParams(search);
  const number = (name) => {
    const value = Number.parseFloat(params.get(name));
    return Number.isFinite(value) ? value : null;
  };
  const list = (name) => (params.has(name) ?
    params.get(name).split(',').map((s) => s.trim()).filter(Boolean) : null);
  return {
    x: number('x'), y: number('y'), scale: number('scale'),
    base: params.has('base') ? params.get('base') : null,
    layers: list('layers'),
    parcels: list('parcels') || [],
  };
}

export function writePermalink(state) {
  const params = new URLSearchParams();
  params.set('x', round(state.x));
  params.set('y', round(state.y));
  params.set('scale', Math.round(state.scale));
  params.set('base', state.base);
  params.set('layers', state.layers.join(','));
  if (state.parcels.length) params.set('parcels', state.parcels.join(','));
  // Commas and slashes are safe in a query; keep the link readable.
  const query = params.toString().replace(/%2C/g, ',').replace(/%2F/g, '/');
  const url = `${window.location.pathname}?${query}`;
  window.history.replaceState(null, '', url);
  // The language switch posts `next`: keep it pointing at this very view.
  const next = document.querySelector('.lang-switch input[name="next"]');
  if (next) next.value = url;
  return url;
}
