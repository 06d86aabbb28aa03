// What the API server calls for pods/{name}/log, exec and attach. Errors
// that can be known before the WebSocket upgrade are thrown as StatusError
// (the API server answers both the WebSocket and the SPDY attempt with it);
// afterwards a session speaks the channel protocol (v5.channel.k8s.io, or
// v4): binary frames whose first byte is the channel (0 stdin, 1 stdout,
// 2 stderr, 3 one Status, 4 resize, 255 close in v5), ending with the Status
// on channel 3 and a close with code 1000.
import { existsSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { WebSocket, RawData } from 'ws';
import type { Client, KObject } from '../client/types.js';
import { badRequest } from '../api/errors.js';
import { logPath, readLog } from './logs.js';
import type { PodWorker } from './podWorker.js';
import { within, type ContainerRecord } from './containers.js';
import type { Runtime } from './runtime/types.js';
import { DEFAULT_PATH, resolveExecutable, signalNumber } from './runtime/base.js';
import { LinuxRuntime } from './runtime/linux.js';
import { hostPathIn } from './runtime/process.js';
import { terminalEnv, underTerminal } from './tty.js';
import type { LogQuery, PodStreams, StreamQuery, StreamSession } from '../apiserver/streams.js';

// The contract is the API server's: it routes pods/log, exec and attach here.
export type { PodStreams, StreamSession } from '../apiserver/streams.js';
export type { LogQuery as LogOptions, StreamQuery as AttachOptions } from '../apiserver/streams.js';
export type ExecOptions = StreamQuery & { command: string[] };

export interface StreamDeps {
  client: Client;
  runtime(): Runtime;
  findPod(ns: string, name: string): Pod | undefined;
  worker(uid: string): PodWorker | undefined;
}


export function successStatus(): Buffer {
  return Buffer.from(JSON.stringify({ metadata: {}, status: 'Success' }));
}

/** The Status kubectl turns into "command terminated with exit code N" and exit status N. */
export function exitCodeStatus(command: string[], code: number): Buffer {
  return Buffer.from(JSON.stringify({
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  }));
}

export function errorStatus(message: string): Buffer {
  return Buffer.from(JSON.stringify({ metadata: {}, status: 'Failure', message, reason: 'InternalError', code: 500 }));
}

function rawToBuffer(d: RawData): Buffer {
  if (Buffer.isBuffer(d)) return d;
  if (Array.isArray(d)) return Buffer.concat(d);
  return Buffer.from(d as ArrayBuffer);
}

/** Frames and sends on a channel; does nothing once the socket is closing. */
function sender(ws: WebSocket) {
  return (channel: number, data: Buffer) => {
    if (ws.readyState !== 1) return;
    const frame = Buffer.allocUnsafe(data.length + 1);
    frame[0] = channel;
    data.copy(frame, 1);
    ws.send(frame, { binary: true });
  };
}

export class KubeletStreams implements PodStreams {
  private readonly sockets = new Set<WebSocket>();

  constructor(private readonly d: StreamDeps) {}

  private async pod(ns: string, name: string): Promise<Pod> {
    const cached = this.d.findPod(ns, name);
    if (cached) return cached;
    return this.d.client.get<Pod & KObject>('pods', ns, name);
  }

  private containerName(pod: Pod, requested: string | undefined): { c: Container; init: boolean } {
    const name = pod.metadata?.name ?? '';
    const containers = pod.spec?.containers ?? [];
    const inits = pod.spec?.initContainers ?? [];
    let want = requested;
    if (!want) {
      want = pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
      if (!want && containers.length === 1) want = containers[0].name;
      if (!want) {
        let msg = `a container name must be specified for pod ${name}, choose one of: [${containers.map((c) => c.name).join(' ')}]`;
        if (inits.length) msg += ` or one of the init containers: [${inits.map((c) => c.name).join(' ')}]`;
        throw badRequest(msg);
      }
    }
    const c = containers.find((x) => x.name === want);
    if (c) return { c, init: false };
    const i = inits.find((x) => x.name === want);
    if (i) return { c: i, init: true };
    throw badRequest(`container ${want} is not valid for pod ${name}`);
  }

  private record(pod: Pod, container: string): ContainerRecord | undefined {
    return this.d.worker(pod.metadata?.uid ?? '')?.container(container);
  }

  async logs(ns: string, name: string, q: LogQuery): Promise<NodeJS.ReadableStream> {
    const pod = await this.pod(ns, name);
    const { c } = this.containerName(pod, q.container);
    if (!pod.spec?.nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
    const w = this.d.worker(pod.metadata!.uid!);
    const r = w?.container(c.name);
    const waiting = () => {
      const reason = r?.state.kind === 'waiting' ? r.state.reason : 'ContainerCreating';
      return badRequest(`container "${c.name}" in pod "${name}" is waiting to start: ${reason}`);
    };
    if (!w || !r) throw waiting();
    if (q.previous) {
      const prev = logPath(w.dir, c.name, r.restartCount - 1);
      if (r.restartCount < 1 || !existsSync(prev)) throw badRequest(`previous terminated container "${c.name}" in pod "${name}" not found`);
      return readLog(prev, q);
    }
    const path = logPath(w.dir, c.name, r.restartCount);
    if (!r.everStarted || !existsSync(path)) throw waiting();
    const live = r.log && r.log.path === path && !r.log.done ? r.log : undefined;
    return readLog(path, q, live);
  }

  private runningContainer(pod: Pod, requested: string | undefined): { c: Container; r: ContainerRecord } {
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      throw badRequest(`cannot exec into a container in a completed pod; current phase is ${phase}`);
    }
    const { c } = this.containerName(pod, requested);
    const r = this.record(pod, c.name);
    if (!r || r.state.kind !== 'running' || !r.handle || r.handle.exit) {
      throw badRequest(`container ${c.name} is not running in pod ${pod.metadata?.name}_${pod.metadata?.namespace}`);
    }
    return { c, r };
  }

  async prepareExec(ns: string, name: string, q: ExecOptions): Promise<StreamSession> {
    const pod = await this.pod(ns, name);
    if (!q.command.length) throw badRequest('you must specify at least 1 command');
    const { r } = this.runningContainer(pod, q.container);
    const runtime = this.d.runtime();
    const h = r.handle!;
    const env = r.env ?? h.launch.env;
    return {
      run: (ws, protocol) => {
        this.track(ws);
        const send = sender(ws);
        const finish = (status: Buffer) => {
          send(3, status);
          if (ws.readyState === 1) ws.close(1000);
        };
        if (!this.canExec(runtime, h, q.command[0], env)) {
          finish(errorStatus(`Internal error occurred: error executing command in container: exec: "${q.command[0]}": executable file not found in $PATH`));
          return;
        }
        let p: ChildProcess;
        try {
          p = q.tty
            ? runtime.exec(h, underTerminal(q.command), { env: terminalEnv(env), stdin: q.stdin })
            : runtime.exec(h, q.command, { env, stdin: q.stdin });
        } catch (e) {
          finish(errorStatus(`Internal error occurred: error executing command in container: ${(e as Error).message}`));
          return;
        }
        p.stdout?.on('data', (b: Buffer) => q.stdout && send(1, b));
        p.stderr?.on('data', (b: Buffer) => (q.stderr ? send(2, b) : q.tty && send(1, b)));
        p.stdin?.on('error', () => undefined);
        ws.on('message', (data) => {
          const b = rawToBuffer(data);
          if (!b.length) return;
          if (b[0] === 0) p.stdin?.write(b.subarray(1));
          else if (b[0] === 255 && protocol.startsWith('v5') && b[1] === 0) p.stdin?.end();
        });
        let done = false;
        p.on('error', (e) => {
          if (done) return;
          done = true;
          finish(errorStatus(`Internal error occurred: error executing command in container: ${e.message}`));
        });
        p.on('close', (code, signal) => {
          if (done) return;
          done = true;
          const exit = code ?? 128 + signalNumber(signal);
          finish(exit === 0 ? successStatus() : exitCodeStatus(q.command, exit));
        });
        ws.on('close', () => {
          if (!done) runtime.killExec(p);
        });
      },
    };
  }

  private canExec(runtime: Runtime, h: NonNullable<ContainerRecord['handle']>, argv0: string, env: Record<string, string>): boolean {
    if (runtime instanceof LinuxRuntime) return runtime.canExec(h, argv0, env);
    const cwd = h.launch.workingDir ? hostPathIn(h.launch.mounts, h.launch.workingDir) ?? h.launch.workingDir : '/';
    return !!resolveExecutable(argv0, env.PATH ?? DEFAULT_PATH, cwd);
  }

  async prepareAttach(ns: string, name: string, q: StreamQuery): Promise<StreamSession> {
    const pod = await this.pod(ns, name);
    const { c, r } = this.runningContainer(pod, q.container);
    const h = r.handle!;
    const log = r.log;
    // A stdinOnce container (kubectl run -i) gets its output so far replayed on
    // its first attach, so what it printed before kubectl attached is not lost.
    const replay = !!c.stdinOnce && !r.attachedOnce;
    r.attachedOnce = true;
    return {
      run: (ws, protocol) => {
        this.track(ws);
        const send = sender(ws);
        let done = false;
        const finish = () => {
          if (done) return;
          done = true;
          log?.removeListener('output', onOutput);
          send(3, successStatus());
          if (ws.readyState === 1) ws.close(1000);
        };
        const onOutput = (stream: 'stdout' | 'stderr', chunk: Buffer) => {
          if (stream === 'stdout' && q.stdout) send(1, chunk);
          if (stream === 'stderr' && q.stderr) send(2, chunk);
        };
        if (replay && log) {
          for (const [stream, chunk] of log.replay()) onOutput(stream, chunk);
        }
        log?.on('output', onOutput);
        const closeStdin = () => {
          if (c.stdinOnce) h.stdin?.end();
        };
        ws.on('message', (data) => {
          const b = rawToBuffer(data);
          if (!b.length || !q.stdin) return;
          if (b[0] === 0) h.stdin?.write(b.subarray(1));
          else if (b[0] === 255 && protocol.startsWith('v5') && b[1] === 0) closeStdin();
        });
        ws.on('close', () => {
          log?.removeListener('output', onOutput);
          closeStdin();
        });
        void h.exited.then(async () => {
          if (log && !log.done) await within(new Promise<void>((res) => log.once('close', res)), 500);
          finish();
        });
      },
    };
  }

  private track(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.once('close', () => this.sockets.delete(ws));
  }

  /** Ends every open session (ordinal stops). */
  closeAll(): void {
    for (const ws of this.sockets) ws.close(1001);
    this.sockets.clear();
  }
}
