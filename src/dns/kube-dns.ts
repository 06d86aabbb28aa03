// The `kube-dns` Service that names the cluster DNS, as kubeadm creates it:
// kube-system/kube-dns with the well-known ClusterIP pods' resolv.conf uses.
import type { Service } from 'kubernetes-types/core/v1.js';

/** kubeadm's default: the tenth address of the 10.96.0.0/12 Service range. */
export const DEFAULT_CLUSTER_DNS_IP = '10.96.0.10';

export function kubeDnsService(clusterIP = DEFAULT_CLUSTER_DNS_IP): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'kube-dns',
      namespace: 'kube-system',
      labels: {
        'k8s-app': 'kube-dns',
        'kubernetes.io/cluster-service': 'true',
      },
    },
    spec: {
      type: 'ClusterIP',
      clusterIP,
      clusterIPs: [clusterIP],
      selector: { 'k8s-app': 'kube-dns' },
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
      ],
    },
  };
}
