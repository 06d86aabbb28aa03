// The composition root: builds every part of ordinal, wires them together
// and starts and stops them in order. Nothing else happens here.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Registry } from './registry/registry.js';
import { bootstrap, ensureKubernetesService } from './registry/bootstrap.js';
import { SqliteStore } from './store/sqlite.js';
import { MemoryStore } from './store/memory.js';
import type { Store } from './store/types.js';
import type { KObject } from './client/types.js';
import { LocalClient } from './client/local.js';
import { ApiServer } from './apiserver/server.js';
import { ensureTls, ensureToken } from './apiserver/tls.js';
import { defaultDataDir, kubeconfigYaml, lockDataDir, writeAtomic } from './cluster/datadir.js';
import { NamespaceController } from './controllers/namespace/index.js';
import { EndpointsController } from './controllers/endpoints/index.js';
import { EventRecorder } from './controllers/events.js';
import { SimulatedNode } from './node/simulated/index.js';
import { StatefulSetController } from './controllers/statefulset/index.js';
import { VolumeController, storageAdmissionFor } from './controllers/volumes/index.js';
import { Kubelet } from './node/index.js';
import { GarbageCollector } from './controllers/gc/index.js';
import { DisruptionController } from './controllers/disruption/index.js';
import { ClusterDns, nativeUdp, DEFAULT_CLUSTER_DNS_IP, ensureServiceAddress, kubeDnsService, releaseServiceAddress } from './dns/index.js';
import { ensure } from './registry/bootstrap.js';
import { resourceByKey } from './api/resources.js';
import { Dashboard } from './web/server.js';

export type RuntimeKind = 'linux' | 'process' | 'simulated';

export interface OrdinalOptions {
  dataDir?: string;
  apiPort?: number;
  dnsPort?: number;
  bind?: string;
  runtime?: RuntimeKind;
  /** 'sqlite' (default, durable) or 'memory' (tests, throwaway clusters). */
  store?: 'sqlite' | 'memory';
  /** Serve the dashboard on http://127.0.0.1:dashboardPort/ (0 picks a free port); none without it. */
  dashboardPort?: number;
  log?: (line: string) => void;
}

interface Component {
  name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

export class Ordinal {
  readonly dataDir: string;
  readonly kubeconfigPath: string;
  private readonly opts: OrdinalOptions;
  private readonly log: (line: string) => void;
  private store?: Store;
  private api?: ApiServer;
  private unlock?: () => void;
  private readonly started: Component[] = [];
  registry?: Registry;
  client?: LocalClient;

  constructor(opts: OrdinalOptions = {}) {
    this.opts = opts;
    this.dataDir = opts.dataDir ?? defaultDataDir();
    this.kubeconfigPath = join(this.dataDir, 'kubeconfig');
    this.log = opts.log ?? ((l) => process.stderr.write(`${l}\n`));
  }

  get apiPort(): number {
    return this.api?.port ?? 0;
  }

  /** The dashboard's port, 0 when it is not served. */
  get dashboardPort(): number {
    return this.dashboard?.port ?? 0;
  }

