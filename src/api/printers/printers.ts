// Which printer serves which resource key (see keyOf in src/api/resources.ts).
import { controllerRevisionPrinter, statefulSetPrinter } from './apps.js';
import { leasePrinter } from './coordination.js';
import { configMapPrinter, namespacePrinter, nodePrinter, secretPrinter, serviceAccountPrinter } from './core.js';
import { eventPrinter, eventsK8sIoEventPrinter } from './events.js';
import { endpointSlicePrinter, endpointsPrinter, servicePrinter } from './network.js';
import { podPrinter } from './pod.js';
import { podDisruptionBudgetPrinter } from './policy.js';
import { persistentVolumeClaimPrinter, persistentVolumePrinter, storageClassPrinter } from './storage.js';
import type { ResourcePrinter } from './types.js';

export const PRINTERS: ReadonlyMap<string, ResourcePrinter> = new Map<string, ResourcePrinter>([
  ['namespaces', namespacePrinter],
  ['nodes', nodePrinter],
  ['pods', podPrinter],
  ['services', servicePrinter],
  ['endpoints', endpointsPrinter],
  ['events', eventPrinter],
  ['configmaps', configMapPrinter],
  ['secrets', secretPrinter],
  ['serviceaccounts', serviceAccountPrinter],
  ['persistentvolumeclaims', persistentVolumeClaimPrinter],
  ['persistentvolumes', persistentVolumePrinter],
  ['statefulsets.apps', statefulSetPrinter],
  ['controllerrevisions.apps', controllerRevisionPrinter],
  ['endpointslices.discovery.k8s.io', endpointSlicePrinter],
  ['storageclasses.storage.k8s.io', storageClassPrinter],
  ['events.events.k8s.io', eventsK8sIoEventPrinter],
  ['poddisruptionbudgets.policy', podDisruptionBudgetPrinter],
  ['leases.coordination.k8s.io', leasePrinter],
]);
