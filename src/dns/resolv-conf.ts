// A pod's /etc/resolv.conf under dnsPolicy ClusterFirst, as the kubelet
// writes it: the cluster DNS address, the namespace's search path, ndots:5.
export interface PodResolvConfOptions {
  /** The kube-dns Service's ClusterIP (10.96.0.10 with kubeadm's defaults). */
  nameserver: string;
  namespace: string;
  zone?: string;
  /** The node's own search domains, appended after the cluster ones. */
  hostSearch?: string[];
}

/** Search lists longer than this are cut, as the kubelet does (MaxDNSSearchPathsExpanded). */
const MAX_SEARCH = 32;

export function podResolvConf(o: PodResolvConfOptions): string {
  const zone = o.zone ?? 'cluster.local';
  const search = [`${o.namespace}.svc.${zone}`, `svc.${zone}`, zone, ...(o.hostSearch ?? [])]
    .filter((d, i, all) => d && all.indexOf(d) === i)
    .slice(0, MAX_SEARCH);
  return `search ${search.join(' ')}\nnameserver ${o.nameserver}\noptions ndots:5\n`;
}
