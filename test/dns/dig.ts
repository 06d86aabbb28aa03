// Running the real `dig` (Debian dnsutils) and reading its YAML output.
import { execFile, spawnSync } from 'node:child_process';
import { parse } from 'yaml';

/**
 * Why dig-based tests cannot run here, or false when they can. Under CI a
 * missing dig is a failure, not a skip.
 */
export const digMissing: string | false = !process.env.CI && spawnSync('dig', ['-v']).error
  ? 'dig is not installed (apt-get install -y dnsutils)'
  : false;

export interface DigResult {
  status: string;
  flags: string[];
  question: string[];
  answer: string[][];
  authority: string[][];
  additional: string[][];
  edns?: { udp: number; version: number };
  protocol: string;
  size: number;
}

function rows(section: unknown): string[][] {
  return Array.isArray(section) ? section.map((s: string) => String(s).split(/\s+/)) : [];
}

/** Queries `name` of `type` at 127.0.0.1:port; extra args such as '+tcp', '+noedns'. */
export function dig(port: number, name: string, type = 'A', extra: string[] = [], host = '127.0.0.1'): Promise<DigResult> {
  const args = [`@${host}`, '-p', String(port), name, type, '+yaml', '+time=2', '+tries=1', '+retry=0', ...extra];
  return new Promise((resolve, reject) => {
    execFile('dig', args, { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err && !stdout) { reject(new Error(`dig ${args.join(' ')}: ${stderr || err.message}`)); return; }
      const docs = parse(stdout.replace(/^;.*$/gm, '')) as { message: Record<string, unknown> }[];
      // With +tcp fallback dig prints one document per message; the last is the answer.
      const msg = docs[docs.length - 1].message;
      const data = msg.response_message_data as Record<string, unknown>;
      if (!data) { reject(new Error(`dig ${args.join(' ')}: no response:\n${stdout}`)); return; }
      const opt = (data.OPT_PSEUDOSECTION as { EDNS?: { udp: number; version: number } } | undefined)?.EDNS;
      resolve({
        status: String(data.status),
        flags: String(data.flags ?? '').split(/\s+/).filter(Boolean),
        question: (data.QUESTION_SECTION as string[] | undefined) ?? [],
        answer: rows(data.ANSWER_SECTION),
        authority: rows(data.AUTHORITY_SECTION),
        additional: rows(data.ADDITIONAL_SECTION),
        edns: opt ? { udp: Number(opt.udp), version: Number(opt.version) } : undefined,
        protocol: String(msg.socket_protocol),
        size: parseInt(String(msg.message_size), 10),
      });
    });
  });
}
