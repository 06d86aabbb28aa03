// What a container is to run, worked out before the runtime starts it: the
// image from the node's image store (linux runtime), the runAsNonRoot check,
// the command from the image's Entrypoint/Cmd and the container's
// command/args, the environment with $(VAR) references expanded, the volume
// mounts, the working directory and the identity from the securityContext.
// A container that cannot start gets the kubelet's waiting reason instead.
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { ContainerConfigError, containerEnv, expandArgv, type EnvContext } from './env.js';
import { entrypoint, imageEntrypoint, imageEnv, imageWorkingDir, neverPullMessage, NoCommandError } from './images.js';
import type { ImageStore } from './imagestore/store.js';
import type { ImageLayer } from './imagestore/rootfs.js';
import { containerMounts, VolumeError, type PreparedVolume } from './volumes.js';
import { containerIdentity, UnknownCapabilityError, verifyRunAsNonRoot, type ContainerIdentity } from './security.js';
import type { VolumeMount } from './runtime/types.js';

export interface ContainerPlan {
  argv: string[];
  env: Record<string, string>;
  workingDir?: string;
  mounts: VolumeMount[];
  rootfs?: { layers: ImageLayer[]; user?: string };
  identity: ContainerIdentity;
  /** The image's ID for the container's status ('' when it runs without an image of the store). */
  imageID: string;
}

/** Why the container waits instead of starting: its waiting reason and message, and when to try again. */
export interface ContainerWait {
  reason: string;
  message: string;
  /** Short (a missing ConfigMap or Secret may appear any moment) or the long default. */
  soon?: boolean;
  /** The image is missing and must not be pulled: the kubelet's image manager reports it first. */
  neverPull?: boolean;
}

export interface PlanContext {
  pod: Pod;
  /** The node's image store when the runtime runs images (linux), else undefined. */
  images?: ImageStore;
  env: EnvContext;
  volumes: Map<string, PreparedVolume>;
}

export async function planContainer(c: Container, ctx: PlanContext): Promise<ContainerPlan | ContainerWait> {
  const image = ctx.images?.find(c.image);
  if (!image && ctx.images && c.imagePullPolicy === 'Never') {
    return { reason: 'ErrImageNeverPull', message: neverPullMessage(c.image ?? ''), neverPull: true };
  }
  const config = image?.image.config;
  const nonRoot = verifyRunAsNonRoot(ctx.pod, c, config?.config?.User || undefined);
  if (nonRoot) return { reason: 'CreateContainerConfigError', message: nonRoot };
  let ep: { command: string[]; args: string[]; fromImage?: { command: boolean; args: boolean } };
  try {
    ep = config ? imageEntrypoint(c, config) : entrypoint(c);
  } catch (e) {
    if (e instanceof NoCommandError) return { reason: e.reason, message: e.message };
    throw e;
  }
  let env: Record<string, string>;
  try {
    env = await containerEnv(c, ctx.env);
  } catch (e) {
    if (e instanceof ContainerConfigError) return { reason: e.reason, message: e.message, soon: true };
    throw e;
  }
  if (config) env = imageEnv(config, env);
  // $(VAR) references are the pod's: the image's Entrypoint and Cmd are taken as they are.
  const argv = [...(ep.fromImage?.command ? ep.command : expandArgv(ep.command, [], env)), ...(ep.fromImage?.args ? ep.args : expandArgv(ep.args, [], env))];
  let identity: ContainerIdentity;
  try {
    identity = containerIdentity(ctx.pod, c);
  } catch (e) {
    if (e instanceof UnknownCapabilityError) return { reason: 'CreateContainerError', message: `failed to generate container spec: ${e.message}` };
    throw e;
  }
  let mounts: VolumeMount[];
  try {
    mounts = containerMounts(c, ctx.volumes, env);
  } catch (e) {
    if (e instanceof VolumeError) return { reason: 'CreateContainerConfigError', message: e.message };
    throw e;
  }
  return {
    argv, env, mounts,
    workingDir: config ? imageWorkingDir(c, config) : c.workingDir,
    rootfs: image ? { layers: image.layers, user: config?.config?.User || undefined } : undefined,
    identity,
    imageID: image?.imageID ?? '',
  };
}
