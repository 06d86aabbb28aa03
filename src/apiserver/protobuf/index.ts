// Kubernetes protobuf request bodies (Content-Type application/vnd.kubernetes.protobuf), as
// client-go's typed clients send them: the 4-byte magic `k8s\0`, then a runtime.Unknown
// envelope {1 typeMeta {1 apiVersion, 2 kind}, 2 raw, 3 contentEncoding, 4 contentType}
// whose `raw` is the typed message. We decode into the JSON object the same request would
// have carried as JSON, so everything past the HTTP layer sees one form.

import { badRequest } from '../../api/errors.js';
import { MAGIC, Reader, WireError, decodeMessageInto, type DecodeContext } from './decode.js';
import { MESSAGES, messageForKind } from './registry.js';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

export interface DecodedProtobuf {
  object: Record<string, unknown>;
  /** Fields the schema table does not know, as `message.fieldNumber`; they were skipped. */
  unknownFields: string[];
}

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Buffer;
  contentEncoding: string;
}

function readEnvelope(body: Buffer): Envelope {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new WireError('the body does not start with the Kubernetes protobuf prefix "k8s\\x00"');
  }
  const r = new Reader(body, MAGIC.length);
  const env: Envelope = { apiVersion: '', kind: '', raw: Buffer.alloc(0), contentEncoding: '' };
  while (!r.done()) {
    const [num, wt] = r.tag();
    if (num === 1 && wt === 2) {
      const tm = r.sub();
      while (!tm.done()) {
        const [n, w] = tm.tag();
        if ((n === 1 || n === 2) && w === 2) {
          const [s, e] = tm.delimited();
          env[n === 1 ? 'apiVersion' : 'kind'] = body.toString('utf8', s, e);
        } else tm.skip(w, n);
      }
    } else if (num === 2 && wt === 2) {
      const [s, e] = r.delimited();
      env.raw = body.subarray(s, e);
    } else if (num === 3 && wt === 2) {
      const [s, e] = r.delimited();
      env.contentEncoding = body.toString('utf8', s, e);
    } else r.skip(wt, num);
  }
  return env;
}

function decode(body: Buffer, unknownFields: Set<string>, depth: number): Record<string, unknown> {
  const env = readEnvelope(body);
  if (env.contentEncoding !== '') throw new WireError(`unsupported content encoding "${env.contentEncoding}"`);
  if (env.kind === '') throw new WireError("Object 'Kind' is missing in the protobuf envelope");
  const type = messageForKind(env.apiVersion, env.kind);
  if (!type) throw new WireError(`no kind "${env.kind}" is registered for version "${env.apiVersion}"`);
  const ctx: DecodeContext = {
    messages: MESSAGES,
    unknownFields,
    decodeEmbedded: (raw, d) => decode(raw, unknownFields, d),
  };
  const fields: Record<string, unknown> = {};
  decodeMessageInto(ctx, type, new Reader(env.raw), fields, depth);
  return { apiVersion: env.apiVersion, kind: env.kind, ...fields };
}

/** Like decodeProtobufObject, and also lists the fields the schema table skipped. */
export function decodeProtobufObjectDetailed(body: Buffer): DecodedProtobuf {
  const unknownFields = new Set<string>();
  try {
    const object = decode(body, unknownFields, 0);
    return { object, unknownFields: [...unknownFields].sort() };
  } catch (e) {
    if (e instanceof WireError || e instanceof RangeError) {
      throw badRequest(`unable to decode the protobuf request body: ${e.message}`);
    }
    throw e;
  }
}

/** Decodes a protobuf request body into the JSON object form (apiVersion and kind from the envelope's typeMeta). Throws StatusError 400 BadRequest with a clear message on malformed input. */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  return decodeProtobufObjectDetailed(body).object;
}
