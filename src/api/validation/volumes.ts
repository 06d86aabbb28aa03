// Pod volumes (ValidateVolumes and the volume sources ordinal runs or may meet).
import type { FieldError } from '../errors.js';
import { arr, duplicate, forbidden, invalid, isObject, notSupported, required } from './field.js';
import { isDNS1123Label, isDNS1123Subdomain } from './names.js';
import { parseQuantity, quantitySign, QUANTITY_REGEX_ERROR } from './quantity.js';

/** The volume sources of core/v1 VolumeSource, in the order Kubernetes checks them. */
export const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gitRepo', 'gcePersistentDisk', 'awsElasticBlockStore', 'secret', 'nfs', 'iscsi',
  'glusterfs', 'flocker', 'persistentVolumeClaim', 'rbd', 'quobyte', 'cinder', 'cephfs', 'flexVolume', 'downwardAPI', 'configMap',
  'fc', 'azureFile', 'vsphereVolume', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO',
  'storageos', 'csi', 'ephemeral', 'image',
] as const;

export const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';

/** PullPolicy values: of a container's image and (Kubernetes 1.31) of an image volume's OCI object. */
export const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];

const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

export function validatePathNoBacksteps(p: string, path: string): FieldError[] {
  return p.split('/').includes('..') ? [invalid(path, p, "must not contain '..'")] : [];
}

export function validateLocalDescendingPath(p: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (p.startsWith('/')) errs.push(invalid(path, p, 'must be a relative path'));
  return errs.concat(validatePathNoBacksteps(p, path));
}

function validateLocalNonReservedPath(p: string, path: string): FieldError[] {
  const errs = validateLocalDescendingPath(p, path);
  if (p.startsWith('..')) errs.push(invalid(path, p, "must not start with '..'"));
  return errs;
}

function validateMode(mode: unknown, path: string): FieldError[] {
  return typeof mode === 'number' && (mode > 0o777 || mode < 0) ? [invalid(path, mode, FILE_MODE_ERROR)] : [];
}

function validateKeyToPaths(items: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr<Record<string, any>>(items).forEach((kp, i) => {
    const p = `${path}[${i}]`;
    if (!kp.key) errs.push(required(`${p}.key`, ''));
    if (!kp.path) errs.push(required(`${p}.path`, ''));
    else errs.push(...validateLocalNonReservedPath(String(kp.path), `${p}.path`));
    errs.push(...validateMode(kp.mode, `${p}.mode`));
  });
  return errs;
}

const DOWNWARD_VOLUME_FIELDS = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];

