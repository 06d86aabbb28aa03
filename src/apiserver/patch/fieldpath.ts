// Field paths and field sets, as structured-merge-diff names them and as
// metadata.managedFields stores them (the FieldsV1 format).
//
// A path element is one of:
//   f:<name>          a field of a struct or an entry of a map
//   k:{"name":"web"}  an item of an associative list, by its keys (sorted)
//   v:<json>          a value of a set list
//   i:<n>             an item by index (only for items whose keys are missing)

export type PathElement = string;
export type Path = readonly PathElement[];

const SEP = '\n'; // never appears raw in an element: JSON escapes newlines

function encode(path: Path): string {
  return path.join(SEP);
}

function decode(key: string): Path {
  return key === '' ? [] : key.split(SEP);
}

/** A set of member paths. Immutable: operations return new sets. */
export class FieldSet {
  private readonly members: ReadonlySet<string>;

  constructor(members: Iterable<string> = []) {
    this.members = new Set(members);
  }

  static of(paths: Iterable<Path>): FieldSet {
    const keys: string[] = [];
    for (const p of paths) keys.push(encode(p));
    return new FieldSet(keys);
  }

  get size(): number {
    return this.members.size;
  }

  isEmpty(): boolean {
    return this.members.size === 0;
  }

  has(path: Path): boolean {
    return this.members.has(encode(path));
  }

  /** True when `path` or any path below it is a member. */
  hasAtOrBelow(path: Path): boolean {
    const p = encode(path);
    for (const m of this.members) if (m === p || m.startsWith(p + SEP)) return true;
    return false;
  }

  paths(): Path[] {
    return [...this.members].sort(compareKeys).map(decode);
  }

  union(other: FieldSet): FieldSet {
    return new FieldSet([...this.members, ...other.members]);
  }

  difference(other: FieldSet): FieldSet {
    return new FieldSet([...this.members].filter((m) => !other.members.has(m)));
  }

  intersection(other: FieldSet): FieldSet {
    return new FieldSet([...this.members].filter((m) => other.members.has(m)));
  }

  equals(other: FieldSet): boolean {
    return this.size === other.size && [...this.members].every((m) => other.members.has(m));
  }

  /** The FieldsV1 form: nested objects keyed by element; `.` marks a member that also has children. */
  toFieldsV1(): Record<string, unknown> {
    interface Trie { member: boolean; children: Map<string, Trie> }
    const root: Trie = { member: false, children: new Map() };
    for (const path of this.paths()) {
      let t = root;
      for (const pe of path) {
        let c = t.children.get(pe);
        if (!c) t.children.set(pe, (c = { member: false, children: new Map() }));
        t = c;
      }
      t.member = true;
    }
    const render = (t: Trie): Record<string, unknown> => {
      const out: Record<string, unknown> = {};
      if (t.member && t.children.size > 0) out['.'] = {};
      for (const pe of [...t.children.keys()].sort(compareElements)) out[pe] = render(t.children.get(pe)!);
      return out;
    };
    return render(root);
  }

  static fromFieldsV1(v: unknown): FieldSet {
    const keys: string[] = [];
    const walk = (node: unknown, path: string[]): void => {
      if (typeof node !== 'object' || node === null || Array.isArray(node)) return;
      const entries = Object.keys(node);
      if (path.length > 0 && (entries.length === 0 || entries.includes('.'))) keys.push(encode(path));
      for (const pe of entries) if (pe !== '.') walk((node as Record<string, unknown>)[pe], [...path, pe]);
    };
    walk(v, []);
    return new FieldSet(keys);
  }
}

const TYPE_ORDER: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

function compareElements(a: string, b: string): number {
  const ta = TYPE_ORDER[a[0]] ?? 4;
  const tb = TYPE_ORDER[b[0]] ?? 4;
  if (ta !== tb) return ta - tb;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareKeys(a: string, b: string): number {
  const pa = decode(a);
  const pb = decode(b);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const c = compareElements(pa[i], pb[i]);
    if (c !== 0) return c;
  }
  return pa.length - pb.length;
}

/** structured-merge-diff's rendering: `.spec.template.spec.containers[name="nginx"].image`. */
export function pathString(path: Path): string {
  return path.map((pe) => {
    const body = pe.slice(2);
    switch (pe[0]) {
      case 'f': return `.${body}`;
      case 'k': {
        const keys = JSON.parse(body) as Record<string, unknown>;
        return `[${Object.entries(keys).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
      }
      case 'v': return `[=${body}]`;
      default: return `[${body}]`;
    }
  }).join('');
}

export const fieldElement = (name: string): PathElement => `f:${name}`;
export const valueElement = (v: unknown): PathElement => `v:${JSON.stringify(v)}`;
export const indexElement = (i: number): PathElement => `i:${i}`;
export function keyElement(keys: Record<string, unknown>): PathElement {
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(keys).sort()) sorted[k] = keys[k];
  return `k:${JSON.stringify(sorted)}`;
}
