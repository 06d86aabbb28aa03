// Defaults of Services: SetDefaults_Service, plus the parts of the service
// REST storage that a create settles before allocation (clusterIPs from
// clusterIP, IP families). Cluster IPs and node ports themselves are
// allocated by the registry.
type Obj = Record<string, any>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const DEFAULT_CLIENT_IP_TIMEOUT = 10800;

export function defaultService(svc: Obj): void {
  const spec = isObj(svc.spec) ? svc.spec : (svc.spec = {});
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && typeof spec.sessionAffinityConfig?.clientIP?.timeoutSeconds !== 'number') {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: DEFAULT_CLIENT_IP_TIMEOUT } };
  }
  if (!spec.type) spec.type = 'ClusterIP';
  for (const p of Array.isArray(spec.ports) ? spec.ports : []) {
    if (!isObj(p)) continue;
    if (!p.protocol) p.protocol = 'TCP';
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  const external = spec.type === 'LoadBalancer' || spec.type === 'NodePort'
    || (spec.type === 'ClusterIP' && Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0);
  if (external && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (!spec.internalTrafficPolicy && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(spec.type)) spec.internalTrafficPolicy = 'Cluster';
  if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === undefined) spec.allocateLoadBalancerNodePorts = true;

  if (spec.type === 'ExternalName') return;
  // A client that only knows the singular field: the plural follows it.
  if (spec.clusterIP && (!Array.isArray(spec.clusterIPs) || spec.clusterIPs.length === 0)) spec.clusterIPs = [spec.clusterIP];
  const headless = spec.clusterIP === 'None' || spec.clusterIPs?.[0] === 'None';
  const selectorless = !isObj(spec.selector) || Object.keys(spec.selector).length === 0;
  if (!spec.ipFamilyPolicy) spec.ipFamilyPolicy = headless && selectorless ? 'RequireDualStack' : 'SingleStack';
  if (!Array.isArray(spec.ipFamilies) || spec.ipFamilies.length === 0) {
    const first = typeof spec.clusterIPs?.[0] === 'string' && spec.clusterIPs[0].includes(':') ? 'IPv6' : 'IPv4';
    spec.ipFamilies = [first];
  }
  // Headless services without a selector carry both families unless they ask for one.
  if (headless && selectorless && spec.ipFamilyPolicy !== 'SingleStack' && spec.ipFamilies.length < 2) {
    spec.ipFamilies.push(spec.ipFamilies[0] === 'IPv4' ? 'IPv6' : 'IPv4');
  }
}

function needsClusterIP(spec: Obj): boolean {
  return spec.type !== 'ExternalName';
}

function needsNodePort(spec: Obj): boolean {
  return spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
}

function sameStrings(a: unknown, b: unknown): boolean {
  const x = Array.isArray(a) ? a : [];
  const y = Array.isArray(b) ? b : [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/**
 * What a Service update settles before defaulting and validation, given the
 * stored object (the service storage's patchAllocatedValues and the
 * strategy's normalizeClusterIPs): a client that leaves out allocated values
 * keeps them, and a client that only changes the singular clusterIP has the
 * plural follow it (so validation reports the change).
 */
export function prepareServiceUpdate(svc: Obj, old: Obj): void {
  const spec = isObj(svc.spec) ? svc.spec : (svc.spec = {});
  const prev: Obj = isObj(old?.spec) ? old.spec : {};
  const type = spec.type || 'ClusterIP';
  const prevType = prev.type || 'ClusterIP';
  if (needsClusterIP({ type: prevType }) && needsClusterIP({ type })) {
    if (!spec.clusterIP) spec.clusterIP = prev.clusterIP;
    if ((!Array.isArray(spec.clusterIPs) || spec.clusterIPs.length === 0) && Array.isArray(prev.clusterIPs) && prev.clusterIPs.length) {
      spec.clusterIPs = [...prev.clusterIPs];
    }
    if ((!Array.isArray(spec.ipFamilies) || spec.ipFamilies.length === 0) && Array.isArray(prev.ipFamilies)) spec.ipFamilies = [...prev.ipFamilies];
    if (!spec.ipFamilyPolicy && prev.ipFamilyPolicy) spec.ipFamilyPolicy = prev.ipFamilyPolicy;
  }
  if (needsNodePort({ ...prev, type: prevType }) && needsNodePort({ ...spec, type })) {
    const ports: Obj[] = Array.isArray(spec.ports) ? spec.ports.filter(isObj) : [];
    const prevPorts: Obj[] = Array.isArray(prev.ports) ? prev.ports.filter(isObj) : [];
    const used = new Set(ports.map((p) => p.nodePort).filter(Boolean));
    const byName = new Map(prevPorts.map((p) => [p.name ?? '', p.nodePort]));
    for (const p of ports) {
      const was = byName.get(p.name ?? '');
      if (!p.nodePort && was && !used.has(was)) p.nodePort = was;
    }
  }
  if (type === 'LoadBalancer' && prevType === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local' && !spec.healthCheckNodePort) {
    if (prev.healthCheckNodePort) spec.healthCheckNodePort = prev.healthCheckNodePort;
  }
  // normalizeClusterIPs
  if (spec.clusterIP !== prev.clusterIP) {
    if (prev.clusterIP && !spec.clusterIP && sameStrings(prev.clusterIPs, spec.clusterIPs)) delete spec.clusterIPs;
    if (spec.clusterIP && sameStrings(prev.clusterIPs, spec.clusterIPs)) spec.clusterIPs = [spec.clusterIP];
  }
}
