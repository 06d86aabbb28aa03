// Container probes (pkg/kubelet/prober): one worker per probe that runs it
// every periodSeconds after initialDelaySeconds, with timeoutSeconds per
// attempt, and reports a change only after successThreshold consecutive
// successes or failureThreshold consecutive failures.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Container, Probe } from 'kubernetes-types/core/v1.js';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';

export interface ProbeOutcome {
  ok: boolean;
  /** What the kubelet puts after "<Kind> probe failed: ". */
  output: string;
}

export interface ProbeTarget {
  podIP: string;
  container: Container;
  /** Runs a command in the container; resolves with its exit code and output. */
  exec(argv: string[], timeoutMs: number): Promise<{ exitCode: number; output: string; timedOut: boolean }>;
}

function resolvePort(port: number | string | undefined, c: Container): number | undefined {
  if (typeof port === 'number') return port;
  if (port === undefined) return undefined;
  if (/^\d+$/.test(port)) return Number(port);
  return c.ports?.find((p) => p.name === port)?.containerPort;
}

export async function runProbe(p: Probe, t: ProbeTarget): Promise<ProbeOutcome> {
  const timeoutMs = (p.timeoutSeconds ?? 1) * 1000;
  if (p.exec) {
    const cmd = p.exec.command ?? [];
    const r = await t.exec(cmd, timeoutMs);
    if (r.timedOut) return { ok: false, output: `command ${JSON.stringify(cmd.join(' '))} timed out` };
    return { ok: r.exitCode === 0, output: r.output.trim() };
  }
  if (p.httpGet) {
    const g = p.httpGet;
    const host = g.host || t.podIP;
    const port = resolvePort(g.port as number | string, t.container);
    const scheme = (g.scheme ?? 'HTTP').toLowerCase();
    let path = g.path ?? '/';
    if (!path.startsWith('/')) path = '/' + path;
    const url = `${scheme}://${host}:${port}${path}`;
    if (port === undefined) return { ok: false, output: `unable to resolve port ${JSON.stringify(g.port)}` };
    const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
    for (const h of g.httpHeaders ?? []) headers[h.name] = h.value;
    return new Promise((resolve) => {
      const req = (scheme === 'https' ? httpsRequest : httpRequest)(
        { host, port, path, method: 'GET', headers, timeout: timeoutMs, rejectUnauthorized: false },
        (res) => {
          const code = res.statusCode ?? 0;
          res.resume();
          res.on('end', () => undefined);
          resolve(code >= 200 && code < 400 ? { ok: true, output: '' } : { ok: false, output: `HTTP probe failed with statuscode: ${code}` });
        },
      );
      req.on('timeout', () => {
        req.destroy();
        resolve({ ok: false, output: `Get ${JSON.stringify(url)}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
      });
      req.on('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, output: `Get ${JSON.stringify(url)}: ${dialError(host, port, e)}` }));
      req.end();
    });
  }
  if (p.tcpSocket) {
    const host = p.tcpSocket.host || t.podIP;
    const port = resolvePort(p.tcpSocket.port as number | string, t.container);
    if (port === undefined) return { ok: false, output: `unable to resolve port ${JSON.stringify(p.tcpSocket.port)}` };
    return new Promise((resolve) => {
      const s = connect({ host, port });
      const timer = setTimeout(() => {
        s.destroy();
        resolve({ ok: false, output: `dial tcp ${host}:${port}: i/o timeout` });
      }, timeoutMs);
      s.on('connect', () => {
        clearTimeout(timer);
        s.destroy();
        resolve({ ok: true, output: '' });
      });
      s.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        resolve({ ok: false, output: dialError(host, port, e) });
      });
    });
  }
  if (p.grpc) return { ok: false, output: 'gRPC probes are not supported by ordinal yet' };
  return { ok: false, output: 'probe has no handler' };
}

function dialError(host: string, port: number, e: NodeJS.ErrnoException): string {
  if (e.code === 'ECONNREFUSED') return `dial tcp ${host}:${port}: connect: connection refused`;
  if (e.code === 'ECONNRESET') return 'read: connection reset by peer';
  return `dial tcp ${host}:${port}: ${e.message}`;
}

/**
 * Runs one probe on its schedule. `onChange(true|false)` is called when the
 * result crosses a threshold (and once for the first result); `onFailure`
 * sees every failed attempt (for the Unhealthy event).
 */
export class ProbeWorker {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private successes = 0;
  private failures = 0;
  private result: boolean | undefined;

  constructor(
    readonly kind: ProbeKind,
    private readonly probe: Probe,
    private readonly target: ProbeTarget,
    private readonly onChange: (ok: boolean, output: string) => void,
    private readonly onFailure: (output: string) => void,
  ) {}

  start(): void {
    this.schedule((this.probe.initialDelaySeconds ?? 0) * 1000);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    let r: ProbeOutcome;
    try {
      r = await runProbe(this.probe, this.target);
    } catch (e) {
      r = { ok: false, output: (e as Error).message };
    }
    if (this.stopped) return;
    const successThreshold = this.kind === 'readiness' ? (this.probe.successThreshold ?? 1) : 1;
    const failureThreshold = this.probe.failureThreshold ?? 3;
    if (r.ok) {
      this.successes++;
      this.failures = 0;
      if (this.result !== true && this.successes >= successThreshold) {
        this.result = true;
        this.onChange(true, r.output);
      }
    } else {
      this.failures++;
      this.successes = 0;
      this.onFailure(r.output);
      if (this.result !== false && this.failures >= failureThreshold) {
        this.result = false;
        this.onChange(false, r.output);
      }
    }
    // A startup probe stops once it succeeded; the others keep running.
    if (this.kind === 'startup' && this.result === true) return;
    this.schedule((this.probe.periodSeconds ?? 10) * 1000);
  }
}

export interface ContainerProbeEvents {
  /** A failed attempt (the Unhealthy event): kind is Liveness, Readiness or Startup. */
  unhealthy(kind: string, output: string): void;
  /** The readiness result changed (with no readiness probe: ready once started). */
  ready(ok: boolean): void;
  /** The startup probe succeeded. */
  started(): void;
  /** The liveness or startup probe failed for good: the container must be restarted. */
  restart(probe: 'liveness' | 'startup'): void;
}

/**
 * A container's probes as the kubelet runs them: the startup probe first;
 * once it succeeds (or when there is none) the liveness and readiness probes.
 * Returns the workers, which the caller stops when the container ends.
 */
export function startContainerProbes(c: Container, target: ProbeTarget, ev: ContainerProbeEvents): ProbeWorker[] {
  const workers: ProbeWorker[] = [];
  const run = (w: ProbeWorker) => {
    workers.push(w);
    w.start();
  };
  const liveAndReady = () => {
    if (c.livenessProbe) run(new ProbeWorker('liveness', c.livenessProbe, target, (ok) => ok || ev.restart('liveness'), (o) => ev.unhealthy('Liveness', o)));
    if (c.readinessProbe) run(new ProbeWorker('readiness', c.readinessProbe, target, (ok) => ev.ready(ok), (o) => ev.unhealthy('Readiness', o)));
    else ev.ready(true);
  };
  if (c.startupProbe) {
    run(new ProbeWorker('startup', c.startupProbe, target, (ok) => {
      if (!ok) return ev.restart('startup');
      ev.started();
      liveAndReady();
    }, (o) => ev.unhealthy('Startup', o)));
  } else liveAndReady();
  return workers;
}
