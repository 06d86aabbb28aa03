// Runs ordinal's cluster DNS over the benchmark names in its own process.
// Prints `port <n>` once it answers; stops on SIGTERM.
//   node --import tsx bench/dns/fixture-server.ts [auto|dgram]
import { ClusterDns } from '../../src/dns/index.js';
import { benchObjects, staticClient } from './fixture.js';

const dns = new ClusterDns({
  client: staticClient(benchObjects()),
  listen: [{ host: '127.0.0.1', port: 0 }],
  upstreams: [],
  udp: process.argv[2] === 'dgram' ? 'dgram' : 'auto',
});
await dns.start();
await dns.waitForSync();
process.stdout.write(`port ${dns.addresses()[0].port} udp ${dns.udpTransport()}\n`);
process.on('SIGTERM', () => {
  setTimeout(() => process.exit(0), 3000).unref();
  void dns.stop().then(() => process.exit(0));
});
