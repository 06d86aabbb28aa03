// Watch streams: newline-delimited {"type","object"} over a chunked reply,
// headers flushed at once (kubectl's wait/delete/rollout paths hang without
// it), Tables when asked (column definitions in the first event only),
// bookmarks when allowed, newline keep-alives for idle-timing clients, and
// 410 Gone as an ERROR event when the version is too old.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiVersionOf, type ResourceInfo } from '../api/resources.js';
import { StatusError } from '../api/errors.js';
import type { KObject, WatchEvent } from '../client/types.js';
import type { HandlerContext } from './resources.js';
import { toTable, type IncludeObject } from './table.js';

export interface WatchRequest {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks: boolean;
  timeoutSeconds?: number;
  table: boolean;
  include: IncludeObject;
}

const KEEPALIVE_MS = 10_000;
const BOOKMARK_MS = 30_000;

export function serveWatch(
  ctx: HandlerContext, _req: IncomingMessage, res: ServerResponse, ri: ResourceInfo, ns: string | undefined, w: WatchRequest,
): void {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  let first = true;
  let closed = false;
  const write = (ev: WatchEvent): void => {
    if (closed) return;
    let object: unknown = ev.object;
    if (w.table && (ev.type === 'ADDED' || ev.type === 'MODIFIED' || ev.type === 'DELETED')) {
      object = toTable(ri, [ev.object], { resourceVersion: ev.object.metadata?.resourceVersion }, { include: w.include, now: ctx.now(), noHeaders: !first });
      first = false;
    }
    res.write(JSON.stringify({ type: ev.type, object }) + '\n');
  };
  let watch: { stop(): void } | undefined;
  const timers: NodeJS.Timeout[] = [];
  const close = () => {
    if (closed) return;
    closed = true;
    watch?.stop();
    for (const t of timers) clearInterval(t);
    res.end();
  };
  res.on('close', close);
  try {
    watch = ctx.registry.watch(ri, ns, {
      resourceVersion: w.resourceVersion,
      labelSelector: w.labelSelector,
      fieldSelector: w.fieldSelector,
    }, (ev) => write(ev as WatchEvent<KObject>));
  } catch (e) {
    if (e instanceof StatusError) {
      write({ type: 'ERROR', object: e.toStatus() as unknown as KObject });
      close();
      return;
    }
    close();
    throw e;
  }
  if (w.allowWatchBookmarks) {
    timers.push(setInterval(() => {
      write({ type: 'BOOKMARK', object: { kind: ri.kind, apiVersion: apiVersionOf(ri), metadata: { resourceVersion: ctx.registry.revision() } } });
    }, BOOKMARK_MS));
  }
  timers.push(setInterval(() => {
    if (!closed) res.write('\n');
  }, KEEPALIVE_MS));
  if (w.timeoutSeconds && w.timeoutSeconds > 0) {
    const t = setTimeout(close, w.timeoutSeconds * 1000);
    timers.push(t);
  }
}
