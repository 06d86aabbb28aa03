// Who a container's processes run as, from the pod's and the container's
// securityContext (the container's fields win, as in Kubernetes'
// DetermineEffectiveSecurityContext), and the kubelet's runAsNonRoot check
// against the image's USER before a container is created.
import type { Container, Pod } from 'kubernetes-types/core/v1.js';

/** What the runtime applies to a container's processes; user and group names are resolved in its root. */
export interface ContainerIdentity {
  runAsUser?: number;
  runAsGroup?: number;
  /** The pod's fsGroup and supplementalGroups: added to the groups of every container. */
  supplementalGroups: number[];
}

export function containerIdentity(pod: Pod, c: Container): ContainerIdentity {
  const psc = pod.spec?.securityContext ?? {};
  const sc = c.securityContext ?? {};
  const groups = [...(psc.fsGroup !== undefined ? [psc.fsGroup] : []), ...(psc.supplementalGroups ?? [])];
  return {
    runAsUser: sc.runAsUser ?? psc.runAsUser,
    runAsGroup: sc.runAsGroup ?? psc.runAsGroup,
    supplementalGroups: [...new Set(groups)],
  };
}

/** True when the container's processes need credentials other than the node agent's root. */
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
