// Loads WMS GetMap images with fetch() so that a service error is reported on the page
// instead of breaking the map. OpenLayers logs every rejected image load to the console;
// this loader never rejects: on an error it hands back an empty canvas and tells `onError`.

const EMPTY = () => Object.assign(document.createElement('canvas'), {width: 1, height: 1});

/** The text of an OGC ServiceException report, or the HTTP status when there is none. */
async function describeFailure(response) {
  const type = response.headers.get('content-type') || '';
  if (type.includes('xml')) {
    const xml = new DOMParser().parseFromString(await response.text(), 'application/xml');
    const exception = xml.querySelector('ServiceException');
    if (exception && exception.textContent.trim()) {
      return exception.textContent.trim();
    }
  }
  return `HTTP ${response.status}`;
}

/**
 * @param {(detail: string) => void} onError Told why an image could not be shown.
 * @param {() => void} onSuccess Told when an image arrived (clears an earlier error).
 * @return {(image: HTMLImageElement, src: string) => Promise<ImageBitmap|HTMLCanvasElement>}
 */
export function safeImageLoad(onError, onSuccess) {
  return async (_image, src) => {
    try {
      const response = await fetch(src, {credentials: 'same-origin'});
      const type = response.headers.get('content-type') || '';
      if (!response.ok || !type.startsWith('image/')) {
        onError(await describeFailure(response));
        return EMPTY();
      }
      const bitmap = await createImageBitmap(await response.blob());
      onSuccess();
      return bitmap;
    } catch (error) {
      onError(error instanceof Error ? error.message : String(error));
      return EMPTY();
    }
  };
}
