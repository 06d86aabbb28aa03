// A small parser for the declaration files of the kubernetes-types package: the
// object model the API server serves. Those files use a narrow, regular subset of
// TypeScript (imports, interfaces with JSDoc'd members, primitive type aliases), and
// this reads exactly that subset into a model the OpenAPI generator walks. A module's
// supplement, written in the same subset, is laid over the package's declarations
// (mergeModule): that is how the model follows Kubernetes releases the package has not
// caught up with.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** A type expression as written in a member or alias declaration. */
export type TypeExpr =
  | { t: 'primitive'; name: 'string' | 'number' | 'boolean' }
  | { t: 'literal'; value: string }
  | { t: 'ref'; module: string; name: string }
  | { t: 'array'; items: TypeExpr }
  | { t: 'map'; values: TypeExpr }
  | { t: 'union'; members: TypeExpr[] };

export interface MemberDecl {
  name: string;
  optional: boolean;
  description?: string;
  type: TypeExpr;
}

export interface InterfaceDecl {
  kind: 'interface';
  module: string;
  name: string;
  description?: string;
  members: MemberDecl[];
}

export interface AliasDecl {
  kind: 'alias';
  module: string;
  name: string;
  description?: string;
  type: TypeExpr;
}

export type Decl = InterfaceDecl | AliasDecl;

/** One declaration file: `core/v1`, `meta/v1`, `api/resource`, `runtime`. */
export interface ModuleDecls {
  module: string;
  decls: Map<string, Decl>;
}

type Token =
  | { k: 'doc'; text: string }
  | { k: 'ident'; text: string }
  | { k: 'str'; text: string }
  | { k: 'punct'; text: string };

const PUNCT = new Set(['{', '}', '[', ']', '<', '>', '(', ')', ':', ';', '?', '|', ',', '=', '.']);

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue; }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw new Error('unterminated comment');
      if (src[i + 2] === '*') out.push({ k: 'doc', text: cleanDoc(src.slice(i + 3, end)) });
      i = end + 2;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      const end = src.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      while (j < n && src[j] !== c) {
        if (src[j] === '\\') { s += src[j + 1]; j += 2; } else { s += src[j]; j++; }
      }
      out.push({ k: 'str', text: s });
      i = j + 1;
      continue;
    }
    if (/[A-Za-z_$]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$]/.test(src[j])) j++;
      out.push({ k: 'ident', text: src.slice(i, j) });
      i = j;
      continue;
    }
    if (PUNCT.has(c)) { out.push({ k: 'punct', text: c }); i++; continue; }
    throw new Error(`unexpected character ${JSON.stringify(c)} at offset ${i}`);
  }
  return out;
}

/** The text of a JSDoc comment without its frame: `/**`, `*\/` and the leading ` * ` of each line. */
function cleanDoc(body: string): string {
  const lines = body.split('\n').map((l) => l.replace(/^\s*\* ?/, ''));
  return lines.join('\n').trim();
}

class Parser {
  private pos = 0;
  private readonly imports = new Map<string, string>(); // local name -> module

  constructor(private readonly toks: Token[], private readonly module: string) {}

  parse(): ModuleDecls {
    const decls = new Map<string, Decl>();
    let doc: string | undefined;
    while (this.pos < this.toks.length) {
      const tok = this.toks[this.pos];
      if (tok.k === 'doc') { doc = tok.text; this.pos++; continue; }
      if (this.isIdent('import')) { this.parseImport(); doc = undefined; continue; }
      this.expectIdent('export');
      if (this.isIdent('interface')) {
        this.pos++;
        const d = this.parseInterface(doc);
        decls.set(d.name, d);
      } else if (this.isIdent('type')) {
        this.pos++;
        const name = this.ident();
        this.expectPunct('=');
        const type = this.parseType();
        this.expectPunct(';');
        decls.set(name, { kind: 'alias', module: this.module, name, description: doc, type });
      } else {
        throw this.error('expected interface or type');
      }
      doc = undefined;
    }
    return { module: this.module, decls };
  }