function validateDownwardAPIItems(items: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr<Record<string, any>>(items).forEach((item, i) => {
    const p = `${path}[${i}]`;
    if (!item.path) errs.push(required(`${p}.path`, ''));
    else errs.push(...validateLocalNonReservedPath(String(item.path), `${p}.path`));
    errs.push(...validateMode(item.mode, `${p}.mode`));
    if (isObject(item.fieldRef)) {
      const fp = String(item.fieldRef.fieldPath ?? '');
      const base = fp.replace(/\[.*$/, '');
      if (!fp) errs.push(required(`${p}.fieldRef.fieldPath`, ''));
      else if (!DOWNWARD_VOLUME_FIELDS.includes(base)) errs.push(notSupported(`${p}.fieldRef.fieldPath`, base, DOWNWARD_VOLUME_FIELDS));
      if (item.resourceFieldRef) errs.push(invalid(p, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
    } else if (!isObject(item.resourceFieldRef)) {
      errs.push(required(p, 'one of fieldRef and resourceFieldRef is required'));
    }
  });
  return errs;
}

function validateSource(kind: string, src: Record<string, any>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  switch (kind) {
    case 'hostPath':
      if (!src.path) errs.push(required(`${path}.path`, ''));
      else errs.push(...validatePathNoBacksteps(String(src.path), `${path}.path`));
      if (src.type !== undefined && src.type !== null && !HOST_PATH_TYPES.includes(src.type)) {
        errs.push(notSupported(`${path}.type`, src.type, HOST_PATH_TYPES));
      }
      break;
    case 'emptyDir':
      if (src.sizeLimit !== undefined && src.sizeLimit !== null) {
        const q = parseQuantity(src.sizeLimit);
        if (!q) errs.push(invalid(`${path}.sizeLimit`, src.sizeLimit, QUANTITY_REGEX_ERROR));
        else if (quantitySign(q) < 0) errs.push(forbidden(`${path}.sizeLimit`, 'SizeLimit field must be a valid resource quantity'));
      }
      break;
    case 'secret':
      if (!src.secretName) errs.push(required(`${path}.secretName`, ''));
      errs.push(...validateMode(src.defaultMode, `${path}.defaultMode`));
      errs.push(...validateKeyToPaths(src.items, `${path}.items`));
      break;
    case 'configMap':
      if (!src.name) errs.push(required(`${path}.name`, ''));
      else for (const m of isDNS1123Subdomain(String(src.name))) errs.push(invalid(`${path}.name`, src.name, m));
      errs.push(...validateMode(src.defaultMode, `${path}.defaultMode`));
      errs.push(...validateKeyToPaths(src.items, `${path}.items`));
      break;
    case 'persistentVolumeClaim':
      if (!src.claimName) errs.push(required(`${path}.claimName`, ''));
      break;
    case 'downwardAPI':
      errs.push(...validateMode(src.defaultMode, `${path}.defaultMode`));
      errs.push(...validateDownwardAPIItems(src.items, `${path}.items`));
      break;
    case 'projected':
      errs.push(...validateMode(src.defaultMode, `${path}.defaultMode`));
      arr<Record<string, any>>(src.sources).forEach((s, i) => {
        const p = `${path}.sources[${i}]`;
        const kinds = ['secret', 'configMap', 'downwardAPI', 'serviceAccountToken', 'clusterTrustBundle'].filter((k) => isObject(s[k]));
        if (kinds.length === 0) errs.push(required(p, 'must specify exactly 1 of: secret, configMap, downwardAPI, serviceAccountToken, clusterTrustBundle'));
        if (kinds.length > 1) errs.push(forbidden(p, 'may not specify more than 1 volume type per source'));
        if (isObject(s.secret)) errs.push(...validateKeyToPaths(s.secret.items, `${p}.secret.items`));
        if (isObject(s.configMap)) errs.push(...validateKeyToPaths(s.configMap.items, `${p}.configMap.items`));
        if (isObject(s.downwardAPI)) errs.push(...validateDownwardAPIItems(s.downwardAPI.items, `${p}.downwardAPI.items`));
        if (isObject(s.serviceAccountToken)) {
          const t = s.serviceAccountToken;
          if (!t.path) errs.push(required(`${p}.serviceAccountToken.path`, ''));
          if (typeof t.expirationSeconds === 'number') {
            if (t.expirationSeconds < 600) errs.push(invalid(`${p}.serviceAccountToken.expirationSeconds`, t.expirationSeconds, 'may not specify a duration less than 10 minutes'));
            else if (t.expirationSeconds > 2 ** 32) errs.push(invalid(`${p}.serviceAccountToken.expirationSeconds`, t.expirationSeconds, 'may not specify a duration larger than 2^32 seconds'));
          }
        }
      });
      break;
    case 'nfs':
      if (!src.server) errs.push(required(`${path}.server`, ''));
      if (!src.path) errs.push(required(`${path}.path`, ''));
      else if (!String(src.path).startsWith('/')) errs.push(invalid(`${path}.path`, src.path, 'must be an absolute path'));
      break;
    case 'csi':
      if (!src.driver) errs.push(required(`${path}.driver`, ''));
      break;
    case 'ephemeral':
      if (!isObject(src.volumeClaimTemplate)) errs.push(required(`${path}.volumeClaimTemplate`, ''));
      break;
    case 'image':
      // validateImageVolumeSource (1.31). An empty pullPolicy is what defaulting fills in
      // (Always for a :latest reference, IfNotPresent otherwise), so only a wrong one fails here.
      if (!src.reference) errs.push(required(`${path}.reference`, ''));
      if (src.pullPolicy && !PULL_POLICIES.includes(src.pullPolicy)) {
        errs.push(notSupported(`${path}.pullPolicy`, src.pullPolicy, PULL_POLICIES));
      }
      break;
  }
  return errs;
}

/** ValidateVolumes: returns the errors and the names of the declared volumes. */
export function validateVolumes(volumes: unknown, path: string): { errs: FieldError[]; names: Set<string> } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  arr<Record<string, any>>(volumes).forEach((vol, i) => {
    const p = `${path}[${i}]`;
    const kinds = VOLUME_SOURCES.filter((k) => isObject(vol[k]));
    if (kinds.length === 0) errs.push(required(p, 'must specify a volume type'));
    kinds.forEach((k, j) => {
      if (j > 0) errs.push(forbidden(`${p}.${k}`, 'may not specify more than 1 volume type'));
      else errs.push(...validateSource(k, vol[k], `${p}.${k}`));
    });
    const name = vol.name;
    if (!name) errs.push(required(`${p}.name`, ''));
    else for (const m of isDNS1123Label(String(name))) errs.push(invalid(`${p}.name`, name, m));
    if (names.has(name)) errs.push(duplicate(`${p}.name`, name));
    else if (name) names.add(name);
  });
  return { errs, names };
}
