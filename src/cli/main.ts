// The `ordinal` command.
import { parseArgs } from 'node:util';
import { Ordinal, type RuntimeKind } from '../server.js';
import { DataDirLockedError } from '../cluster/datadir.js';
import { image } from './image.js';
import { fail } from './fail.js';

const USAGE = `Usage: ordinal serve [--data-dir DIR] [--api-port N] [--dns-port N] [--bind ADDR] [--runtime linux|process|simulated] [--store sqlite|memory] [--dashboard-port N | --no-dashboard]

Runs a Kubernetes-compatible control plane for stateful applications on this machine.
When the API is ready it writes DIR/kubeconfig and prints KUBECONFIG=DIR/kubeconfig.
The dashboard is served on http://127.0.0.1:6480/ (--dashboard-port; loopback only);
--no-dashboard turns it off.
Port 0 means any free port.

       ordinal image load FILE [--data-dir DIR]   imports a docker-save or OCI archive
       ordinal image ls [--data-dir DIR]          lists the stored images
       ordinal image rm IMAGE... [--data-dir DIR] removes images and their unused layers`;

const DEFAULT_DASHBOARD_PORT = 6480;

function port(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) fail(`--${name} must be a port number from 0 to 65535, got "${v}"`);
  return n;
}

async function serve(argv: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'data-dir': { type: 'string' },
        'api-port': { type: 'string' },
        'dns-port': { type: 'string' },
        bind: { type: 'string' },
        runtime: { type: 'string' },
        store: { type: 'string' },
        'dashboard-port': { type: 'string' },
        'no-dashboard': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    fail(`${(e as Error).message}\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const runtime = values.runtime as RuntimeKind | undefined;
  if (runtime && !['linux', 'process', 'simulated'].includes(runtime)) fail(`--runtime must be linux, process or simulated, got "${runtime}"`);
  const store = values.store as 'sqlite' | 'memory' | undefined;
  if (store && !['sqlite', 'memory'].includes(store)) fail(`--store must be sqlite or memory, got "${store}"`);
  const ordinal = new Ordinal({
    dataDir: values['data-dir'],
    apiPort: port(values['api-port'], 'api-port'),
    dnsPort: port(values['dns-port'], 'dns-port'),
    bind: values.bind,
    runtime,
    store,
    dashboardPort: values['no-dashboard'] ? undefined : port(values['dashboard-port'], 'dashboard-port') ?? DEFAULT_DASHBOARD_PORT,
  });
  let stopping = false;
  const shutdown = (sig: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`ordinal: ${sig} received, stopping\n`);
    ordinal.stop().then(() => process.exit(0), (e) => {
      process.stderr.write(`ordinal: stop failed: ${(e as Error).message}\n`);
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  try {
    await ordinal.start();
  } catch (e) {
    if (e instanceof DataDirLockedError) fail(e.message);
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') fail(`address in use: ${err.message}`);
    fail(err.stack ?? String(e));
  }
  process.stdout.write(`ordinal is ready. export KUBECONFIG=${ordinal.kubeconfigPath}\n`);
}

export async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'serve':
      await serve(rest);
      break;
    case 'image':
      await image(rest);
      break;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      break;
    default:
      fail(`unknown command "${cmd}"\n${USAGE}`);
  }
}
