// Who a container's processes run as and what they may do, from the pod's
// and the container's securityContext (the container's fields win, as in
// Kubernetes' DetermineEffectiveSecurityContext): user, groups,
// capabilities, no_new_privs, a read-only root; and the kubelet's
// runAsNonRoot check against the image's USER before a container is created.
import type { Container, Pod } from 'kubernetes-types/core/v1.js';

/** What the runtime applies to a container's processes; user and group names are resolved in its root. */
export interface ContainerIdentity {
  runAsUser?: number;
  runAsGroup?: number;
  /** The pod's fsGroup and supplementalGroups: added to the groups of every container. */
  supplementalGroups: number[];
  /** The capability set as a hex mask (bit n = capability n); undefined keeps every capability (privileged). */
  capabilities?: string;
  /** allowPrivilegeEscalation: false. */
  noNewPrivs?: boolean;
  /** readOnlyRootFilesystem: true. */
  readOnlyRoot?: boolean;
}

/** Linux capabilities by number (linux/capability.h). */
const CAPABILITIES = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP', 'LINUX_IMMUTABLE',
  'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE',
  'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE', 'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE',
  'AUDIT_CONTROL', 'SETFCAP', 'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF',
  'CHECKPOINT_RESTORE',
];

/** containerd's default set for a container that is not privileged (docker's too): 0xa80425fb. */
const DEFAULT_CAPABILITIES = [
  'CHOWN', 'DAC_OVERRIDE', 'FSETID', 'FOWNER', 'MKNOD', 'NET_RAW', 'SETGID', 'SETUID', 'SETFCAP', 'SETPCAP', 'NET_BIND_SERVICE', 'SYS_CHROOT', 'KILL', 'AUDIT_WRITE',
];

/** A capability name as containerd reads it: with or without CAP_, any case. */
function capabilityBit(name: string): number {
  const n = CAPABILITIES.indexOf(name.toUpperCase().replace(/^CAP_/, ''));
  if (n < 0) throw new UnknownCapabilityError(name);
  return n;
}

export class UnknownCapabilityError extends Error {
  constructor(readonly capability: string) {
    super(`unknown capability ${JSON.stringify(capability.toUpperCase().startsWith('CAP_') ? capability : `CAP_${capability}`)}`);
  }
}

/**
 * The container's capabilities as containerd computes them: privileged keeps
 * all; otherwise the default set, minus `drop` (ALL empties it), plus `add`
 * (ALL gives every one). Throws UnknownCapabilityError.
 */
export function capabilityMask(c: Container): string | undefined {
  const sc = c.securityContext;
  if (sc?.privileged) return undefined;
  const all = (1n << BigInt(CAPABILITIES.length)) - 1n;
  let mask = DEFAULT_CAPABILITIES.reduce((m, n) => m | (1n << BigInt(capabilityBit(n))), 0n);
  const drop = sc?.capabilities?.drop ?? [];
  const add = sc?.capabilities?.add ?? [];
  if (drop.some((d) => d.toUpperCase() === 'ALL')) mask = 0n;
  for (const d of drop) if (d.toUpperCase() !== 'ALL') mask &= ~(1n << BigInt(capabilityBit(d)));
  if (add.some((a) => a.toUpperCase() === 'ALL')) mask = all;
  for (const a of add) if (a.toUpperCase() !== 'ALL') mask |= 1n << BigInt(capabilityBit(a));
  return mask.toString(16);
}

export function containerIdentity(pod: Pod, c: Container): ContainerIdentity {
  const psc = pod.spec?.securityContext ?? {};
  const sc = c.securityContext ?? {};
  const groups = [...(psc.fsGroup !== undefined ? [psc.fsGroup] : []), ...(psc.supplementalGroups ?? [])];
  return {
    runAsUser: sc.runAsUser ?? psc.runAsUser,
    runAsGroup: sc.runAsGroup ?? psc.runAsGroup,
    supplementalGroups: [...new Set(groups)],
    capabilities: capabilityMask(c),
    noNewPrivs: sc.allowPrivilegeEscalation === false,
    readOnlyRoot: sc.readOnlyRootFilesystem === true,
  };
}

/** True when the container's processes need a user or groups other than the node agent's root. */
export function hasIdentity(id: ContainerIdentity, imageUser: string | undefined): boolean {
  return id.runAsUser !== undefined || id.runAsGroup !== undefined || id.supplementalGroups.length > 0 || !!imageUser;
}

/**
 * The kubelet's verifyRunAsNonRoot: with runAsNonRoot, a container must not
 * run as uid 0. `imageUser` is the image's USER (user[:group]); no USER means
 * root. Returns the error the container waits with (CreateContainerConfigError).
 */
export function verifyRunAsNonRoot(pod: Pod, c: Container, imageUser: string | undefined): string | undefined {
  const nonRoot = c.securityContext?.runAsNonRoot ?? pod.spec?.securityContext?.runAsNonRoot;
  if (!nonRoot) return undefined;
  const who = `(pod: ${JSON.stringify(`${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`)}, container: ${c.name})`;
  const runAsUser = c.securityContext?.runAsUser ?? pod.spec?.securityContext?.runAsUser;
  if (runAsUser !== undefined) return runAsUser === 0 ? `container's runAsUser breaks non-root policy ${who}` : undefined;
  const user = (imageUser ?? '').split(':')[0];
  if (user && !/^\d+$/.test(user)) return `container has runAsNonRoot and image has non-numeric user (${user}), cannot verify user is non-root ${who}`;
  const uid = user ? Number(user) : 0;
  if (uid === 0) return `container has runAsNonRoot and image will run as root ${who}`;
  if (uid > 2147483647) {
    return `container has runAsNonRoot and image has an invalid user id (${uid}). (Must be 1-(2147483647)): must be between 0 and 2147483647, inclusive ${who}`;
  }
  return undefined;
}
