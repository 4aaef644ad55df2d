import { ErrorCode, formatError } from '../../../lib/model/errors';
import type { Flow, FlowInput } from '../../../lib/model/flow';
import { renderTyped } from '../../../lib/expr';
import { coerceInputValue } from '../../../lib/model/input-value';
import { coerceInputs, coerceInputsOrThrow, pendingFileUploads } from '../../../lib/model/inputs';

const flowWith = (...inputs: FlowInput[]): Flow => ({
  id: 'f', namespace: 'ns', inputs, tasks: [{ id: 't', type: 'io.kestra.core.tasks.debugs.Return' }],
});
const input = (type: FlowInput['type'], extra: Partial<FlowInput> = {}): FlowInput => ({ id: 'x', type, required: true, ...extra });
const coerce = (type: FlowInput['type'], value: unknown, extra: Partial<FlowInput> = {}) => coerceInputValue(input(type, extra), value);

describe('coerceInputs', () => {
  it('reads only given values, never what an object inherits (an input named toString or constructor)', () => {
    const r = coerceInputs(flowWith({ id: 'toString', type: 'STRING', required: false }, { id: 'constructor', type: 'STRING' }), { constructor: 'c' });
    expect(r.errors).toEqual([]);
    expect(r.inputs).toEqual({ toString: null, constructor: 'c' });
    const missing = coerceInputs(flowWith({ id: 'toString', type: 'STRING' }), {});
    expect(missing.errors.map((e) => e.message)).toEqual(["missing required input 'toString' (STRING)"]);
  });

  it('nests dotted ids as own data, so an id through __proto__ never reaches Object.prototype', () => {
    const r = coerceInputs(flowWith({ id: 'a.__proto__.polluted', type: 'STRING' }), { 'a.__proto__.polluted': 'yes' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor((r.inputs.a as Record<string, unknown>), '__proto__')?.value).toEqual({ polluted: 'yes' });
  });

  it('refuses a JSON input nested deeper than 1000 levels, naming the input', () => {
    const r = coerceInputs(flowWith({ id: 'j', type: 'JSON' }), { j: '['.repeat(1001) + ']'.repeat(1001) });
    expect(r.errors).toEqual([expect.objectContaining({ code: 'INPUT_INVALID', property: 'inputs.j', message: "input 'j': the value is nested deeper than 1000 levels" })]);
  });

  it('converts every given value to its declared type', () => {
    const flow = flowWith(
      { id: 's', type: 'STRING' }, { id: 'i', type: 'INT' }, { id: 'f', type: 'FLOAT' }, { id: 'b', type: 'BOOLEAN' },
      { id: 'dt', type: 'DATETIME' }, { id: 'd', type: 'DATE' }, { id: 't', type: 'TIME' }, { id: 'du', type: 'DURATION' },
      { id: 'j', type: 'JSON' }, { id: 'u', type: 'URI' }, { id: 'file', type: 'FILE' },
    );
    const r = coerceInputs(flow, {
      s: 'text', i: '42', f: '1.5', b: 'TRUE', dt: '2024-03-01T10:00:00+02:00', d: '2024-02-29', t: '13:45:30',
      du: 'pt1h30m', j: '{"a":[1,2]}', u: 'https://example.com/a?b=c', file: 'kestra:///ns/f/executions/e/inputs/file/data.csv',
    });
    expect(r.errors).toEqual([]);
    expect(r.inputs).toEqual({
      s: 'text', i: 42, f: 1.5, b: true, dt: '2024-03-01T08:00:00Z', d: '2024-02-29', t: '13:45:30', du: 'PT1H30M',
      j: { a: [1, 2] }, u: 'https://example.com/a?b=c', file: 'kestra:///ns/f/executions/e/inputs/file/data.csv',
    });
  });

  it('names the flow, the input and the expected type when a value has the wrong type', () => {
    const r = coerceInputs(flowWith({ id: 'count', type: 'INT' }), { count: 'many' });
    expect(r.ok).toBe(false);
    expect(r.errors.map(formatError)).toEqual(["flow ns.f, property inputs.count: input 'count': expected INT (an integer), got 'many'"]);
    expect(r.errors[0].code).toBe(ErrorCode.INPUT_INVALID);
  });

  it('reports a missing required input, and every other error with it', () => {
    const r = coerceInputs(flowWith({ id: 'a', type: 'STRING' }, { id: 'b', type: 'BOOLEAN' }), { b: 'maybe' });
    expect(r.errors.map((e) => e.message)).toEqual([
      "missing required input 'a' (STRING)",
      "input 'b': expected BOOLEAN (true or false), got 'maybe'",
    ]);
  });

  it('treats inputs as required unless they say otherwise, as Kestra does', () => {
    const flow = flowWith({ id: 'implicit', type: 'STRING' }, { id: 'optional', type: 'STRING', required: false });
    const r = coerceInputs(flow, {});
    expect(r.errors.map((e) => e.property)).toEqual(['inputs.implicit']);
    expect(coerceInputs(flow, { implicit: 'x' }).inputs).toEqual({ implicit: 'x', optional: null });
  });

  it('uses the default when no value is given, converted like a given value', () => {
    const r = coerceInputs(flowWith({ id: 'n', type: 'INT', defaults: '5' }, { id: 'm', type: 'INT', defaults: 5 }), { m: 6 });
    expect(r.inputs).toEqual({ n: 5, m: 6 });
  });

  it('ignores inputs the flow does not declare, with a warning', () => {
    const r = coerceInputs(flowWith({ id: 'name', type: 'STRING' }), { name: 'a', nmae: 'b' });
    expect(r.ok).toBe(true);
    expect(r.inputs).toEqual({ name: 'a' });
    expect(r.warnings.map((w) => w.message)).toEqual(["unknown input 'nmae' is ignored; did you mean 'name'?"]);
  });

  it('nests dotted input ids, as Kestra does', () => {
    const r = coerceInputs(flowWith({ id: 'db.host', type: 'STRING' }, { id: 'db.port', type: 'INT' }), { 'db.host': 'h', 'db.port': '5432' });
    expect(r.inputs).toEqual({ db: { host: 'h', port: 5432 } });
  });

  it('takes uploaded FILE inputs from the files option, over the given value', () => {
    const flow = flowWith({ id: 'data', type: 'FILE' });
    const r = coerceInputs(flow, { data: '/tmp/local.csv' }, { files: { data: 'kestra:///ns/f/executions/e/inputs/data/local.csv' } });
    expect(r.inputs).toEqual({ data: 'kestra:///ns/f/executions/e/inputs/data/local.csv' });
  });

  it('rejects a FILE input that is not an internal storage URI, or one that escapes its prefix', () => {
    expect(coerce('FILE', '/etc/passwd')).toEqual({ ok: false, message: "expected FILE (a kestra:/// URI of an uploaded file), got '/etc/passwd'" });
    expect(coerce('FILE', 'kestra:///ns/f/../../secret').ok).toBe(false);
    expect(coerce('FILE', 'kestra:///ns/f/%2e%2e/secret').ok).toBe(false);
  });

  it('throws the errors as one INPUT_INVALID AloftError when asked to', () => {
    expect(() => coerceInputsOrThrow(flowWith({ id: 'a', type: 'INT' }, { id: 'b', type: 'INT' }), { a: 'x', b: 'y' }))
      .toThrow(expect.objectContaining({ code: ErrorCode.INPUT_INVALID, message: expect.stringContaining('(and 1 more') }));
  });
});

describe('SELECT and MULTISELECT inputs', () => {
  const values = ['dev', 'prod'];

  it('accepts one of the values for SELECT, and refuses another, listing the values', () => {
    expect(coerce('SELECT', 'prod', { values })).toEqual({ ok: true, value: 'prod' });
    expect(coerce('SELECT', 'test', { values })).toEqual({ ok: false, message: "'test' is not one of the values 'dev', 'prod'" });
    expect(coerce('SELECT', ['dev'], { values })).toMatchObject({ ok: false, message: expect.stringContaining('expected SELECT') });
  });

  it('takes a list or a JSON list for MULTISELECT, each item one of the values (or options, its older name)', () => {
    expect(coerce('MULTISELECT', ['dev', 'prod'], { values })).toEqual({ ok: true, value: ['dev', 'prod'] });
    expect(coerce('MULTISELECT', '["prod"]', { options: values })).toEqual({ ok: true, value: ['prod'] });
    expect(coerce('MULTISELECT', ['dev', 'qa'], { values })).toEqual({ ok: false, message: "'qa' is not one of the values 'dev', 'prod'" });
    expect(coerce('MULTISELECT', 'dev', { values })).toMatchObject({ ok: false, message: expect.stringContaining('expected MULTISELECT') });
  });

  it('accepts any value with allowCustomValue', () => {
    expect(coerce('SELECT', 'test', { values, allowCustomValue: true })).toEqual({ ok: true, value: 'test' });
    expect(coerce('MULTISELECT', ['qa'], { values, allowCustomValue: true })).toEqual({ ok: true, value: ['qa'] });
  });

  it('checks a given value and a default alike, naming the input', () => {
    const r = coerceInputs(flowWith({ id: 'env', type: 'SELECT', values, required: true }), { env: 'staging' });
    expect(r.errors).toEqual([expect.objectContaining({ property: 'inputs.env', message: "input 'env': 'staging' is not one of the values 'dev', 'prod'" })]);
    expect(coerceInputs(flowWith({ id: 'env', type: 'SELECT', values, defaults: 'dev', required: true }), {}).inputs).toEqual({ env: 'dev' });
  });
});

describe('pendingFileUploads', () => {
  it('lists the FILE inputs given as local files, as a marker or a plain path, for the runtime to upload', () => {
    const flow = flowWith({ id: 'a', type: 'FILE' }, { id: 'b', type: 'FILE' }, { id: 'c', type: 'FILE' }, { id: 's', type: 'STRING' });
    expect(pendingFileUploads(flow, { a: { file: './data.csv' }, b: '/tmp/x.json', c: 'kestra:///ns/f/x', s: '/not/a/file' })).toEqual([
      { input: 'a', path: './data.csv' }, { input: 'b', path: '/tmp/x.json' },
    ]);
  });
});

describe('Kestra 1.x input types', () => {
  it('accepts a SELECT or ENUM value among its values and names the values otherwise', () => {
    expect(coerce('SELECT', 'b', { values: ['a', 'b'] })).toEqual({ ok: true, value: 'b' });
    expect(coerce('ENUM', 'c', { values: ['a', 'b'] })).toEqual({ ok: false, message: "'c' is not one of the values 'a', 'b'" });
  });

  it('accepts any SELECT value with allowCustomValue, but never for ENUM', () => {
    expect(coerce('SELECT', 'z', { values: ['a'], allowCustomValue: true })).toEqual({ ok: true, value: 'z' });
    expect(coerce('ENUM', 'z', { values: ['a'], allowCustomValue: true }).ok).toBe(false);
  });

  it('takes a MULTISELECT as a list or JSON array text, each item among its values or options', () => {
    expect(coerce('MULTISELECT', ['a', 'b'], { values: ['a', 'b', 'c'] })).toEqual({ ok: true, value: ['a', 'b'] });
    expect(coerce('MULTISELECT', '["c"]', { options: ['c'] })).toEqual({ ok: true, value: ['c'] });
    expect(coerce('MULTISELECT', ['a', 'x'], { values: ['a'] })).toEqual({ ok: false, message: "'x' is not one of the values 'a'" });
    expect(coerce('MULTISELECT', 'a', { values: ['a'] }).ok).toBe(false);
  });

  it('converts each ARRAY item to its itemType and names the item that fails', () => {
    expect(coerce('ARRAY', '[1, "2"]', { itemType: 'INT' })).toEqual({ ok: true, value: [1, 2] });
    expect(coerce('ARRAY', ['2024-01-31', 'nope'], { itemType: 'DATE' })).toEqual({ ok: false, message: "item 1: expected DATE (such as 2024-01-31), got 'nope'" });
  });

  it('bounds the number of list items with minLength and maxLength', () => {
    expect(coerce('ARRAY', ['a'], { itemType: 'STRING', minLength: 2 })).toEqual({ ok: false, message: 'the list has 1 items, fewer than minLength 2' });
    expect(coerce('MULTISELECT', ['a', 'b'], { values: ['a', 'b'], maxLength: 1 })).toEqual({ ok: false, message: 'the list has 2 items, more than maxLength 1' });
  });

  it('bounds the length of a STRING with minLength and maxLength', () => {
    expect(coerce('STRING', 'ab', { minLength: 3 })).toEqual({ ok: false, message: 'the value is 2 characters long, less than minLength 3' });
    expect(coerce('STRING', 'abcd', { maxLength: 3 })).toEqual({ ok: false, message: 'the value is 4 characters long, more than maxLength 3' });
    expect(coerce('STRING', 'abc', { minLength: 3, maxLength: 3 })).toEqual({ ok: true, value: 'abc' });
  });

  it('parses YAML text into data and keeps a value given as data', () => {
    expect(coerce('YAML', 'a: 1\nb: [x, y]\n')).toEqual({ ok: true, value: { a: 1, b: ['x', 'y'] } });
    expect(coerce('YAML', { a: 1 })).toEqual({ ok: true, value: { a: 1 } });
    expect(coerce('YAML', 'a: [1').ok).toBe(false);
  });

  it('checks an EMAIL address shape', () => {
    expect(coerce('EMAIL', 'ada@example.com')).toEqual({ ok: true, value: 'ada@example.com' });
    expect(coerce('EMAIL', 'ada@localhost')).toEqual({ ok: false, message: "expected EMAIL (such as ada@example.com), got 'ada@localhost'" });
    expect(coerce('EMAIL', 'a b@example.com').ok).toBe(false);
  });

  it('never quotes a SECRET value back in an error', () => {
    const r = coerce('SECRET', 'hunter2', { validator: '[0-9]+' });
    expect(r).toEqual({ ok: false, message: "the value does not match the validator '[0-9]+'" });
    expect(coerce('SECRET', 1234)).toEqual({ ok: false, message: 'expected SECRET (a string), got a number' });
    // Kept marked, so whatever shows the execution masks it (model/secret-value.ts).
    expect(coerce('SECRET', 's3cret')).toEqual({ ok: true, value: { type: 'aloft.datatype:secret', value: 's3cret' } });
  });

  it('keeps an already marked SECRET value (a subflow input), checking its rules on the clear text', () => {
    const marked = { type: 'aloft.datatype:secret', value: '1234' };
    expect(coerce('SECRET', marked, { validator: '[0-9]+' })).toEqual({ ok: true, value: marked });
    expect(coerce('SECRET', marked, { minLength: 8 })).toEqual({ ok: false, message: 'the value is 4 characters long, less than minLength 8' });
  });

  it('treats BOOL as BOOLEAN', () => {
    expect(coerce('BOOL', 'false')).toEqual({ ok: true, value: false });
    expect(coerce('BOOL', 'maybe').ok).toBe(false);
  });

  it('names the input and the rule each bad input broke, all at once', () => {
    const flow = flowWith(
      { id: 'color', type: 'SELECT', values: ['red'] }, { id: 'mail', type: 'EMAIL' }, { id: 'n', type: 'ARRAY', itemType: 'INT' },
    );
    const r = coerceInputs(flow, { color: 'blue', mail: 'x', n: '[1, "b"]' });
    expect(r.errors.map((e) => [e.property, e.message])).toEqual([
      ['inputs.color', "input 'color': 'blue' is not one of the values 'red'"],
      ['inputs.mail', "input 'mail': expected EMAIL (such as ada@example.com), got 'x'"],
      ['inputs.n', "input 'n': item 1: expected INT (an integer), got 'b'"],
    ]);
  });
});

describe('dependsOn.condition', () => {
  // What the runtime injects: Kestra's renderTyped, where only a boolean true enables the input.
  const condition = (expression: string, vars: Record<string, unknown>) => renderTyped(expression, vars, { now: new Date(0) });
  const flow = flowWith(
    { id: 'cloud', type: 'SELECT', values: ['AWS', 'GCP'] },
    { id: 'region', type: 'STRING', dependsOn: { inputs: ['cloud'], condition: "{{ inputs.cloud == 'GCP' }}" } },
    { id: 'zone', type: 'STRING', dependsOn: { inputs: ['region'] } },
  );

  it('checks and keeps an input whose condition renders to true', () => {
    const r = coerceInputs(flow, { cloud: 'GCP', region: 'europe-west1', zone: 'b' }, { condition });
    expect(r.errors).toEqual([]);
    expect(r.inputs).toEqual({ cloud: 'GCP', region: 'europe-west1', zone: 'b' });
    const missing = coerceInputs(flow, { cloud: 'GCP', zone: 'b' }, { condition });
    expect(missing.errors.map((e) => e.message)).toEqual(["missing required input 'region' (STRING)"]);
  });

  it('leaves out, unchecked, an input whose condition is false, and the inputs that depend on it', () => {
    const r = coerceInputs(flow, { cloud: 'AWS', zone: 42 }, { condition });
    expect(r.errors).toEqual([]);
    expect(r.inputs).toEqual({ cloud: 'AWS' });
  });

  it('enables an input only for a boolean true, as Kestra does (the text "true" is not)', () => {
    const f = flowWith({ id: 'a', type: 'STRING', required: false }, { id: 'b', type: 'STRING', dependsOn: { inputs: ['a'], condition: "{{ inputs.a ~ '' }}" } });
    expect(coerceInputs(f, { a: 'true' }, { condition }).inputs).toEqual({ a: 'true' });
  });

  it('evaluates an input after those it depends on, wherever they are declared', () => {
    const f = flowWith(
      { id: 'b', type: 'INT', dependsOn: { inputs: ['a'], condition: '{{ inputs.a > 1 }}' } },
      { id: 'a', type: 'INT' },
    );
    expect(coerceInputs(f, { a: 2, b: '3' }, { condition }).inputs).toEqual({ a: 2, b: 3 });
    expect(coerceInputs(f, { a: 1, b: 'x' }, { condition }).inputs).toEqual({ a: 1 });
  });

  it('reports a condition that fails to render, naming the input; the condition sees only the inputs it depends on', () => {
    const f = flowWith({ id: 'a', type: 'STRING' }, { id: 'other', type: 'STRING' }, { id: 'b', type: 'STRING', dependsOn: { inputs: ['a'], condition: "{{ inputs.other == 'x' }}" } });
    const r = coerceInputs(f, { a: 'v', other: 'x', b: 'w' }, { condition });
    expect(r.errors).toEqual([expect.objectContaining({ code: ErrorCode.INPUT_INVALID, property: 'inputs.b', message: expect.stringContaining("input 'b': invalid dependsOn.condition: undefined variable 'inputs.other'") })]);
  });

  it('reports a dependsOn cycle instead of looping', () => {
    const f = flowWith(
      { id: 'a', type: 'STRING', dependsOn: { inputs: ['b'] } },
      { id: 'b', type: 'STRING', dependsOn: { inputs: ['a'] } },
    );
    const r = coerceInputs(f, { a: 'x', b: 'y' }, { condition });
    expect(r.errors.map((e) => e.message)).toEqual(["input 'a': dependsOn makes a cycle through 'a'"]);
  });

  it('checks every input when no renderer is given', () => {
    expect(coerceInputs(flow, { cloud: 'AWS', region: 'r', zone: 'z' }).inputs).toEqual({ cloud: 'AWS', region: 'r', zone: 'z' });
  });
});
