import type { ServerResponse } from 'node:http';
import type { JsonObject } from '../api/json.js';
import { cloneJson } from '../api/json.js';
import { gone } from '../api/status.js';
import {
  fieldSelectorFields,
  getFieldValue,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
} from '../api/selectors.js';
import type { ObjectStore, StoreEvent } from '../store.js';
import { metaOf } from '../store.js';
import type { ResourceRequest } from './handlers.js';

/** The longest a watch stays open, whatever timeoutSeconds asks (real servers cap it too). */
const MAX_WATCH_SECONDS = 1800;

/**
 * Streams watch events as newline-delimited JSON, as the API server does: synthetic ADDED events for what
 * exists when no resourceVersion is given, else the history after it (410 Expired once it is too old).
 */
export function serveWatch(
  store: ObjectStore,
  req: ResourceRequest,
  res: ServerResponse,
  present: (obj: JsonObject) => JsonObject,
  onClose: (stop: () => void) => void,
): void {
  const labels = parseLabelSelector(req.query.get('labelSelector') ?? '');
  const fields = parseFieldSelector(
    req.query.get('fieldSelector') ?? '',
    fieldSelectorFields(req.type.plural),
  );
  const nameFilter = req.name;
  const matches = (obj: JsonObject): boolean => {
    const meta = metaOf(obj);
    if (nameFilter && meta.name !== nameFilter) return false;
    if (req.namespace !== undefined && req.type.namespaced && meta.namespace !== req.namespace) return false;
    return matchesLabels(labels, meta.labels) && matchesFields(fields, (path) => getFieldValue(obj, path));
  };
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Transfer-Encoding': 'chunked',
    'Cache-Control': 'no-cache, private',
  });
  // Clients wait for the headers before they consider the watch open; send them before any event exists.
  res.flushHeaders();
  const send = (type: string, object: JsonObject) => res.write(`${JSON.stringify({ type, object })}\n`);
  const rvText = req.query.get('resourceVersion');
  const rv = rvText && rvText !== '0' ? Number(rvText) : undefined;
  if (rv === undefined) {
    for (const obj of store.peekAll(req.type, req.namespace))
      if (matches(obj)) send('ADDED', present(cloneJson(obj)));
  } else if (rv < store.oldestWatchableVersion() - 1) {
    send('ERROR', gone(`too old resource version: ${rv} (${store.oldestWatchableVersion()})`).status);
    res.end();
    return;
  } else {
    for (const event of store.eventsSince(rv)) {
      if (event.resource === req.type && matches(event.object))
        send(event.type, present(cloneJson(event.object)));
    }
  }
  const unsubscribe = store.subscribe((event: StoreEvent) => {
    if (event.resource !== req.type || !matches(event.object)) return;
    send(event.type, present(cloneJson(event.object)));
  });
  const seconds = Math.min(
    Number(req.query.get('timeoutSeconds') ?? MAX_WATCH_SECONDS) || MAX_WATCH_SECONDS,
    MAX_WATCH_SECONDS,
  );
  const timer = setTimeout(() => stop(), seconds * 1000);
  timer.unref();
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    unsubscribe();
    if (!res.writableEnded) res.end();
  };
  res.on('close', stop);
  onClose(stop);
}
