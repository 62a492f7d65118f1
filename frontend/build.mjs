// Bundles the browser code into geo_portal/static/geo_portal/build/, where Django's
// staticfiles finds it. Everything the page needs is in the bundle: municipal
// intranets are often offline, so nothing is ever loaded from a CDN.
//
//   npm run build          minified bundle with source maps
//   npm run watch          rebuild on every change while developing
import * as esbuild from 'esbuild';
import {fileURLToPath} from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

const options = {
  absWorkingDir: root,
  entryPoints: {
    // The design system of every page (frontend/src/design/).
    'portal': 'frontend/src/portal.css',
    'overview-map': 'frontend/src/overview-map.js',
    'map-page': 'frontend/src/map-page.js',
    'permits-map': 'frontend/src/permits-map.js',
    'operator': 'frontend/src/operator.js',
  },
  outdir: 'geo_portal/static/geo_portal/build',
  bundle: true,
  minify: true,
  sourcemap: true,
  // Fixed file names: the production static storage adds content hashes itself.
  entryNames: '[name]',
  format: 'iife',
  // Browsers of the last few years; OpenLayers itself needs ES2022 features.
  target: ['es2022', 'chrome100', 'firefox100', 'safari15.4'],
  legalComments: 'linked',
  logLevel: 'info',
};

if (process.argv.includes('--watch')) {
  const context = await esbuild.context(options);
  await context.watch();
} else {
  await esbuild.build(options);
}
