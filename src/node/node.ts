// This machine as a Node object: name = hostname, capacity from the OS,
// addresses, nodeInfo, and the four conditions a healthy kubelet reports.
import { cpus, networkInterfaces, release, totalmem } from 'node:os';
import { readFileSync, statfsSync } from 'node:fs';
import type { Node, NodeCondition } from 'kubernetes-types/core/v1.js';

export const KUBELET_VERSION = 'v1.32.4';
export const ORDINAL_VERSION = '0.1.0';

function readTrim(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

function osImage(): string {
  const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readTrim('/etc/os-release'));
  return m?.[1] ?? 'Linux';
}

export function goArch(arch = process.arch): string {
  return arch === 'x64' ? 'amd64' : arch === 'ia32' ? '386' : arch;
}

/** The node's InternalIP: the first non-loopback IPv4 address, else 127.0.0.1. */
export function primaryIP(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export interface NodeCapacity {
  cpu: string;
  memory: string;
  'ephemeral-storage': string;
  pods: string;
  'hugepages-1Gi': string;
  'hugepages-2Mi': string;
}

export function nodeCapacity(dataDir: string): NodeCapacity {
  let storage = '0';
  try {
    const st = statfsSync(dataDir);
    storage = `${Math.floor((st.blocks * st.bsize) / 1024)}Ki`;
  } catch {
    // unknown
  }
  return {
    cpu: String(cpus().length || 1),
    'ephemeral-storage': storage,
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: `${Math.floor(totalmem() / 1024)}Ki`,
    pods: '110',
  };
}

export function readyConditions(now: string, prev: NodeCondition[] = []): NodeCondition[] {
  const mk = (type: string, status: string, reason: string, message: string): NodeCondition => {
    const p = prev.find((c) => c.type === type);
    return {
      type, status, reason, message, lastHeartbeatTime: now,
      lastTransitionTime: p && p.status === status && p.lastTransitionTime ? p.lastTransitionTime : now,
    };
  };
  return [
    mk('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    mk('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    mk('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    mk('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
}

export function nodeObject(o: { name: string; podCIDR: string; hostIP: string; dataDir: string; runtime: string; now: string }): Node {
  const arch = goArch();
  const capacity = nodeCapacity(o.dataDir);
  const machineID = readTrim('/etc/machine-id');
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: o.name,
      labels: {
        'beta.kubernetes.io/arch': arch,
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': arch,
        'kubernetes.io/hostname': o.name,
        'kubernetes.io/os': 'linux',
      },
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: { podCIDR: o.podCIDR, podCIDRs: [o.podCIDR] },
    status: {
      capacity,
      allocatable: { ...capacity },
      conditions: readyConditions(o.now),
      addresses: [{ type: 'InternalIP', address: o.hostIP }, { type: 'Hostname', address: o.name }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID,
        systemUUID: readTrim('/sys/class/dmi/id/product_uuid') || machineID,
        bootID: readTrim('/proc/sys/kernel/random/boot_id'),
        kernelVersion: release(),
        osImage: osImage(),
        containerRuntimeVersion: `ordinal-${o.runtime}://${ORDINAL_VERSION}`,
        kubeletVersion: KUBELET_VERSION,
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        architecture: arch,
      },
    },
  } as unknown as Node;
}
