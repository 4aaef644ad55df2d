// Labels as the lists show and filter them. The API writes an execution's as Kestra's list of
// `{ key, value }` and a flow's as the map its YAML holds: both read as [key, value] pairs.
export const labelPairs = (labels) => (Array.isArray(labels) ? labels.map((l) => [l.key, l.value]) : Object.entries(labels ?? {}));

/** `env:prod, team:data` as `key:value` strings; null when one is not key:value. */
export function parseLabelText(text) {
  const list = text.split(',').map((l) => l.trim()).filter(Boolean);
  return list.every((l) => l.indexOf(':') > 0) ? list : null;
}
