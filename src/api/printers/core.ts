// Namespaces, Nodes, ConfigMaps, Secrets and ServiceAccounts.
import type { ConfigMap, Namespace, Node, Secret, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { AGE, NAME, col } from './common.js';
import { since } from './time.js';
import type { ResourcePrinter } from './types.js';

const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';
const NODE_ROLE_LABEL = 'kubernetes.io/role';

export const namespacePrinter: ResourcePrinter = {
  columns: [NAME(), col('Status', 'The status of the namespace'), AGE()],
  cells(ns: Namespace, now: Date): unknown[] {
    return [ns.metadata?.name ?? '', ns.status?.phase ?? '', since(ns.metadata?.creationTimestamp, now)];
  },
};

/** Roles from `node-role.kubernetes.io/<role>` keys and the `kubernetes.io/role` value, sorted. */
function nodeRoles(node: Node): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith(NODE_ROLE_PREFIX)) {
      const role = k.slice(NODE_ROLE_PREFIX.length);
      if (role) roles.add(role);
    } else if (k === NODE_ROLE_LABEL && v !== '') {
      roles.add(v);
    }
  }
  return [...roles].sort().join(',') || '<none>';
}

function nodeStatus(node: Node): string {
  const status: string[] = [];
  const ready = (node.status?.conditions ?? []).filter((c) => c.type === 'Ready').pop();
  if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  if (status.length === 0) status.push('Unknown');
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

function nodeAddress(node: Node, type: string): string {
  return (node.status?.addresses ?? []).find((a) => a.type === type)?.address ?? '<none>';
}

export const nodePrinter: ResourcePrinter = {
  columns: [
    NAME(),
    col('Status', 'The status of the node'),
    col('Roles', 'The roles of the node'),
    AGE(),
    col('Version', 'Kubelet Version reported by the node.'),
    col('Internal-IP', 'List of addresses reachable to the node.', { priority: 1 }),
    col('External-IP', 'List of addresses reachable to the node.', { priority: 1 }),
    col('OS-Image', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', { priority: 1 }),
    col('Kernel-Version', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", { priority: 1 }),
    col('Container-Runtime', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', { priority: 1 }),
  ],
  cells(node: Node, now: Date): unknown[] {
    const info = node.status?.nodeInfo;
    return [
      node.metadata?.name ?? '',
      nodeStatus(node),
      nodeRoles(node),
      since(node.metadata?.creationTimestamp, now),
      info?.kubeletVersion ?? '',
      nodeAddress(node, 'InternalIP'),
      nodeAddress(node, 'ExternalIP'),
      info?.osImage || '<unknown>',
      info?.kernelVersion || '<unknown>',
      info?.containerRuntimeVersion || '<unknown>',
    ];
  },
};

export const configMapPrinter: ResourcePrinter = {
  columns: [
    NAME(),
    col('Data', 'Data contains the configuration data.'),
    AGE(),
  ],
  cells(cm: ConfigMap, now: Date): unknown[] {
    const n = Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length;
    return [cm.metadata?.name ?? '', n, since(cm.metadata?.creationTimestamp, now)];
  },
};

export const secretPrinter: ResourcePrinter = {
  columns: [
    NAME(),
    col('Type', 'Used to facilitate programmatic handling of secret data.'),
    col('Data', 'Data contains the secret data.'),
    AGE(),
  ],
  cells(secret: Secret, now: Date): unknown[] {
    // stringData is write-only and merged into data on write; count the union in case it was not.
    const keys = new Set([...Object.keys(secret.data ?? {}), ...Object.keys(secret.stringData ?? {})]);
    return [secret.metadata?.name ?? '', secret.type ?? 'Opaque', keys.size, since(secret.metadata?.creationTimestamp, now)];
  },
};

export const serviceAccountPrinter: ResourcePrinter = {
  columns: [
    NAME(),
    col('Secrets', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'),
    AGE(),
  ],
  cells(sa: ServiceAccount, now: Date): unknown[] {
    return [sa.metadata?.name ?? '', (sa.secrets ?? []).length, since(sa.metadata?.creationTimestamp, now)];
  },
};
