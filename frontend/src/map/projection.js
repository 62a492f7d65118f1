// PL-1992 (EPSG:2180), the Polish national grid of every map here, registered with proj4.
import {get as getProjection} from 'ol/proj.js';
import {register} from 'ol/proj/proj4.js';
import proj4 from 'proj4';

export const PL_1992 = 'EPSG:2180';

proj4.defs(
  PL_1992,
  '+proj=tmerc +lat_0=0 +lon_0=19 +k=0.9993 +x_0=500000 +y_0=-5300000 ' +
    '+ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs',
);
register(proj4);

export function pl1992(bounds) {
  const projection = getProjection(PL_1992);
  projection.setExtent(bounds);
  return projection;
}

// OGC's standard rendering pixel (0.28 mm): scale denominator <-> metres per pixel.
export const OGC_PIXEL_M = 0.00028;
export const resolutionForScale = (scale) => scale * OGC_PIXEL_M;
export const scaleForResolution = (resolution) => resolution / OGC_PIXEL_M;
