// ordinal's dashboard: one more client of the API, like kubectl. It lists and
// watches the chosen namespace's StatefulSets, pods, claims, Services and
// Events through the dashboard server's proxy (/api, /apis), and acts through
// the same requests kubectl sends. Everything from the API is put on the page
// as text (textContent, setAttribute), never as markup.
import { api, apiText, Informer } from './informer.js';

const RECENT_EVENTS = 20;
const LOG_LINES = 500;
const byId = (id) => document.getElementById(id);

// ---------------------------------------------------------------- helpers

/** An element with attributes and children; strings become text nodes. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

function table(caption, headers, rows, empty) {
  return h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, headers.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: headers.length, class: 'empty' }, empty))));
}

function age(timestamp) {
  if (!timestamp) return '';
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(timestamp)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

function ageCell(timestamp) {
  return h('td', {}, h('time', { datetime: timestamp || undefined, title: timestamp || undefined, 'data-age': timestamp || undefined }, age(timestamp)));
}

/** The ordinal of `<set>-<n>`, or undefined. */
function ordinalOf(name, setName) {
  const prefix = `${setName}-`;
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9][0-9]*)$/.test(rest) ? Number(rest) : undefined;
}

// Pods that do not follow the naming (none the controller made) come last.
const byOrdinal = (setName) => (a, b) => (ordinalOf(a.metadata.name, setName) ?? Number.MAX_SAFE_INTEGER) - (ordinalOf(b.metadata.name, setName) ?? Number.MAX_SAFE_INTEGER);
const byName = (a, b) => a.metadata.name.localeCompare(b.metadata.name);
const seg = encodeURIComponent;

// ---------------------------------------------------------------- state

const state = {
  namespace: new URLSearchParams(location.hash.slice(1)).get('namespace') || 'default',
  abort: undefined,
  informers: {},
  /** The pod whose log is shown: { ns, name, container }. */
  logs: undefined,
};

const COLLECTIONS = {
  statefulsets: (ns) => `/apis/apps/v1/namespaces/${seg(ns)}/statefulsets`,
  pods: (ns) => `/api/v1/namespaces/${seg(ns)}/pods`,
  claims: (ns) => `/api/v1/namespaces/${seg(ns)}/persistentvolumeclaims`,
  services: (ns) => `/api/v1/namespaces/${seg(ns)}/services`,
  events: (ns) => `/api/v1/namespaces/${seg(ns)}/events`,
};

function watchNamespace(ns) {
  if (state.abort) state.abort.abort();
  if (state.logs && state.logs.ns !== ns) closeLogs();
  const abort = (state.abort = new AbortController());
  state.namespace = ns;
  state.informers = {};
  for (const [key, path] of Object.entries(COLLECTIONS)) {
    const inf = (state.informers[key] = new Informer(path(ns), scheduleRender));
    inf.run(abort.signal, (p, e) => setConnection(`Reconnecting (${e.message})…`));
  }
  scheduleRender();
}

async function loadNamespaces() {
  const select = byId('namespace');
  try {
    const list = await api('GET', '/api/v1/namespaces');
    const names = list.items.map((n) => n.metadata.name).sort();
    if (!names.includes(state.namespace)) names.push(state.namespace);
    const shown = [...select.options].map((o) => o.value);
    if (shown.join('\n') !== names.join('\n')) select.replaceChildren(...names.map((n) => h('option', { value: n }, n)));
    select.value = state.namespace;
  } catch (e) {
    showError(`Listing namespaces: ${e.message}`);
  }
}

// ---------------------------------------------------------------- actions

function showError(message) {
  byId('error-message').textContent = message;
  byId('error').hidden = false;
}

function notice(message) {
  byId('notice').textContent = message;
}

function setConnection(text) {
  byId('connection').textContent = text;
}

async function act(what, request) {
  byId('error').hidden = true;
  notice(`${what}…`);
  try {
    await request();
    notice(`${what}: done.`);
    return true;
  } catch (e) {
    notice('');
    showError(`${what}: ${e.message}`);
    return false;
  }
}

const stsPath = (ns, name) => `/apis/apps/v1/namespaces/${seg(ns)}/statefulsets/${seg(name)}`;

