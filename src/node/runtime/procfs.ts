// Reading processes from /proc: the identity of a process is its pid plus its
// start time (field 22 of /proc/<pid>/stat, in clock ticks since boot), which
// the kernel never reuses for another process with the same pid. The node agent
// records both for every container so that after a restart it re-adopts only
// the processes it started, never a stranger that happens to reuse a pid.
import { readFileSync, readdirSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  state: string;
  /** Start time in clock ticks after boot. */
  startTime: number;
}

/** Parses /proc/<pid>/stat; the command name may hold spaces and parentheses. */
export function parseStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); field N is rest[N - 3].
  return { pid, state: rest[0], ppid: Number(rest[1]), pgrp: Number(rest[2]), startTime: Number(rest[19]) };
}

export function readStat(pid: number): ProcStat | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** True when `pid` is alive (not a zombie) and is the process that started at `startTime`. */
export function isSameProcess(pid: number, startTime: number): boolean {
  const st = readStat(pid);
  return !!st && st.startTime === startTime && st.state !== 'Z' && st.state !== 'X';
}

/** The processes `keep` selects, by a scan of /proc. */
function scanProcs(keep: (st: ProcStat) => boolean): ProcStat[] {
  const out: ProcStat[] = [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const n of names) {
    const c = n.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const st = readStat(Number(n));
    if (st && keep(st)) out.push(st);
  }
  return out;
}

/** The direct children of `pid` (a scan of /proc; the kernel here has no /proc/<pid>/task/<tid>/children). */
export function childrenOf(pid: number): ProcStat[] {
  return scanProcs((st) => st.ppid === pid);
}

/** Every process whose process group is `pgrp` (a container's processes share its shim's group). */
export function processGroup(pgrp: number): ProcStat[] {
  return scanProcs((st) => st.pgrp === pgrp && st.state !== 'Z');
}

let bootTimeMs: number | undefined;
const ticksPerSecond = 100; // USER_HZ is 100 on every Linux architecture Node runs on

/** The wall-clock time a process started, from its start time in ticks. */
export function startTimeToDate(startTime: number): Date {
  if (bootTimeMs === undefined) {
    try {
      const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith('btime '));
      bootTimeMs = Number(line?.split(' ')[1]) * 1000;
    } catch {
      bootTimeMs = 0;
    }
  }
  return new Date(bootTimeMs + (startTime * 1000) / ticksPerSecond);
}


/**
 * A process's effective uid and gid, supplementary groups, capability
 * bounding set (hex) and no_new_privs, from /proc/<pid>/status: what a
 * command run beside it in its container takes over.
 */
export function readCredentials(pid: number): { uid: number; gid: number; groups: number[]; capabilities?: string; noNewPrivs: boolean } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const field = (name: string) => new RegExp(`^${name}:\\t([^\\n]*)$`, 'm').exec(text)?.[1].trim().split(/\s+/).filter(Boolean).map(Number);
  const uid = field('Uid')?.[1];
  const gid = field('Gid')?.[1];
  if (uid === undefined || gid === undefined) return undefined;
  const bounding = /^CapBnd:\t([0-9a-f]+)$/m.exec(text)?.[1].replace(/^0+(?=.)/, '');
  return { uid, gid, groups: field('Groups') ?? [], capabilities: bounding, noNewPrivs: /^NoNewPrivs:\t1$/m.test(text) };
}
