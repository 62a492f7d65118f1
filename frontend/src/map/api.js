// The parcel API (geo_portal/api): JSON over fetch, errors as {status, message}.

export class ApiError extends Error {
  constructor(status, message, detail) {
    super(message);
    this.status = status;
    this.detail = detail || {};
  }
}

export async function getJson(url, fallbackMessage) {
  let response;
  try {
    response = await fetch(url, {credentials: 'same-origin',
      headers: {Accept: 'application/json'}});
  } catch (error) {
    throw new ApiError(0, fallbackMessage);
  }
  let body = null;
  try {
    body = await response.json();
  } catch (error) {
    body = null;
  }
  if (!response.ok) {
    throw new ApiError(response.status, (body && body.message) || fallbackMessage,
      body && body.detail);
  }
  return body;
}

export const parcelUrl = (config, id) =>
  `${config.api.parcels}${id.split('/').map(encodeURIComponent).join('/')}/?srid=2180`;