/** `kubectl scale`: a merge patch of the scale subresource. */
function scale(ns, name, input) {
  const replicas = input.value.trim() === '' ? input.value : Number(input.value);
  return act(`Scale ${name} to ${input.value}`, () =>
    api('PATCH', `${stsPath(ns, name)}/scale`, { spec: { replicas } }, 'application/merge-patch+json'),
  ).then((ok) => { if (ok) delete input.dataset.edited; });
}

/** `kubectl rollout restart`: the same strategic merge patch of the pod template's annotations. */
function restart(ns, name) {
  const restartedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const patch = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } } } } };
  return act(`Restart ${name}`, () => api('PATCH', stsPath(ns, name), patch, 'application/strategic-merge-patch+json'));
}

/** `kubectl delete pod`: the StatefulSet controller makes it again, with the same name. */
function deletePod(ns, name) {
  return act(`Delete pod ${name}`, () => api('DELETE', `/api/v1/namespaces/${seg(ns)}/pods/${seg(name)}`));
}

/**
 * `kubectl logs --tail=500`: the last lines of the pod's default container
 * (its kubectl.kubernetes.io/default-container annotation, else the first).
 * Fetched on demand rather than followed: a followed log would hold one of
 * the browser's few connections to the dashboard.
 */
function showLogs(ns, pod) {
  const name = pod.metadata.name;
  const container = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'] || pod.spec.containers[0].name;
  state.logs = { ns, name, container };
  byId('logs-heading').textContent = `Logs of ${name} (container ${container})`;
  byId('logs').hidden = false;
  return refreshLogs();
}

async function refreshLogs() {
  const l = state.logs;
  if (!l) return;
  const out = byId('logs-text');
  out.setAttribute('aria-busy', 'true');
  try {
    const text = await apiText(`/api/v1/namespaces/${seg(l.ns)}/pods/${seg(l.name)}/log?container=${seg(l.container)}&tailLines=${LOG_LINES}`);
    if (state.logs !== l) return;
    out.textContent = text || '(no output yet)';
  } catch (e) {
    if (state.logs !== l) return;
    out.textContent = '';
    showError(`Logs of ${l.name}: ${e.message}`);
  } finally {
    out.removeAttribute('aria-busy');
  }
}

function closeLogs() {
  state.logs = undefined;
  byId('logs').hidden = true;
  byId('logs-text').textContent = '';
}

// ---------------------------------------------------------------- rendering

