// Pod IPs claimed host-wide: two ordinals on one host (here two allocators,
// one of them speaking for another live process) never hand out the same
// address, an address whose claimer died is taken over, and a pod re-adopted
// after a restart keeps its address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { PodIPAllocator } from '../../src/node/ipam.js';
import { FileIPClaims } from '../../src/node/ipclaims.js';
import { readStat } from '../../src/node/runtime/procfs.js';

const none = () => new Set<string>();
const record = (pid: number) => `${pid} ${readStat(pid)!.startTime}\n`;

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'ordinal-ipclaims-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('two allocators sharing the claims directory never hand out the same address', () => {
  withDir((dir) => {
    const a = new PodIPAllocator('127.0.1.0/29', none, new FileIPClaims(dir));
    // pid 1 is alive for as long as the host runs: it stands for another ordinal.
    const b = new PodIPAllocator('127.0.1.0/29', none, new FileIPClaims(dir, 1));
    const got = [a.allocate(), b.allocate(), a.allocate(), b.allocate(), a.allocate()];
    assert.deepEqual(got, ['127.0.1.2', '127.0.1.3', '127.0.1.4', '127.0.1.5', '127.0.1.6']);
    assert.equal(readFileSync(join(dir, '127.0.1.2'), 'utf8'), record(process.pid));
    assert.equal(readFileSync(join(dir, '127.0.1.3'), 'utf8'), record(1));
    assert.throws(() => b.allocate(), /no pod IP left/);
    // Released by its owner, the address is free for the other.
    a.release('127.0.1.4');
    assert.ok(!existsSync(join(dir, '127.0.1.4')));
    assert.equal(b.allocate(), '127.0.1.4');
    // Releasing what another process holds leaves its claim alone.
    a.release('127.0.1.3');
    assert.equal(readFileSync(join(dir, '127.0.1.3'), 'utf8'), record(1));
  });
});

test('the claim of a process that has ended is taken over; garbage is too', () => {
  withDir((dir) => {
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const deadPid = Number(gone.stdout.trim());
    writeFileSync(join(dir, '127.0.1.2'), `${deadPid} 12345\n`);
    writeFileSync(join(dir, '127.0.1.3'), 'not a record');
    writeFileSync(join(dir, '127.0.1.4'), record(1));
    const a = new PodIPAllocator('127.0.1.0/29', none, new FileIPClaims(dir));
    assert.equal(a.allocate(), '127.0.1.2');
    assert.equal(a.allocate(), '127.0.1.3');
    assert.equal(a.allocate(), '127.0.1.5', 'a live process keeps its address');
    assert.equal(readFileSync(join(dir, '127.0.1.2'), 'utf8'), record(process.pid));
    assert.equal(readFileSync(join(dir, '127.0.1.3'), 'utf8'), record(process.pid));
    // Nothing of the take-over is left behind.
    assert.deepEqual(readdirSync(dir).sort(), ['127.0.1.2', '127.0.1.3', '127.0.1.4', '127.0.1.5']);
  });
});

test('a re-adopted pod keeps its address: reserve claims it for this process', () => {
  withDir((dir) => {
    writeFileSync(join(dir, '127.0.1.2'), record(1));
    const a = new PodIPAllocator('127.0.1.0/29', none, new FileIPClaims(dir));
    a.reserve('127.0.1.2');
    assert.equal(readFileSync(join(dir, '127.0.1.2'), 'utf8'), record(process.pid));
    assert.equal(a.allocate(), '127.0.1.3');
  });
});

test('without a usable claims directory, addresses are still handed out', () => {
  withDir((dir) => {
    writeFileSync(join(dir, 'file'), '');
    const a = new PodIPAllocator('127.0.1.0/29', none, new FileIPClaims(join(dir, 'file', 'sub')));
    assert.equal(a.allocate(), '127.0.1.2');
    a.reserve('127.0.1.3');
    a.release('127.0.1.2');
    assert.equal(a.allocate(), '127.0.1.4');
  });
});

test('a pod restored without running containers gets a new address if another live process took its old one', () => {
  withDir((dir) => {
    writeFileSync(join(dir, '127.0.1.2'), record(1));
    const a = new PodIPAllocator('127.0.1.0/29', none, new FileIPClaims(dir));
    assert.equal(a.reserve('127.0.1.2', false), false);
    assert.equal(readFileSync(join(dir, '127.0.1.2'), 'utf8'), record(1), 'the other claim stays');
    assert.equal(a.allocate(), '127.0.1.3');
    // Its own old claim (this process) or a dead process's is taken back.
    assert.equal(a.reserve('127.0.1.3', false), true);
    writeFileSync(join(dir, '127.0.1.4'), '999999999 7\n');
    assert.equal(a.reserve('127.0.1.4', false), true);
    assert.equal(readFileSync(join(dir, '127.0.1.4'), 'utf8'), record(process.pid));
  });
});

test('stopping gives the claims up; the next start claims the addresses again', () => {
  withDir((dir) => {
    const a = new PodIPAllocator('127.0.1.0/29', none, new FileIPClaims(dir));
    a.allocate();
    a.allocate();
    a.dropClaims();
    assert.deepEqual(readdirSync(dir), []);
    const again = new PodIPAllocator('127.0.1.0/29', none, new FileIPClaims(dir));
    assert.equal(again.reserve('127.0.1.2', false), true);
    assert.deepEqual(readdirSync(dir), ['127.0.1.2']);
  });
});