  private parseImport(): void {
    this.expectIdent('import');
    this.expectPunct('{');
    const names: string[] = [];
    while (!this.isPunct('}')) {
      names.push(this.ident());
      if (this.isPunct(',')) this.pos++;
    }
    this.pos++;
    this.expectIdent('from');
    const spec = this.str();
    this.expectPunct(';');
    const target = resolveModule(this.module, spec);
    for (const nm of names) this.imports.set(nm, target);
  }

  private parseInterface(description: string | undefined): InterfaceDecl {
    const name = this.ident();
    this.expectPunct('{');
    const members: MemberDecl[] = [];
    let doc: string | undefined;
    while (!this.isPunct('}')) {
      const tok = this.toks[this.pos];
      if (tok.k === 'doc') { doc = tok.text; this.pos++; continue; }
      if (this.isIdent('readonly') && this.peek(1)?.k !== 'punct') this.pos++;
      const mtok = this.toks[this.pos++];
      if (mtok.k !== 'ident' && mtok.k !== 'str') throw this.error('expected member name');
      let optional = false;
      if (this.isPunct('?')) { optional = true; this.pos++; }
      this.expectPunct(':');
      const type = this.parseType();
      this.expectPunct(';');
      members.push({ name: mtok.text, optional, description: doc, type });
      doc = undefined;
    }
    this.pos++;
    return { kind: 'interface', module: this.module, name, description, members };
  }

  private parseType(): TypeExpr {
    const members = [this.parsePostfix()];
    while (this.isPunct('|')) { this.pos++; members.push(this.parsePostfix()); }
    return members.length === 1 ? members[0] : { t: 'union', members };
  }

  private parsePostfix(): TypeExpr {
    let ty = this.parsePrimary();
    while (this.isPunct('[') && this.peek(1)?.text === ']') { this.pos += 2; ty = { t: 'array', items: ty }; }
    return ty;
  }

  private parsePrimary(): TypeExpr {
    const tok = this.toks[this.pos];
    if (tok.k === 'str') { this.pos++; return { t: 'literal', value: tok.text }; }
    if (this.isPunct('{')) {
      // Only the index-signature form `{ [name: string]: T; }` appears in the model.
      this.pos++;
      this.expectPunct('[');
      this.ident();
      this.expectPunct(':');
      this.expectIdent('string');
      this.expectPunct(']');
      this.expectPunct(':');
      const values = this.parseType();
      if (this.isPunct(';')) this.pos++;
      this.expectPunct('}');
      return { t: 'map', values };
    }
    if (this.isPunct('(')) {
      this.pos++;
      const inner = this.parseType();
      this.expectPunct(')');
      return inner;
    }
    const name = this.ident();
    if (name === 'string' || name === 'number' || name === 'boolean') return { t: 'primitive', name };
    if (name === 'Array' && this.isPunct('<')) {
      this.pos++;
      const items = this.parseType();
      this.expectPunct('>');
      return { t: 'array', items };
    }
    return { t: 'ref', module: this.imports.get(name) ?? this.module, name };
  }

  private peek(ahead: number): Token | undefined { return this.toks[this.pos + ahead]; }
  private isIdent(text: string): boolean {
    const t = this.toks[this.pos];
    return t !== undefined && t.k === 'ident' && t.text === text;
  }
  private isPunct(text: string): boolean {
    const t = this.toks[this.pos];
    return t !== undefined && t.k === 'punct' && t.text === text;
  }
  private ident(): string {
    const t = this.toks[this.pos];
    if (!t || t.k !== 'ident') throw this.error('expected identifier');
    this.pos++;
    return t.text;
  }
  private str(): string {
    const t = this.toks[this.pos];
    if (!t || t.k !== 'str') throw this.error('expected string');
    this.pos++;
    return t.text;
  }
  private expectIdent(text: string): void {
    if (!this.isIdent(text)) throw this.error(`expected ${text}`);
    this.pos++;
  }
  private expectPunct(text: string): void {
    if (!this.isPunct(text)) throw this.error(`expected ${text}`);
    this.pos++;
  }
  private error(msg: string): Error {
    const t = this.toks[this.pos];
    return new Error(`kubernetes-types ${this.module}: ${msg}, found ${t ? `${t.k} ${JSON.stringify(t.text.slice(0, 40))}` : 'end of file'}`);
  }
}