function strategyText(s) {
  const u = s.spec.updateStrategy || {};
  if (u.type === 'OnDelete') return 'OnDelete';
  const r = u.rollingUpdate || {};
  const parts = [];
  if (r.partition) parts.push(`partition ${r.partition}`);
  if (r.maxUnavailable !== undefined) parts.push(`maxUnavailable ${r.maxUnavailable}`);
  return `RollingUpdate${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

function revisionText(s, desired) {
  const st = s.status || {};
  if ((st.observedGeneration || 0) < (s.metadata.generation || 0)) return 'waiting for the controller to see the change';
  if (!st.updateRevision) return '—';
  if (st.currentRevision === st.updateRevision) return `${st.updateRevision} (up to date)`;
  return `updating to ${st.updateRevision}: ${st.updatedReplicas || 0} of ${desired} updated (current ${st.currentRevision || '—'})`;
}

function podStatus(p) {
  if (p.metadata.deletionTimestamp) return 'Terminating';
  const waiting = (p.status?.containerStatuses || []).map((c) => c.state?.waiting?.reason).find(Boolean);
  return waiting || p.status?.phase || 'Pending';
}

function podRow(ns, s, p) {
  const name = p.metadata.name;
  const statuses = p.status?.containerStatuses || [];
  const ready = `${statuses.filter((c) => c.ready).length}/${(p.spec.containers || []).length}`;
  const restarts = statuses.reduce((n, c) => n + (c.restartCount || 0), 0);
  const status = podStatus(p);
  const dns = s.spec.serviceName ? `${name}.${s.spec.serviceName}.${ns}.svc.cluster.local` : '—';
  return h('tr', { 'data-pod': name },
    h('th', { scope: 'row' }, name),
    h('td', { class: 'ready' }, ready),
    h('td', { class: `status ${status}` }, status),
    h('td', { class: 'ip mono' }, p.status?.podIP || '—'),
    h('td', { class: 'dns mono' }, dns),
    h('td', {}, String(restarts)),
    h('td', { class: 'mono' }, p.metadata.labels?.['controller-revision-hash'] || ''),
    ageCell(p.metadata.creationTimestamp),
    h('td', { class: 'row-actions' },
      h('button', { type: 'button', id: `logs-${name}`, onclick: () => showLogs(ns, p) }, 'Logs', h('span', { class: 'visually-hidden' }, ` of pod ${name}`)),
      h('button', { type: 'button', id: `delete-${name}`, onclick: () => deletePod(ns, name) }, 'Delete', h('span', { class: 'visually-hidden' }, ` pod ${name}`))));
}

function claimRows(s, claims) {
  const setName = s.metadata.name;
  const rows = [];
  for (const tpl of s.spec.volumeClaimTemplates || []) {
    const prefix = `${tpl.metadata.name}-`;
    const mine = claims.filter((c) => c.metadata.name.startsWith(prefix) && ordinalOf(c.metadata.name.slice(prefix.length), setName) !== undefined);
    mine.sort((a, b) => ordinalOf(a.metadata.name.slice(prefix.length), setName) - ordinalOf(b.metadata.name.slice(prefix.length), setName));
    for (const c of mine) {
      const phase = c.status?.phase || 'Pending';
      const capacity = c.status?.capacity?.storage || (c.spec.resources?.requests?.storage ? `${c.spec.resources.requests.storage} requested` : '—');
      rows.push(h('tr', { 'data-claim': c.metadata.name },
        h('th', { scope: 'row' }, c.metadata.name),
        h('td', { class: `status ${phase}` }, phase),
        h('td', { class: 'capacity' }, capacity),
        h('td', { class: 'mono' }, c.spec.volumeName || '—'),
        ageCell(c.metadata.creationTimestamp)));
    }
  }
  return rows;
}

function statefulSet(ns, s, pods, claims) {
  const name = s.metadata.name;
  const desired = s.spec.replicas ?? 1;
  const ready = s.status?.readyReplicas || 0;
  const owned = pods.filter((p) => (p.metadata.ownerReferences || []).some((o) => o.kind === 'StatefulSet' && o.name === name && o.controller));
  owned.sort(byOrdinal(name));
  const inputId = `scale-${name}`;
  const form = h('form', { class: 'scale', onsubmit: (e) => { e.preventDefault(); scale(ns, name, byId(inputId)); } },
    h('label', { for: inputId }, 'Replicas'),
    h('input', { id: inputId, name: 'replicas', type: 'number', step: 1, value: desired, required: true, oninput: (e) => { e.target.dataset.edited = '1'; } }),
    h('button', { type: 'submit', id: `scale-submit-${name}` }, 'Scale'));
  return h('article', { class: 'statefulset', 'data-statefulset': name, 'aria-labelledby': `sts-${name}` },
    h('h3', { id: `sts-${name}` }, name),
    h('dl', { class: 'summary' },
      h('dt', {}, 'Ready'), h('dd', { class: 'replicas' }, `${ready}/${desired}`),
      h('dt', {}, 'Update strategy'), h('dd', { class: 'strategy' }, strategyText(s)),
      h('dt', {}, 'Revision'), h('dd', { class: 'revision' }, revisionText(s, desired)),
      h('dt', {}, 'Pod management'), h('dd', {}, s.spec.podManagementPolicy || 'OrderedReady'),
      h('dt', {}, 'Service'), h('dd', {}, s.spec.serviceName || '—')),
    form,
    h('span', { class: 'actions' }, h('button', { type: 'button', id: `restart-${name}`, onclick: () => restart(ns, name) }, 'Rollout restart')),
    table(`Pods of ${name}`, ['Pod', 'Ready', 'Status', 'Pod IP', 'DNS name', 'Restarts', 'Revision', 'Age', ''], owned.map((p) => podRow(ns, s, p)), 'No pods.'),
    (s.spec.volumeClaimTemplates || []).length
      ? table(`Claims of ${name}`, ['Claim', 'Status', 'Capacity', 'Volume', 'Age'], claimRows(s, claims), 'No claims yet.')
      : null);
}

function serviceRow(svc) {
  const ports = (svc.spec.ports || []).map((p) => `${p.name ? `${p.name}:` : ''}${p.port}/${p.protocol || 'TCP'}`).join(', ');
  return h('tr', { 'data-service': svc.metadata.name },
    h('th', { scope: 'row' }, svc.metadata.name),
    h('td', {}, svc.spec.type || 'ClusterIP'),
    h('td', { class: 'mono' }, svc.spec.clusterIP || '—'),
    h('td', {}, ports || '—'),
    ageCell(svc.metadata.creationTimestamp));
}

const eventTime = (e) => e.series?.lastObservedTime || e.lastTimestamp || e.eventTime || e.metadata.creationTimestamp;

function eventRow(e) {
  const o = e.involvedObject || {};
  return h('tr', {},
    ageCell(eventTime(e)),
    h('td', { class: e.type }, e.type || ''),
    h('td', {}, e.reason || ''),
    h('td', {}, `${(o.kind || '').toLowerCase()}/${o.name || ''}`),
    h('td', {}, e.message || ''),
    h('td', {}, String(e.series?.count || e.count || 1)));
}

function emptyRow(cols, text) {
  return h('tr', {}, h('td', { colspan: cols, class: 'empty' }, text));
}

let renderPending = false;
function scheduleRender() {
  if (renderPending) return;
  renderPending = true;
  setTimeout(() => {
    renderPending = false;
    render();
  }, 30);
}

function render() {
  const ns = state.namespace;
  const inf = state.informers;
  const values = (k) => [...(inf[k]?.items.values() || [])];
  if (state.abort && Object.values(inf).every((i) => i.healthy)) setConnection(`Live: namespace ${ns}`);
  // A re-render keeps what the user is typing and where the focus is.
  const focused = document.activeElement?.id;
  const edited = [...document.querySelectorAll('input[data-edited]')].map((i) => [i.id, i.value]);

  const sets = values('statefulsets').sort(byName);
  const pods = values('pods');
  const claims = values('claims');
  byId('statefulsets').replaceChildren(...(sets.length
    ? sets.map((s) => statefulSet(ns, s, pods, claims))
    : [h('p', { class: 'empty' }, inf.statefulsets?.synced ? `No StatefulSets in ${ns}.` : 'Loading…')]));
  const services = values('services').sort(byName);
  byId('services').tBodies[0].replaceChildren(...(services.length ? services.map(serviceRow) : [emptyRow(5, 'No Services.')]));
  const events = values('events').sort((a, b) => Date.parse(eventTime(b) || 0) - Date.parse(eventTime(a) || 0)).slice(0, RECENT_EVENTS);
  byId('events').tBodies[0].replaceChildren(...(events.length ? events.map(eventRow) : [emptyRow(6, 'No events.')]));

  for (const [id, value] of edited) {
    const input = byId(id);
    if (input) {
      input.value = value;
      input.dataset.edited = '1';
    }
  }
  if (focused && byId(focused)) byId(focused).focus();
}

/** Ages move on while the page is in view, without a request. */
function refreshAges() {
  if (document.hidden) return;
  for (const t of document.querySelectorAll('time[data-age]')) t.textContent = age(t.dataset.age);
}

// ---------------------------------------------------------------- start

byId('namespace').addEventListener('change', (e) => {
  location.hash = `namespace=${encodeURIComponent(e.target.value)}`;
});
byId('namespace').addEventListener('focus', loadNamespaces);
window.addEventListener('hashchange', () => {
  const ns = new URLSearchParams(location.hash.slice(1)).get('namespace') || 'default';
  if (ns !== state.namespace) {
    watchNamespace(ns);
    loadNamespaces();
  }
});
// A tab out of sight holds no watches (the server keeps nothing for it, and
// the browser's few connections per host stay free for the tab in view); in
// sight again, it lists afresh.
document.addEventListener('visibilitychange', () => {
  if (document.hidden) {
    state.abort?.abort();
    state.abort = undefined;
    setConnection('Paused while the page is hidden');
  } else if (!state.abort) {
    watchNamespace(state.namespace);
  }
});
byId('error-dismiss').addEventListener('click', () => { byId('error').hidden = true; });
byId('logs-refresh').addEventListener('click', refreshLogs);
byId('logs-close').addEventListener('click', closeLogs);
setInterval(refreshAges, 5000);
loadNamespaces();
if (document.hidden) setConnection('Paused while the page is hidden');
else watchNamespace(state.namespace);
