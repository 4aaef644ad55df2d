// A namespace named in a route's path, checked with the flow namespace rule.
import { AloftError, ErrorCode } from '../model/errors';
import { Namespace } from '../model/flow-schema';

/** The namespace, or MESSAGE_INVALID naming it and the rule it broke. */
export function namespaceParam(namespace: string): string {
  const r = Namespace.safeParse(namespace);
  if (!r.success) throw new AloftError(ErrorCode.MESSAGE_INVALID, `namespace '${namespace.slice(0, 150)}': ${r.error.issues[0].message}`);
  return r.data;
}