/** `../meta/v1` seen from `apps/v1` is `meta/v1`; `./v1` from `authentication/v1beta1` is `authentication/v1`. */
export function resolveModule(from: string, spec: string): string {
  const parts = from.split('/');
  parts.pop();
  for (const seg of spec.split('/')) {
    if (seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return parts.join('/');
}

export function parseModule(module: string, src: string): ModuleDecls {
  return new Parser(tokenize(src), module).parse();
}

/** Module (`core/v1`) -> declaration text that mergeModule lays over the package's module. */
export type ModuleSupplements = Readonly<Record<string, string>>;

/** A member typed `never` in a supplement removes the member of that name. */
function isRemoval(m: MemberDecl): boolean {
  return m.type.t === 'ref' && m.type.name === 'never';
}

/**
 * `base` with `extra` laid over it, declaration by declaration. An interface declared in
 * both keeps the base's members in their order; a member of `extra` replaces the base's
 * member of that name (its type and description), or is appended when new, and one typed
 * `never` removes it. `extra`'s description of the interface, when given, replaces the
 * base's. Any other declaration of `extra` (a new interface, an alias) replaces the base's
 * of that name outright. Neither input is changed.
 */
export function mergeModule(base: ModuleDecls, extra: ModuleDecls): ModuleDecls {
  const decls = new Map(base.decls);
  for (const [name, over] of extra.decls) {
    const under = decls.get(name);
    if (over.kind !== 'interface') {
      decls.set(name, over);
      continue;
    }
    const members = under?.kind === 'interface' ? [...under.members] : [];
    for (const m of over.members) {
      const i = members.findIndex((x) => x.name === m.name);
      if (isRemoval(m)) {
        if (i >= 0) members.splice(i, 1);
      } else if (i >= 0) {
        members[i] = m;
      } else {
        members.push(m);
      }
    }
    const description = over.description ?? (under?.kind === 'interface' ? under.description : undefined);
    decls.set(name, { kind: 'interface', module: base.module, name, description, members });
  }
  return { module: base.module, decls };
}

/**
 * Reads and parses declaration files of the kubernetes-types package on demand, once
 * each, with the supplement of each module (if any) merged in.
 */
export class TypeLibrary {
  private readonly modules = new Map<string, ModuleDecls>();

  constructor(
    private readonly read: (module: string) => string = readInstalledModule,
    private readonly supplements: ModuleSupplements = {},
  ) {}

  module(module: string): ModuleDecls {
    let m = this.modules.get(module);
    if (!m) {
      m = parseModule(module, this.read(module));
      const extra = this.supplements[module];
      if (extra !== undefined) m = mergeModule(m, parseModule(module, extra));
      this.modules.set(module, m);
    }
    return m;
  }

  lookup(module: string, name: string): Decl {
    const d = this.module(module).decls.get(name);
    if (!d) throw new Error(`kubernetes-types ${module} declares no ${name}`);
    return d;
  }
}

let packageDir: string | undefined;

function readInstalledModule(module: string): string {
  if (!packageDir) {
    const require = createRequire(import.meta.url);
    packageDir = dirname(require.resolve('kubernetes-types/package.json'));
  }
  return readFileSync(join(packageDir, `${module}.d.ts`), 'utf8');
}
