// The object model the API server serves: the kubernetes-types declarations completed to
// Kubernetes 1.32 by the supplement, parsed on first use and kept for the life of the
// process. The OpenAPI documents, strict field validation and the patch engines' schema
// view all read this one model.

import { TypeLibrary } from './dts.js';
import { KUBERNETES_1_32_SUPPLEMENT } from './supplement.js';

let library: TypeLibrary | undefined;

export function servedTypeLibrary(): TypeLibrary {
  library ??= new TypeLibrary(undefined, KUBERNETES_1_32_SUPPLEMENT);
  return library;
}
