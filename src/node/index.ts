// The node agent (kubelet) of ordinal: see kubelet.ts for the whole, and
// runtime/ for how containers run on this machine.
export { Kubelet, type KubeletOptions } from './kubelet.js';
export type { PodStreams, StreamSession, LogOptions, ExecOptions, AttachOptions } from './streams.js';
export type { RuntimeName } from './runtime/types.js';
