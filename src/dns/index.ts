// Cluster DNS: an authoritative server for the cluster zone (Kubernetes DNS
// specification 1.1.0 plus pod A records), answering from an in-memory index
// of Services, EndpointSlices and Pods kept current by informers.
//
// Wiring: `new ClusterDns({ client, listen: [{ host: '127.0.0.1', port }] })`,
// `start()` (listeners up; in-zone names get SERVFAIL until the first list),
// `stop()`. As root, also make the kube-dns ClusterIP local with
// `ensureServiceAddress(ip)` and add `{ host: ip, port: 53 }` to `listen`;
// `kubeDnsService(ip)` is the Service object that names it, and
// `podResolvConf()` what a pod's /etc/resolv.conf should say.
export { ClusterDns, type ClusterDnsOptions } from './server.js';
export { ZoneIndex, SCHEMA_VERSION } from './zone.js';
export { ensureServiceAddress, releaseServiceAddress, interfaceWithAddress, SERVICE_INTERFACE } from './host-address.js';
export { kubeDnsService, DEFAULT_CLUSTER_DNS_IP } from './kube-dns.js';
export { podResolvConf, type PodResolvConfOptions } from './resolv-conf.js';
export { resolvConfNameservers } from './forward.js';
export { nativeUdp } from './udp.js';
