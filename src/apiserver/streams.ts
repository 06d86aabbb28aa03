// What the API server needs from a node agent to serve pods/log, pods/exec
// and pods/attach. The kubelet implements it; the server only routes.
import type { WebSocket } from 'ws';

export interface LogQuery {
  container?: string;
  follow?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  sinceTime?: string;
  timestamps?: boolean;
  previous?: boolean;
  limitBytes?: number;
}

export interface StreamQuery {
  container?: string;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** Runs the channel protocol over an upgraded WebSocket and closes it with 1000. */
export interface StreamSession {
  run(ws: WebSocket, protocol: string): void;
}

export interface PodStreams {
  logs(ns: string, pod: string, q: LogQuery): Promise<NodeJS.ReadableStream>;
  prepareExec(ns: string, pod: string, q: StreamQuery & { command: string[] }): Promise<StreamSession>;
  prepareAttach(ns: string, pod: string, q: StreamQuery): Promise<StreamSession>;
}

/** The channel protocols we speak, in order of preference. */
export const STREAM_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
