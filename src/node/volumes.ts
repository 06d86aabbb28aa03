// Pod volumes on this node: each volume of the pod becomes a directory on
// the host (or, for persistentVolumeClaim and hostPath, names one), and each
// volumeMount of a container becomes a host path + container path for the
// runtime. Layout follows the kubelet's: <pod>/volumes/kubernetes.io~<plugin>/<name>.
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import type { Container, KeyToPath, PersistentVolume, PersistentVolumeClaim, Pod, Volume } from 'kubernetes-types/core/v1.js';
import type { Client } from '../client/types.js';
import { StatusError } from '../api/errors.js';
import { expand, podField } from './env.js';
import { setVolumeOwnership } from './fsgroup.js';
import { ANN_PROVISIONED_BY, PROVISIONER } from '../controllers/volumes/binding.js';
import type { VolumeMount } from './runtime/types.js';

export class VolumeError extends Error {
  constructor(readonly reason: 'FailedMount' | 'FailedAttachVolume', message: string) {
    super(message);
  }
}

export interface VolumeContext {
  client: Client;
  pod: Pod;
  podDir: string;
  podIP: string;
  hostIP: string;
  volumePathFor?(pv: PersistentVolume): string | undefined;
  /** Another live pod on this node using the claim `ns/name`, if any. */
  claimUser(namespace: string, claim: string): string | undefined;
}

export interface PreparedVolume {
  name: string;
  hostPath: string;
  readOnly: boolean;
  /** The claim it comes from (`ns/name`), for the one-pod-per-RWO-claim rule. */
  claim?: string;
  emptyDir?: boolean;
  /**
   * Whether the pod's fsGroup applies: volumes of the pod's own (emptyDir,
   * configMap, secret, downwardAPI, projected) and claims bound to volumes
   * ordinal provisioned, as a CSI driver's volumes; a hostPath volume, or a
   * PersistentVolume naming a host directory, keeps its owners as in Kubernetes.
   */
  ownership?: boolean;
}

function pluginDir(podDir: string, plugin: string, name: string): string {
  return join(podDir, 'volumes', `kubernetes.io~${plugin}`, name);
}

const notFoundIn = (e: unknown) => e instanceof StatusError && e.code === 404;

/** The host directory of a bound PersistentVolume. */
export function persistentVolumePath(pv: PersistentVolume, custom?: (pv: PersistentVolume) => string | undefined): string | undefined {
  return custom?.(pv) ?? pv.spec?.hostPath?.path ?? pv.spec?.local?.path;
}

/** Sets every volume of the pod up; throws VolumeError with the kubelet's wording when one can't be. */
export async function setUpVolumes(ctx: VolumeContext): Promise<Map<string, PreparedVolume>> {
  const out = new Map<string, PreparedVolume>();
  const psc = ctx.pod.spec?.securityContext;
  for (const v of ctx.pod.spec?.volumes ?? []) {
    const prepared = await setUpVolume(ctx, v);
    if (psc?.fsGroup !== undefined && prepared.ownership && !(v.persistentVolumeClaim && prepared.readOnly)) {
      setVolumeOwnership(prepared.hostPath, psc.fsGroup, prepared.readOnly, psc.fsGroupChangePolicy);
    }
    out.set(v.name, prepared);
  }
  return out;
}

