// Discovery: /version, /api, /apis and the per-group-version resource lists,
// in the legacy JSON form and in aggregated discovery v2 (and v2beta1 for
// kubectl 1.27/1.28), chosen by the Accept header as kube-apiserver does.
import { RESOURCES, apiVersionOf, groupVersions, type ResourceInfo } from '../api/resources.js';

export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4',
  gitCommit: '59526cd4867447956156ae3a602fcbac10a2c335',
  gitTreeState: 'clean',
  buildDate: '2025-04-22T16:03:59Z',
  goVersion: 'go1.23.6',
  compiler: 'gc',
  platform: 'linux/amd64',
};

/** Which aggregated discovery version the client accepts, if any. */
export function aggregatedVersion(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  if (!accept || !accept.includes('as=APIGroupDiscoveryList')) return undefined;
  for (const part of accept.split(',')) {
    if (!part.includes('as=APIGroupDiscoveryList') || !part.includes('g=apidiscovery.k8s.io')) continue;
    if (/;\s*v=v2(\s*;|$)/.test(part)) return 'v2';
    if (/;\s*v=v2beta1(\s*;|$)/.test(part)) return 'v2beta1';
  }
  return undefined;
}

export function aggregatedContentType(v: 'v2' | 'v2beta1'): string {
  return `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`;
}

function aggregatedResource(ri: ResourceInfo) {
  const out: Record<string, unknown> = {
    resource: ri.resource,
    responseKind: { group: ri.group, version: ri.version, kind: ri.kind },
    scope: ri.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: ri.singular,
    verbs: ri.verbs,
  };
  if (ri.shortNames) out.shortNames = ri.shortNames;
  if (ri.categories) out.categories = ri.categories;
  if (ri.subresources.length) {
    out.subresources = ri.subresources.map((s) => ({
      subresource: s.name,
      responseKind: { group: s.group ?? ri.group, version: s.version ?? ri.version, kind: s.kind },
      verbs: s.verbs,
    }));
  }
  return out;
}

/** `/api` (core only) or `/apis` (named groups) in aggregated form. */
export function aggregatedDiscovery(core: boolean, v: 'v2' | 'v2beta1') {
  const items = groupVersions()
    .filter((gv) => (gv.group === '') === core)
    .map((gv) => ({
      metadata: { name: gv.group, creationTimestamp: null },
      versions: [{
        version: gv.version,
        freshness: 'Current',
        resources: RESOURCES.filter((ri) => ri.group === gv.group && ri.version === gv.version).map(aggregatedResource),
      }],
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${v}`, metadata: {}, items };
}

export function legacyApiVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

export function legacyApiGroupList() {
  const groups = groupVersions()
    .filter((gv) => gv.group !== '')
    .map((gv) => {
      const groupVersion = `${gv.group}/${gv.version}`;
      return { name: gv.group, versions: [{ groupVersion, version: gv.version }], preferredVersion: { groupVersion, version: gv.version } };
    });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function legacyApiGroup(group: string) {
  const gv = groupVersions().find((g) => g.group === group);
  if (!gv) return undefined;
  const groupVersion = `${gv.group}/${gv.version}`;
  return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: [{ groupVersion, version: gv.version }], preferredVersion: { groupVersion, version: gv.version } };
}

export function legacyResourceList(group: string, version: string) {
  const ris = RESOURCES.filter((ri) => ri.group === group && ri.version === version);
  if (!ris.length) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const ri of ris) {
    const r: Record<string, unknown> = {
      name: ri.resource, singularName: ri.singular, namespaced: ri.namespaced, kind: ri.kind, verbs: ri.verbs,
    };
    if (ri.shortNames) r.shortNames = ri.shortNames;
    if (ri.categories) r.categories = ri.categories;
    resources.push(r);
    for (const s of ri.subresources) {
      const sr: Record<string, unknown> = { name: `${ri.resource}/${s.name}`, singularName: '', namespaced: ri.namespaced, kind: s.kind, verbs: s.verbs };
      if (s.group) { sr.group = s.group; sr.version = s.version; }
      resources.push(sr);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf({ group, version }), resources };
}
