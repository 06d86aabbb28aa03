// Cluster DNS: an authoritative server for the cluster zone, answering from
// an in-memory index of Services, EndpointSlices and Pods.
export { ClusterDns, type ClusterDnsOptions } from './server.js';
export { ZoneIndex, SCHEMA_VERSION } from './zone.js';
export { ensureServiceAddress, releaseServiceAddress, interfaceWithAddress, SERVICE_INTERFACE } from './host-address.js';
export { kubeDnsService, DEFAULT_CLUSTER_DNS_IP } from './kube-dns.js';
export { resolvConfNameservers } from './forward.js';
