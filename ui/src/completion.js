// Editor autocompletion from the flow JSON Schema (GET /api/v1/plugins/schemas/flow): task types after
// `type:`, and at a key position the properties of the task around the cursor (by its `type:`), or the
// flow's top-level fields. The YAML is read line by line, as it is typed: it need not parse.
import { api } from './api';

let schema;
const loadSchema = () => (schema ??= api('GET', '/api/v1/plugins/schemas/flow').catch(() => { schema = undefined; return null; }));

/** The indentation of a line's keys (`  - id:` has its keys at 4), whether it starts a list item, its key. */
function shape(text) {
  const m = /^(\s*)(- )?([\w-]+)?\s*(:)?\s*(.*)$/.exec(text);
  if (!m || !text.trim() || text.trim().startsWith('#')) return null;
  return { indent: m[1].length + (m[2] ? 2 : 0), item: Boolean(m[2]), key: m[4] ? m[3] : undefined, value: m[5] };
}

/** The keys of the mapping that holds line `n` at `indent`: the lines above up to its item start, and below. */
function siblings(doc, n, indent, startsItem) {
  const keys = [];
  let type;
  const take = (s) => { if (s.key) keys.push(s.key); if (s.key === 'type') type = s.value.trim(); };
  for (let i = n - 1; i >= 1 && !startsItem; i--) {
    const s = shape(doc.line(i).text);
    if (!s || s.indent > indent) continue;
    if (s.indent < indent) break;
    take(s);
    if (s.item) break;
  }
  for (let i = n + 1; i <= doc.lines; i++) {
    const s = shape(doc.line(i).text);
    if (!s || s.indent > indent) continue;
    if (s.indent < indent || s.item) break;
    take(s);
  }
  return { keys, type };
}

const describe = (p) => (p && typeof p === 'object' ? p.description ?? (Array.isArray(p.type) ? p.type.join(' | ') : p.type) : undefined);

export async function flowCompletions(ctx) {
  const line = ctx.state.doc.lineAt(ctx.pos);
  const before = line.text.slice(0, ctx.pos - line.from);
  const typeValue = /^\s*(?:- )?type:\s*([\w.]*)$/.exec(before);
  const key = /^(\s*)(- )?([\w-]*)$/.exec(before);
  if (!typeValue && !key) return null;
  if (!ctx.explicit && !(typeValue ?? key)[typeValue ? 1 : 3]) return null;
  const s = await loadSchema();
  if (!s) return null;
  if (typeValue) {
    return { from: ctx.pos - typeValue[1].length, options: s.definitions.task.properties.type.enum.map((t) => ({ label: t, type: 'class', detail: s.definitions[t]?.properties?.type?.description })), validFor: /^[\w.]*$/ };
  }
  const indent = key[1].length + (key[2] ? 2 : 0);
  const { keys, type } = siblings(ctx.state.doc, line.number, indent, Boolean(key[2]));
  const properties = indent === 0 ? s.properties : type ? s.definitions[type]?.properties : { id: { type: 'string' }, type: { type: 'string' } };
  if (!properties) return null;
  const options = Object.entries(properties).filter(([k]) => !keys.includes(k)).map(([k, p]) => ({ label: k, type: 'property', detail: describe(p), apply: `${k}: ` }));
  return { from: ctx.pos - key[3].length, options, validFor: /^[\w-]*$/ };
}
