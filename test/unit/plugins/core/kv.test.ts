import { runAttempt } from '../../../../lib/worker';
import { fakeWorker } from '../../../../lib/worker/testing';

const opts = { workerId: 'w' };
const SET = 'io.kestra.plugin.core.kv.Set';
const GET = 'io.kestra.plugin.core.kv.Get';

describe('kv tasks', () => {
  let w: Awaited<ReturnType<typeof fakeWorker>>;
  beforeEach(async () => {
    w = await fakeWorker();
  });
  afterEach(() => w.cleanup());

  async function run(type: string, task: Record<string, unknown>) {
    const out = await runAttempt(w.task(type, { id: 't', ...task }), w.deps, opts);
    if (out.kind !== 'result') throw new Error('expected a result');
    return out.result;
  }

  it('Set stores a value in the execution\'s namespace, typed from the value, and Get reads it back', async () => {
    expect(await run(SET, { key: 'conf', value: { a: 1 } })).toMatchObject({ state: 'SUCCESS' });
    expect(await w.kv.get('io.aloft.tests', 'conf', new Date())).toMatchObject({ value: { a: 1 }, type: 'JSON' });
    expect(await run(GET, { key: 'conf' })).toMatchObject({ state: 'SUCCESS', outputs: { value: { a: 1 } } });
  });

  it('Set converts a rendered string to its kvType and refuses one that does not convert', async () => {
    await run(SET, { key: 'n', value: '{{ 40 + 2 }}', kvType: 'NUMBER' });
    await run(SET, { key: 'j', value: '{"x": [1]}', kvType: 'JSON' });
    await run(SET, { key: 'when', value: '2026-01-10T08:00:00+01:00', kvType: 'DATETIME' });
    const now = new Date();
    expect((await w.kv.get('io.aloft.tests', 'n', now))?.value).toBe(42);
    expect((await w.kv.get('io.aloft.tests', 'j', now))?.value).toEqual({ x: [1] });
    expect((await w.kv.get('io.aloft.tests', 'when', now))?.value).toBe('2026-01-10T07:00:00.000Z');
    expect(await run(SET, { key: 'bad', value: 'abc', kvType: 'NUMBER' })).toMatchObject({
      state: 'FAILED', error: { code: 'INPUT_INVALID', message: 'value "abc" is not a NUMBER', task: 't', property: 'value' },
    });
  });

  it('Set with overwrite false fails naming the key when it exists, and keeps the stored value', async () => {
    await run(SET, { key: 'k', value: 'first' });
    expect(await run(SET, { key: 'k', value: 'second', overwrite: false })).toMatchObject({
      state: 'FAILED', error: { code: 'CONFLICT', message: "key 'k' already exists in namespace io.aloft.tests and overwrite is false" },
    });
    expect(await run(GET, { key: 'k' })).toMatchObject({ outputs: { value: 'first' } });
  });

  it('Set with a ttl stores an expiry date; a ttl that is not a duration fails naming ttl', async () => {
    const before = Date.now();
    await run(SET, { key: 'short', value: 1, ttl: 'PT1H' });
    const e = await w.kv.get('io.aloft.tests', 'short', new Date());
    expect(Date.parse(e!.expirationDate!)).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(await run(SET, { key: 'x', value: 1, ttl: 'an hour' })).toMatchObject({
      state: 'FAILED', error: { code: 'INPUT_INVALID', property: 'ttl' },
    });
  });

  it('refuses a key Kestra would refuse, naming the key', async () => {
    expect(await run(SET, { key: '../etc', value: 1 })).toMatchObject({
      state: 'FAILED', error: { code: 'INPUT_INVALID', property: 'key', message: expect.stringContaining('invalid key-value key "../etc"') },
    });
  });

  it('Get gives null for a missing key, or fails when errorOnMissing is set', async () => {
    expect(await run(GET, { key: 'none' })).toMatchObject({ state: 'SUCCESS', outputs: { value: null } });
    expect(await run(GET, { key: 'none', errorOnMissing: true })).toMatchObject({
      state: 'FAILED', error: { code: 'NOT_FOUND', message: "key 'none' does not exist in namespace io.aloft.tests" },
    });
  });

  it('works on another namespace when given one, and refuses a malformed namespace', async () => {
    await run(SET, { key: 'k', value: 'other', namespace: 'company.shared' });
    expect(await run(GET, { key: 'k', namespace: 'company.shared' })).toMatchObject({ outputs: { value: 'other' } });
    expect(await run(GET, { key: 'k' })).toMatchObject({ outputs: { value: null } });
    expect(await run(GET, { key: 'k', namespace: '../x' })).toMatchObject({ state: 'FAILED', error: { code: 'FLOW_INVALID' } });
  });

  it('GetKeys lists the keys of the namespace, with a prefix', async () => {
    for (const key of ['b1', 'a', 'b2']) await run(SET, { key, value: key });
    expect(await run('io.kestra.plugin.core.kv.GetKeys', {})).toMatchObject({ outputs: { keys: ['a', 'b1', 'b2'] } });
    expect(await run('io.kestra.plugin.core.kv.GetKeys', { prefix: 'b' })).toMatchObject({ outputs: { keys: ['b1', 'b2'] } });
  });

  it('Delete removes a key and says so; a missing key fails only with errorOnMissing', async () => {
    await run(SET, { key: 'k', value: 1 });
    expect(await run('io.kestra.plugin.core.kv.Delete', { key: 'k' })).toMatchObject({ state: 'SUCCESS', outputs: { deleted: true } });
    expect(await run('io.kestra.plugin.core.kv.Delete', { key: 'k' })).toMatchObject({ state: 'SUCCESS', outputs: { deleted: false } });
    expect(await run('io.kestra.plugin.core.kv.Delete', { key: 'k', errorOnMissing: true })).toMatchObject({
      state: 'FAILED', error: { code: 'NOT_FOUND' },
    });
  });

  it('renders kv() in task properties from the store, in the execution\'s namespace by default', async () => {
    await run(SET, { key: 'greeting', value: 'hello' });
    await run(SET, { key: 'cfg', value: { n: 3 }, namespace: 'company' });
    const out = await run('io.kestra.plugin.core.output.OutputValues', {
      values: { text: "{{ kv('greeting') }} x{{ kv('cfg', 'company').n }}", none: "{{ kv('nothing', errorOnMissing=false) }}" },
    });
    expect(out).toMatchObject({ state: 'SUCCESS', outputs: { values: { text: 'hello x3', none: null } } });
  });

  it('fails a task whose kv() names a missing key, naming the key and the property', async () => {
    expect(await run('io.kestra.plugin.core.output.OutputValues', { values: { v: "{{ kv('nothing') }}" } })).toMatchObject({
      state: 'FAILED',
      error: { code: 'EXPRESSION', property: 'values.v', message: expect.stringContaining("key 'nothing' does not exist in the key-value store of namespace io.aloft.tests") },
    });
  });

  it('fails clearly when the runtime has no key-value store', async () => {
    const deps = { ...w.deps, kv: undefined };
    const out = await runAttempt(w.task(GET, { id: 't', key: 'k' }), deps, opts);
    expect(out).toMatchObject({ kind: 'result', result: { state: 'FAILED', error: { code: 'NOT_SUPPORTED', message: 'this runtime has no key-value store' } } });
  });
});
