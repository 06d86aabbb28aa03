// Image references, normalized as Kubernetes and containerd do (the
// docker/distribution `reference.ParseNormalizedNamed` rules): `app:1` is
// `docker.io/library/app:1`, `me/app` is `docker.io/me/app:latest`, a first
// component with a dot or a port, or `localhost`, is a registry. A reference
// without a tag or digest means `:latest`.

export interface ImageReference {
  /** Registry and path: docker.io/library/app. */
  name: string;
  tag?: string;
  digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d+)?$/;

export class InvalidReferenceError extends Error {}

/** Parses and normalizes; throws InvalidReferenceError with a message that names the reference. */
export function parseReference(ref: string): ImageReference {
  const bad = (why: string) => new InvalidReferenceError(`invalid image reference "${ref}": ${why}`);
  let rest = ref.trim();
  if (!rest) throw bad('empty');
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad(`malformed digest "${digest}"`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad(`malformed tag "${tag}"`);
  }
  const parts = rest.split('/');
  let domain = 'docker.io';
  if (parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost' || parts[0] !== parts[0].toLowerCase())) {
    domain = parts.shift()!;
    if (!DOMAIN.test(domain)) throw bad(`malformed registry "${domain}"`);
  }
  if (domain === 'index.docker.io') domain = 'docker.io';
  if (domain === 'docker.io' && parts.length === 1) parts.unshift('library');
  for (const p of parts) if (!COMPONENT.test(p)) throw bad(p.toLowerCase() !== p ? 'repository name must be lowercase' : `malformed path component "${p}"`);
  const name = `${domain}/${parts.join('/')}`;
  if (name.length > 255) throw bad('repository name longer than 255 characters');
  if (!tag && !digest) tag = 'latest';
  return { name, tag, digest };
}

/** The normalized string: docker.io/library/app:1, or name@digest when a digest is given. */
export function formatReference(r: ImageReference): string {
  return r.name + (r.tag ? `:${r.tag}` : '') + (r.digest ? `@${r.digest}` : '');
}

export function normalizeReference(ref: string): string {
  return formatReference(parseReference(ref));
}
