// How the `ordinal` command ends on bad input: one readable line, exit 1.
export function fail(msg: string): never {
  process.stderr.write(`ordinal: ${msg}\n`);
  process.exit(1);
}
