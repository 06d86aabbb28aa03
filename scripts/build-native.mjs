// Builds the native parts (binding.gyp) with the node-gyp that ships with npm,
// when a source is newer than what was built: the cluster DNS's batched-UDP
// addon (src/dns/native/) and the linux runtime's container init
// (src/node/runtime/native/, a static executable). Linux only; elsewhere the
// DNS uses node:dgram and there is no linux runtime.
//   node scripts/build-native.mjs        (npm run build runs it)
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outputs = [
  ['src/dns/native/udp_batch.c', 'build/Release/ordinal_udp.node'],
  ['src/node/runtime/native/init.c', 'build/Release/ordinal_init'],
  ['src/node/runtime/native/setup.c', 'build/Release/ordinal_init'],
  ['src/node/runtime/native/setup.h', 'build/Release/ordinal_init'],
].map(([source, built]) => [join(root, source), join(root, built)]);

if (process.platform !== 'linux') process.exit(0);
const mtime = (p) => statSync(p).mtimeMs;
const gyp = mtime(join(root, 'binding.gyp'));
if (outputs.every(([source, built]) => existsSync(built) && mtime(built) >= Math.max(mtime(source), gyp))) process.exit(0);

// npm run sets npm_config_node_gyp; otherwise use the copy inside npm.
const nodeGyp = process.env.npm_config_node_gyp
  ?? join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
// Build against the headers installed with this Node (never download them).
const nodeDir = process.env.npm_config_nodedir ?? join(dirname(process.execPath), '..');
if (!existsSync(join(nodeDir, 'include/node/node_api.h'))) {
  console.error(`build-native: no Node headers under ${nodeDir}/include/node (set npm_config_nodedir)`);
  process.exit(1);
}
execFileSync(process.execPath, [nodeGyp, 'rebuild', '--loglevel=warn', `--nodedir=${nodeDir}`], { cwd: root, stdio: 'inherit' });