  async start(): Promise<void> {
    this.unlock = lockDataDir(this.dataDir);
    try {
      await this.startParts();
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  private async startParts(): Promise<void> {
    const bind = this.opts.bind ?? '127.0.0.1';
    this.store = this.opts.store === 'memory' ? new MemoryStore() : new SqliteStore(join(this.dataDir, 'state.db'));
    const registry = (this.registry = new Registry({ store: this.store }));
    registry.addAdmission(storageAdmissionFor(registry));
    const apiPortWanted = this.opts.apiPort ?? 6443;
    bootstrap(registry);
    const client = (this.client = new LocalClient(registry));
    // Compact like kube-apiserver does (every 5 minutes), keeping the watch window.
    const store = this.store;
    const compactor = setInterval(() => store.compact(Math.max(0, store.revision() - 20_000)), 5 * 60_000);
    compactor.unref();
    this.started.push({ name: 'compactor', start: () => {}, stop: () => clearInterval(compactor) });

    const tls = await ensureTls(join(this.dataDir, 'pki'), [bind === '0.0.0.0' ? '127.0.0.1' : bind]);
    const token = ensureToken(this.dataDir);
    this.api = new ApiServer({ registry, host: bind, port: apiPortWanted, tls, token, log: this.log });
    const port = await this.api.start();
    ensureKubernetesService(registry, port);

    await this.startComponent({ name: 'namespace-controller', ...wrap(new NamespaceController(client)) });
    await this.startComponent({
      name: 'endpoints-controller',
      ...wrap(new EndpointsController({ client, recorder: new EventRecorder(client, { component: 'endpoint-controller' }) })),
    });
    await this.startComponent({ name: 'garbage-collector', ...wrap(new GarbageCollector({ client })) });
    await this.startComponent({ name: 'statefulset-controller', ...wrap(new StatefulSetController({ client })) });
    await this.startComponent({
      name: 'disruption-controller',
      ...wrap(new DisruptionController({ client, log: (l) => this.log(`disruption-controller: ${l}`) })),
    });
    await this.startComponent({
      name: 'volume-controller',
      ...wrap(new VolumeController({ client, dataDir: this.dataDir, nodeName: this.nodeName })),
    });
    await this.startDns(client);
    await this.startNode(client);

    const host = bind === '0.0.0.0' ? '127.0.0.1' : bind;
    if (this.opts.dashboardPort !== undefined) await this.startDashboard({ host, port, caCert: tls.caCert, token });
    writeAtomic(this.kubeconfigPath, kubeconfigYaml({ server: `https://${host}:${port}`, caCert: tls.caCert, token }), 0o600);
    const dnsAt = (this.dns?.addresses() ?? []).map((a) => `${a.host}:${a.port}`).join(', ');
    this.log(`ordinal API on https://${host}:${port}, cluster DNS on ${dnsAt} (node ${hostname()})`);
    if (this.dns?.udpTransport() === 'dgram') this.log(`cluster DNS: UDP through node:dgram (${nativeUdp().error ?? 'forced'}); slower than the batched addon`);
  }

  /**
   * Cluster DNS on 127.0.0.1:--dns-port for users, and, with the linux runtime, on the
   * kube-dns Service's ClusterIP port 53 for pods (made a local address the
   * way kube-proxy's IPVS mode does), which pods' resolv.conf names.
   */
  private async startDns(client: LocalClient): Promise<void> {
    ensure(() => this.registry!.create(resourceByKey('services'), 'kube-system', kubeDnsService(DEFAULT_CLUSTER_DNS_IP) as KObject));
    const users = { host: '127.0.0.1', port: this.opts.dnsPort ?? 1053 };
    // Pods of the linux runtime resolve through kube-dns's ClusterIP, which only
    // one ordinal on this machine can serve; without it, users' DNS still runs.
    let serviceAddress: string | undefined;
    let dns: ClusterDns | undefined;
    if (this.runtime === 'linux') {
      try {
        await ensureServiceAddress(DEFAULT_CLUSTER_DNS_IP);
        dns = new ClusterDns({ client, listen: [users, { host: DEFAULT_CLUSTER_DNS_IP, port: 53 }] });
        await dns.start();
        serviceAddress = DEFAULT_CLUSTER_DNS_IP;
      } catch (e) {
        await dns?.stop();
        dns = undefined;
        this.log(`cluster DNS: cannot serve pods on ${DEFAULT_CLUSTER_DNS_IP}:53 (${(e as Error).message}); pods will not resolve cluster names`);
      }
    }
    if (!dns) {
      dns = new ClusterDns({ client, listen: [users] });
      await dns.start();
    }
    const started = (this.dns = dns);
    await this.startComponent({
      name: 'dns',
      start: () => {},
      stop: async () => {
        await started.stop();
        if (serviceAddress) await releaseServiceAddress(serviceAddress);
      },
    });
    this.clusterDnsIp = serviceAddress;
  }

  /** The dashboard, a client of the API on `api` like kubectl (src/web/). */
  private async startDashboard(api: { host: string; port: number; caCert: string; token: string }): Promise<void> {
    const dashboard = new Dashboard({ port: this.opts.dashboardPort ?? 0, api });
    await this.startComponent({
      name: 'dashboard',
      start: async () => {
        await dashboard.start();
        this.dashboard = dashboard;
      },
      stop: () => dashboard.stop(),
    });
    this.log(`dashboard on ${dashboard.url}`);
  }

  private dashboard?: Dashboard;

  /** The node agent: real processes (linux or process runtime) or the simulated node. */
  private get runtime(): RuntimeKind {
    return this.opts.runtime ?? (isRoot() ? 'linux' : 'process');
  }

  private async startNode(client: LocalClient): Promise<void> {
    const runtime = this.runtime;
    if (runtime === 'simulated') {
      await this.startComponent({ name: 'simulated-node', ...wrap(new SimulatedNode({ client })) });
      return;
    }
    const kubelet = new Kubelet({
      client,
      nodeName: this.nodeName,
      dataDir: this.dataDir,
      runtime,
      clusterDNS: this.clusterDnsIp,
      log: (m) => this.log(`kubelet: ${m}`),
    });
    await this.startComponent({
      name: 'kubelet',
      start: async () => {
        await kubelet.start();
        this.api!.setPodStreams(kubelet.streams);
      },
      stop: () => kubelet.stop({ stopPods: true }),
    });
  }

  /** Node names are DNS subdomains: lower case. */
  readonly nodeName = hostname().toLowerCase();

  /** The address pods' resolv.conf names, when pods can reach the cluster DNS. */
  clusterDnsIp?: string;
  dns?: ClusterDns;

  private async startComponent(c: Component): Promise<void> {
    await c.start();
    this.started.push(c);
  }

  async stop(): Promise<void> {
    for (const c of this.started.splice(0).reverse()) {
      try {
        await c.stop();
      } catch (e) {
        this.log(`stopping ${c.name}: ${(e as Error).message}`);
      }
    }
    await this.api?.stop();
    this.api = undefined;
    this.store?.close();
    this.store = undefined;
    this.unlock?.();
    this.unlock = undefined;
  }
}

function isRoot(): boolean {
  return process.platform === 'linux' && typeof process.getuid === 'function' && process.getuid() === 0;
}

function wrap(x: { start(): Promise<void> | void; stop(): Promise<void> | void }) {
  return { start: () => x.start(), stop: () => x.stop() };
}