async function setUpVolume(ctx: VolumeContext, v: Volume): Promise<PreparedVolume> {
  const ns = ctx.pod.metadata?.namespace ?? 'default';
  const fail = (msg: string) => new VolumeError('FailedMount', `MountVolume.SetUp failed for volume "${v.name}" : ${msg}`);
  if (v.persistentVolumeClaim) {
    const claimName = v.persistentVolumeClaim.claimName;
    let pvc: PersistentVolumeClaim;
    try {
      pvc = await ctx.client.get<PersistentVolumeClaim & Record<string, unknown>>('persistentvolumeclaims', ns, claimName);
    } catch (e) {
      if (notFoundIn(e)) throw new VolumeError('FailedMount', `Unable to attach or mount volumes: unmounted volumes=[${v.name}]: error processing PVC ${ns}/${claimName}: PVC not found`);
      throw e;
    }
    const pvName = pvc.spec?.volumeName;
    if (pvc.status?.phase !== 'Bound' || !pvName) {
      throw new VolumeError('FailedMount', `Unable to attach or mount volumes: unmounted volumes=[${v.name}]: error processing PVC ${ns}/${claimName}: PVC is not bound`);
    }
    const pv = await ctx.client.get<PersistentVolume & Record<string, unknown>>('persistentvolumes', undefined, pvName);
    const modes = [...(pvc.spec?.accessModes ?? []), ...(pv.spec?.accessModes ?? [])];
    if (modes.includes('ReadWriteOnce') || modes.includes('ReadWriteOncePod')) {
      const other = ctx.claimUser(ns, claimName);
      if (other) throw new VolumeError('FailedAttachVolume', `Multi-Attach error for volume "${pvName}" Volume is already used by pod(s) ${other}`);
    }
    const path = persistentVolumePath(pv, ctx.volumePathFor);
    if (!path) throw fail(`PersistentVolume "${pvName}" has no hostPath or local path this node can use`);
    mkdirSync(path, { recursive: true });
    return {
      name: v.name, hostPath: path, readOnly: !!v.persistentVolumeClaim.readOnly, claim: `${ns}/${claimName}`,
      ownership: pv.metadata?.annotations?.[ANN_PROVISIONED_BY] === PROVISIONER,
    };
  }
  if (v.hostPath) {
    const p = v.hostPath.path;
    const type = v.hostPath.type ?? '';
    const exists = existsSync(p);
    const st = exists ? statSync(p) : undefined;
    switch (type) {
      case 'DirectoryOrCreate':
        if (!exists) mkdirSync(p, { recursive: true, mode: 0o755 });
        break;
      case 'FileOrCreate':
        if (!exists) {
          mkdirSync(dirname(p), { recursive: true });
          writeFileSync(p, '', { mode: 0o644 });
        }
        break;
      case 'Directory':
        if (!st?.isDirectory()) throw fail(`hostPath type check failed: ${p} is not a directory`);
        break;
      case 'File':
        if (!st?.isFile()) throw fail(`hostPath type check failed: ${p} is not a file`);
        break;
      case 'Socket':
        if (!st?.isSocket()) throw fail(`hostPath type check failed: ${p} is not a socket file`);
        break;
      case 'CharDevice':
        if (!st?.isCharacterDevice()) throw fail(`hostPath type check failed: ${p} is not a character device`);
        break;
      case 'BlockDevice':
        if (!st?.isBlockDevice()) throw fail(`hostPath type check failed: ${p} is not a block device`);
        break;
      default:
        // "" : no checks; a missing path is created as a directory, as the runtime's bind mount would.
        if (!exists) mkdirSync(p, { recursive: true });
    }
    return { name: v.name, hostPath: p, readOnly: false };
  }
  if (v.emptyDir) {
    const p = pluginDir(ctx.podDir, 'empty-dir', v.name);
    mkdirSync(p, { recursive: true, mode: 0o777 });
    chmodSync(p, 0o777);
    return { name: v.name, hostPath: p, readOnly: false, emptyDir: true, ownership: true };
  }
  if (v.configMap || v.secret || v.downwardAPI || v.projected) {
    const plugin = v.configMap ? 'configmap' : v.secret ? 'secret' : v.downwardAPI ? 'downward-api' : 'projected';
    const files = new Map<string, { data: Buffer; mode: number }>();
    const defaultMode = v.configMap?.defaultMode ?? v.secret?.defaultMode ?? v.downwardAPI?.defaultMode ?? v.projected?.defaultMode ?? 0o644;
    const sources = v.projected
      ? v.projected.sources ?? []
      : [{ configMap: v.configMap, secret: v.secret ? { ...v.secret, name: v.secret.secretName } : undefined, downwardAPI: v.downwardAPI }];
    for (const src of sources) {
      if (src.configMap) {
        const name = src.configMap.name ?? '';
        const cm = await ctx.client.get<Record<string, unknown>>('configmaps', ns, name).catch((e) => {
          if (notFoundIn(e)) return undefined;
          throw e;
        });
        if (!cm) {
          if (src.configMap.optional) continue;
          throw fail(`configmap "${name}" not found`);
        }
        const data: Record<string, Buffer> = {};
        for (const [k, val] of Object.entries((cm.data ?? {}) as Record<string, string>)) data[k] = Buffer.from(val);
        for (const [k, val] of Object.entries((cm.binaryData ?? {}) as Record<string, string>)) data[k] = Buffer.from(val, 'base64');
        addKeys(files, data, src.configMap.items, defaultMode, `configmap "${name}"`, !!src.configMap.optional, fail);
      }
      if (src.secret) {
        const name = src.secret.name ?? '';
        const s = await ctx.client.get<Record<string, unknown>>('secrets', ns, name).catch((e) => {
          if (notFoundIn(e)) return undefined;
          throw e;
        });
        if (!s) {
          if (src.secret.optional) continue;
          throw fail(`secret "${name}" not found`);
        }
        const data: Record<string, Buffer> = {};
        for (const [k, val] of Object.entries((s.data ?? {}) as Record<string, string>)) data[k] = Buffer.from(val, 'base64');
        addKeys(files, data, src.secret.items, defaultMode, `secret "${name}"`, !!src.secret.optional, fail);
      }
      if (src.downwardAPI) {
        for (const item of src.downwardAPI.items ?? []) {
          let value = '';
          if (item.fieldRef) value = podField(ctx.pod, item.fieldRef.fieldPath, ctx.podIP, ctx.hostIP);
          files.set(item.path, { data: Buffer.from(value), mode: item.mode ?? defaultMode });
        }
      }
    }
    const p = pluginDir(ctx.podDir, plugin, v.name);
    writeAtomically(p, files);
    return { name: v.name, hostPath: p, readOnly: true, ownership: true };
  }
  throw fail('this volume type is not supported by ordinal yet (supported: persistentVolumeClaim, emptyDir, hostPath, configMap, secret, downwardAPI, projected)');
}

