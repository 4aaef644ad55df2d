import { evalExpr, evalString, evalValue, isRef, isTemplate, isUnknown, refsIn, show, type Scope, type Value } from './hcl-expr';

const locals: Record<string, Value> = {
  functions: {
    api: { entry_point: 'api', trigger: 'http' },
    'worker-core': { entry_point: 'workerCore', trigger: 'pubsub' },
  },
};
const vars: Record<string, Value> = { name_prefix: 'aloft', region: 'us-central1', firestore_location: null, settings: {}, on: true };
const scope: Scope = { variable: (n) => vars[n], local: (n) => locals[n] };

describe('hcl-expr', () => {
  it('evaluates variables, locals and string interpolation', () => {
    expect(evalString('${var.name_prefix}-${local.functions["api"].entry_point}', scope)).toBe('aloft-api');
  });

  it('keeps the type of a lone interpolation', () => {
    expect(evalString('${local.functions}', scope)).toEqual(locals.functions);
  });

  it('filters a map with a for-expression', () => {
    expect(evalExpr('{ for name, fn in local.functions : name => fn if fn.trigger == "pubsub" }', scope))
      .toEqual({ 'worker-core': { entry_point: 'workerCore', trigger: 'pubsub' } });
  });

  it('builds keys from setproduct pairs in a for-expression', () => {
    expect(evalExpr('{ for p in setproduct(["a"], keys(local.functions)) : "${p[0]} ${p[1]}" => p[1] }', scope))
      .toEqual({ 'a api': 'api', 'a worker-core': 'worker-core' });
  });

  it('falls back through try() when a key is missing, and coalesce() skips nulls', () => {
    expect(evalExpr('coalesce(try(var.settings["api"]["memory"], null), "512Mi")', scope)).toBe('512Mi');
    expect(evalExpr('coalesce(var.firestore_location, var.region)', scope)).toBe('us-central1');
  });

  it('does arithmetic and numeric comparisons', () => {
    expect(evalExpr('tostring(540 * 1000 + 1)', scope)).toBe('540001');
    expect(evalExpr('2 + 3 * 4 > 13', scope)).toBe(true);
  });

  it('chooses a ternary branch by its condition', () => {
    expect(evalExpr('var.on ? ["x"] : []', scope)).toEqual(['x']);
    expect(evalExpr('!var.on ? 1 : 0', scope)).toBe(0);
  });

  it('skips comments inside expressions', () => {
    expect(evalExpr('concat(["a", # first\n "b" // second\n], [])', scope)).toEqual(['a', 'b']);
  });

  it('keeps resource references symbolic, with their index and attribute path', () => {
    const v = evalExpr('google_pubsub_topic.fn[each.key].id', { ...scope, each: { key: 'worker-core', value: null } });
    expect(isRef(v) && v.type === 'google_pubsub_topic' && v.name === 'fn' && v.path).toEqual(['worker-core', 'id']);
    expect(show(v)).toBe('google_pubsub_topic.fn["worker-core"].id');
  });

  it('returns a template when text mixes with references', () => {
    const v = evalString('${google_cloudfunctions2_function.fn["api"].url}/projects/${var.name_prefix}', scope);
    expect(isTemplate(v)).toBe(true);
    expect(refsIn(v).map(show)).toEqual(['google_cloudfunctions2_function.fn.api.url']);
  });

  it('returns an unknown for functions it does not implement rather than guessing', () => {
    expect(isUnknown(evalExpr('sha1("x")', scope))).toBe(true);
    expect(isUnknown(evalExpr('local.functions["nope"].entry_point', scope))).toBe(true);
  });

  it('evaluates nested blocks and objects as hcl2json gives them', () => {
    expect(evalValue([{ name: '${var.name_prefix}', n: 3 }], scope)).toEqual([{ name: 'aloft', n: 3 }]);
  });
});
