// How the dashboard talks to the API: requests whose failures carry the
// message of the Status the API returned, and informers that keep a
// collection current by list and watch (newline-delimited events over a
// streamed fetch), as client-go's reflector does.

export class ApiError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** A request to the API; a failure throws the message of the Status it returned. */
export async function api(method, path, body, contentType, signal) {
  const init = { method, signal, headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = contentType;
  }
  const r = await fetch(path, init);
  const text = await r.text();
  let obj;
  try {
    obj = text ? JSON.parse(text) : {};
  } catch {
    obj = { message: text };
  }
  if (!r.ok) throw new ApiError(r.status, (obj && obj.message) || `${r.status} ${r.statusText}`);
  return obj;
}

/** A request for text (a pod's log); a failure throws the message of the Status the API returned. */
export async function apiText(path, signal) {
  const r = await fetch(path, { signal, headers: { Accept: 'text/plain, application/json' } });
  const text = await r.text();
  if (r.ok) return text;
  let message = `${r.status} ${r.statusText}`;
  try {
    message = JSON.parse(text).message || message;
  } catch {
    if (text) message = text;
  }
  throw new ApiError(r.status, message);
}

const sleep = (ms, signal) => new Promise((resolve) => {
  const t = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
});

/**
 * Keeps `items` (name -> object) equal to a collection: list, then watch from
 * the list's resourceVersion; on 410 Gone or the end of the stream, list again.
 */
export class Informer {
  constructor(path, onChange) {
    this.path = path;
    this.onChange = onChange;
    this.items = new Map();
    this.synced = false;
    this.healthy = false;
  }

  async run(signal, onError) {
    let delay = 500;
    while (!signal.aborted) {
      try {
        const list = await api('GET', this.path, undefined, undefined, signal);
        this.items = new Map(list.items.map((o) => [o.metadata.name, o]));
        this.synced = this.healthy = true;
        this.onChange();
        if (await this.watch(list.metadata.resourceVersion, signal)) delay = 500;
        else await sleep(delay, signal);
      } catch (e) {
        if (signal.aborted) return;
        this.healthy = false;
        onError(this.path, e);
        await sleep(delay, signal);
        delay = Math.min(delay * 2, 30_000);
      }
    }
  }

  /** Applies events until the stream ends; true when it delivered any. */
  async watch(resourceVersion, signal) {
    const q = `watch=1&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(resourceVersion)}`;
    const r = await fetch(`${this.path}?${q}`, { signal, headers: { Accept: 'application/json' } });
    if (!r.ok) {
      const status = await r.json().catch(() => ({}));
      throw new ApiError(r.status, status.message || `${r.status} ${r.statusText}`);
    }
    const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = '';
    let delivered = false;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return delivered;
      buffered += value;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (!line) continue; // keep-alive
        const ev = JSON.parse(line);
        delivered = true;
        if (ev.type === 'ERROR') {
          if (ev.object && ev.object.code === 410) return true; // too old: list again
          throw new ApiError(ev.object && ev.object.code, (ev.object && ev.object.message) || 'watch failed');
        }
        if (ev.type === 'BOOKMARK') continue;
        if (ev.type === 'DELETED') this.items.delete(ev.object.metadata.name);
        else this.items.set(ev.object.metadata.name, ev.object);
        this.onChange();
      }
    }
  }
}
