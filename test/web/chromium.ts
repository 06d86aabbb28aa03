// A headless Chromium driven over the DevTools protocol on a pipe
// (--remote-debugging-pipe: commands on fd 3, replies and events on fd 4, each
// message ended by a NUL), so no debugging port is opened. It never sends
// traffic off the machine: every non-loopback request goes to a proxy address
// where nothing listens, and background services are off. close() ends it and
// every process it started.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { killLeftovers } from '../helpers/cluster.js';

/** Why the browser tests cannot run here, or undefined when they can. */
export function chromiumMissing(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, 'chromium'), constants.X_OK);
      return undefined;
    } catch {
      // not in this directory
    }
  }
  return 'chromium is not installed (scripts/setup.sh installs Debian\'s chromium); the browser test is skipped';
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
}

type Listener = (params: Record<string, unknown>, sessionId?: string) => void;

export class Chromium {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Listener[]>();
  private stderr = '';
  private readonly exited: Promise<void>;

  private constructor(private readonly proc: ChildProcess, private readonly dir: string) {
    const input = proc.stdio[4] as Readable;
    let buffered = Buffer.alloc(0);
    input.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      let end: number;
      while ((end = buffered.indexOf(0)) >= 0) {
        const msg = JSON.parse(buffered.subarray(0, end).toString('utf8')) as { id?: number; method?: string; params?: Record<string, unknown>; result?: unknown; error?: { message: string }; sessionId?: string };
        buffered = buffered.subarray(end + 1);
        if (msg.id !== undefined) {
          const p = this.pending.get(msg.id);
          this.pending.delete(msg.id);
          if (msg.error) p?.reject(new Error(`DevTools: ${msg.error.message}`));
          else p?.resolve(msg.result);
        } else if (msg.method) {
          for (const l of this.listeners.get(msg.method) ?? []) l(msg.params ?? {}, msg.sessionId);
        }
      }
    });
    proc.stderr!.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-8000)));
    this.exited = new Promise((resolve) => proc.once('exit', () => {
      for (const p of this.pending.values()) p.reject(new Error(`chromium exited:\n${this.stderr}`));
      this.pending.clear();
      resolve();
    }));
  }

  /** Starts chromium with a throwaway profile under `dir`. */
  static async launch(dir: string): Promise<Chromium> {
    const profile = join(dir, 'chromium-profile');
    mkdirSync(profile, { recursive: true });
    const proc = spawn('chromium', [
      '--headless', '--no-sandbox', '--disable-gpu', '--remote-debugging-pipe', `--user-data-dir=${profile}`,
      '--no-first-run', '--no-default-browser-check', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--disable-default-apps', '--disable-extensions', '--disable-breakpad', '--mute-audio',
      // Anything not on loopback goes to a proxy where nothing listens.
      '--proxy-server=127.0.0.1:9', '--proxy-bypass-list=127.0.0.1',
      '--window-size=1280,1000', 'about:blank',
    ], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'], detached: true });
    const browser = new Chromium(proc, dir);
    await new Promise<void>((resolve, reject) => {
      proc.once('spawn', resolve);
      proc.once('error', reject);
    });
    await browser.send('Browser.getVersion');
    return browser;
  }

  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<T> {
    const id = this.nextId++;
    const msg = JSON.stringify(sessionId ? { id, method, params, sessionId } : { id, method, params });
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`DevTools ${method}: no answer in 60 s\n${this.stderr}`));
      }, 60_000);
      this.pending.set(id, {
        resolve: (v) => { clearTimeout(timer); resolve(v as T); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      (this.proc.stdio[3] as Writable).write(`${msg}\0`);
    });
  }

  on(method: string, listener: Listener): void {
    this.listeners.set(method, [...(this.listeners.get(method) ?? []), listener]);
  }

  /** A new tab, with the URL of every request it makes and every uncaught exception recorded. */
  async newPage(): Promise<Page> {
    const { targetId } = await this.send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await this.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
    const page = new Page(this, sessionId);
    this.on('Network.requestWillBeSent', (p, s) => {
      if (s === sessionId) page.requests.push(String((p.request as { url: string }).url));
    });
    this.on('Runtime.exceptionThrown', (p, s) => {
      if (s === sessionId) page.exceptions.push(JSON.stringify(p.exceptionDetails));
    });
    await this.send('Network.enable', {}, sessionId);
    await this.send('Runtime.enable', {}, sessionId);
    await this.send('Page.enable', {}, sessionId);
    return page;
  }

  /** Ends the browser and anything it started, and removes its profile. */
  async close(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      await Promise.race([this.send('Browser.close').catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, 5000))]);
    }
    try {
      process.kill(-this.proc.pid!, 'SIGKILL'); // its process group: renderers, zygotes, helpers
    } catch {
      // already gone
    }
    await this.exited;
    killLeftovers(this.dir);
    rmSync(join(this.dir, 'chromium-profile'), { recursive: true, force: true });
  }
}

export class Page {
  readonly requests: string[] = [];
  readonly exceptions: string[] = [];

  constructor(private readonly browser: Chromium, private readonly sessionId: string) {}

  async navigate(url: string): Promise<void> {
    const r = await this.browser.send<{ errorText?: string }>('Page.navigate', { url }, this.sessionId);
    if (r.errorText) throw new Error(`navigating to ${url}: ${r.errorText}`);
  }

  /** The value of a JavaScript expression in the page (awaited when it is a promise). */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.browser.send<{ result: { value?: T }; exceptionDetails?: { text: string; exception?: { description?: string } } }>(
      'Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, this.sessionId);
    if (r.exceptionDetails) throw new Error(`in the page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as T;
  }
}
