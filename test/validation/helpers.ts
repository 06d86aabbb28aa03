// Builders of valid objects (already defaulted) and a compact rendering of field errors.
import type { FieldError } from '../../src/api/errors.js';
import { applyDefaults } from '../../src/api/defaults/index.js';

export function lines(errs: FieldError[]): string[] {
  return errs.map((e) => `${e.field}: ${e.message}`);
}

export function defaulted<T extends Record<string, any>>(key: string, obj: T): T {
  const copy = structuredClone(obj);
  applyDefaults(key, copy);
  return copy;
}

export function statefulSet(mutate: (s: any) => void = () => {}): any {
  const sts: any = {
    apiVersion: 'apps/v1', kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      serviceName: 'nginx', replicas: 3,
      selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: {
          containers: [{
            name: 'nginx', image: 'registry.k8s.io/nginx-slim:0.8',
            ports: [{ containerPort: 80, name: 'web' }],
            volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }],
          }],
        },
      },
      volumeClaimTemplates: [{
        metadata: { name: 'www' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      }],
    },
  };
  mutate(sts);
  return defaulted('statefulsets.apps', sts);
}

export function pod(mutate: (p: any) => void = () => {}): any {
  const p: any = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'web-0', namespace: 'default', labels: { app: 'nginx' } },
    spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }] },
  };
  mutate(p);
  return defaulted('pods', p);
}

export function service(mutate: (s: any) => void = () => {}): any {
  const s: any = {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'nginx', namespace: 'default' },
    spec: { selector: { app: 'nginx' }, ports: [{ port: 80, name: 'web' }] },
  };
  mutate(s);
  return defaulted('services', s);
}

export function claim(mutate: (c: any) => void = () => {}): any {
  const c: any = {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim',
    metadata: { name: 'www-web-0', namespace: 'default' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  };
  mutate(c);
  return defaulted('persistentvolumeclaims', c);
}