function addKeys(
  files: Map<string, { data: Buffer; mode: number }>, data: Record<string, Buffer>, items: KeyToPath[] | undefined,
  defaultMode: number, what: string, optional: boolean, fail: (m: string) => Error,
): void {
  if (!items?.length) {
    for (const [k, d] of Object.entries(data)) files.set(k, { data: d, mode: defaultMode });
    return;
  }
  for (const it of items) {
    const d = data[it.key];
    if (!d) {
      if (optional) continue;
      throw fail(`configmap references non-existent config key: ${it.key}`.replace('configmap', what.startsWith('secret') ? 'secret' : 'configmap'));
    }
    files.set(it.path, { data: d, mode: it.mode ?? defaultMode });
  }
}

/** Writes the files into a fresh directory and swaps it in, as the kubelet's atomic writer does. */
function writeAtomically(dir: string, files: Map<string, { data: Buffer; mode: number }>): void {
  const tmp = `${dir}..tmp${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  for (const [rel, f] of files) {
    const p = join(tmp, normalize(rel).replace(/^(\.\.(\/|$))+/, ''));
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.data, { mode: f.mode });
    chmodSync(p, f.mode);
  }
  if (existsSync(dir)) {
    for (const e of readdirSync(dir)) rmSync(join(dir, e), { recursive: true, force: true });
    for (const e of readdirSync(tmp)) renameSync(join(tmp, e), join(dir, e));
    rmSync(tmp, { recursive: true, force: true });
  } else {
    mkdirSync(dirname(dir), { recursive: true });
    renameSync(tmp, dir);
  }
}

/** The runtime mounts of a container: each volumeMount with subPath / subPathExpr resolved. */
export function containerMounts(c: Container, volumes: Map<string, PreparedVolume>, env: Record<string, string>): VolumeMount[] {
  const out: VolumeMount[] = [];
  for (const m of c.volumeMounts ?? []) {
    const v = volumes.get(m.name);
    if (!v) throw new VolumeError('FailedMount', `volume "${m.name}" not found in the pod's volumes`);
    let host = v.hostPath;
    const sub = m.subPathExpr ? expand(m.subPathExpr, (n) => env[n]) : m.subPath;
    if (sub) {
      const clean = normalize(sub);
      if (clean.startsWith('..') || clean.startsWith('/')) throw new VolumeError('FailedMount', `subPath "${sub}" must be a relative path within the volume`);
      host = join(v.hostPath, clean);
      if (!existsSync(host)) mkdirSync(host, { recursive: true, mode: 0o755 });
    }
    out.push({ hostPath: host, containerPath: m.mountPath, readOnly: !!m.readOnly || v.readOnly });
  }
  return out;
}

/** Removes what belongs to the pod alone (emptyDirs, projected files); claims and hostPaths stay. */
export function tearDownVolumes(podDir: string): void {
  rmSync(join(podDir, 'volumes'), { recursive: true, force: true });
}
