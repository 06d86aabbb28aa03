// What the pod workers ask of a container runtime. A runtime starts a
// container's command as a detached process tree that outlives ordinal (as
// containers outlive a kubelet restart), tells when it ends and with which
// status, signals it, runs commands beside it (exec, probes, preStop hooks),
// and re-adopts what it started before a restart.
import type { ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { ImageLayer } from '../imagestore/rootfs.js';
import type { ContainerIdentity } from '../security.js';

export type RuntimeName = 'process' | 'linux';

export interface VolumeMount {
  /** Where the data is on the host (a directory or, with subPath or a projected key, a file). */
  hostPath: string;
  /** Where the container sees it. */
  containerPath: string;
  readOnly: boolean;
}

export interface ContainerLaunch {
  podUid: string;
  namespace: string;
  podName: string;
  containerName: string;
  /** Which start of this container in this pod (the restartCount at start). */
  attempt: number;
  /** The pod's directory: <dataDir>/pods/<uid>. */
  podDir: string;
  argv: string[];
  env: Record<string, string>;
  /** The container's working directory as the container sees it. */
  workingDir?: string;
  mounts: VolumeMount[];
  hostname: string;
  /** Generated /etc files (linux runtime). */
  etc: { hosts: string; resolvConf: string; hostname: string };
  /** Give the command a stdin pipe (spec.stdin). */
  stdin: boolean;
  /**
   * The container's image from the node's image store (linux runtime): its
   * layers, top first, are the container's root instead of the host's /;
   * `user` is the image's USER (user[:group]).
   */
  rootfs?: { layers: ImageLayer[]; user?: string };
  /**
   * runAsUser, runAsGroup and the pod's fsGroup and supplementalGroups, from
   * the securityContext (linux runtime; resolved in the container's root).
   */
  identity?: ContainerIdentity;
}

export interface ContainerExit {
  exitCode: number;
  /** The signal that ended the command, when known. */
  signal?: string;
  finishedAt: Date;
}

/** A running (or finished) container instance. */
export interface ContainerHandle {
  readonly launch: Pick<ContainerLaunch, 'podUid' | 'containerName' | 'attempt' | 'env' | 'workingDir' | 'mounts'>;
  /** The instance's directory (FIFOs, exit status, identity record). */
  readonly dir: string;
  readonly pid: number;
  /** Kernel start time of `pid` (ticks after boot): with pid, the process's identity. */
  readonly startTime: number;
  readonly startedAt: Date;
  /** The command's stdin, when it has one and this process started it. */
  readonly stdin?: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves once the command has ended (never rejects). */
  readonly exited: Promise<ContainerExit>;
  /** Set once `exited` has resolved. */
  exit?: ContainerExit;
}

export interface ExecOptions {
  env: Record<string, string>;
  stdin: boolean;
}

export interface Runtime {
  readonly name: RuntimeName;
  /** Starts the container; rejects (with a message for the container's status) when it can't. */
  start(l: ContainerLaunch): Promise<ContainerHandle>;
  /** Re-adopts the instance in `dir` if its process still runs and is the one recorded there. */
  adopt(dir: string): ContainerHandle | undefined;
  /** Sends a signal to the container's command (through its shim). */
  signal(h: ContainerHandle, sig: NodeJS.Signals): void;
  /** Kills every process of the container at once. */
  kill(h: ContainerHandle): void;
  /** Runs a command in the container's environment; the caller kills it with killExec. */
  exec(h: ContainerHandle, argv: string[], o: ExecOptions): ChildProcess;
  killExec(p: ChildProcess): void;
  /** Removes what the instance left behind (its directory) once it has ended. */
  remove(h: ContainerHandle): Promise<void>;
}
