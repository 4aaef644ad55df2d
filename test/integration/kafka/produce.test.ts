// io.kestra.plugin.kafka.Produce against librdkafka's mock cluster (scripts/services/kafka.sh), read back with kcat.
import { fakeTaskContext } from '../../../lib/worker/testing';
import { describeWithKafka, kcatRead, uniqueTopic } from './service';
import { runTask } from './tasks';

jest.setTimeout(90_000);

let world: Awaited<ReturnType<typeof fakeTaskContext>>;
beforeEach(async () => { world = await fakeTaskContext({ taskId: 'produce' }); });
afterEach(async () => { await world.cleanup(); });

describeWithKafka('Produce on the Kafka mock cluster', () => {
  it('sends a row file as JSON values with string keys, headers, timestamps, partitions and per-record topics', async () => {
    const topic = uniqueTopic('produce-json');
    const other = uniqueTopic('produce-other');
    const { uri } = await world.ctx.storage.writeRows('in.jsonl', [
      { key: 'k1', value: { id: 1, name: 'Zoë', tags: ['a', 'b'], nested: { ok: true } }, headers: { source: 'aloft', trace: 't-1' }, timestamp: '2024-01-02T03:04:05.123Z' },
      { key: 'k2', value: { id: 2, name: null }, headers: [{ source: 'consume' }], timestamp: 1704164645000, partition: 1 },
      { key: 'k3', value: 'plain', topic: other },
    ]);
    const out = await runTask(world.ctx, 'Produce', { topic, from: uri, keySerializer: 'STRING', valueSerializer: 'JSON' });
    expect(out).toEqual({ messagesCount: 3 });

    const messages = (await kcatRead(topic)).sort((a, b) => String(a.key).localeCompare(String(b.key)));
    expect(messages.map((m) => ({ key: m.key, value: JSON.parse(m.payload!), headers: m.headers, ts: m.ts }))).toEqual([
      { key: 'k1', value: { id: 1, name: 'Zoë', tags: ['a', 'b'], nested: { ok: true } }, headers: ['source', 'aloft', 'trace', 't-1'], ts: Date.parse('2024-01-02T03:04:05.123Z') },
      { key: 'k2', value: { id: 2, name: null }, headers: ['source', 'consume'], ts: 1704164645000 },
    ]);
    expect(messages[1].partition).toBe(1);
    expect((await kcatRead(other)).map((m) => [m.key, m.payload])).toEqual([['k3', '"plain"']]);
  });

  it('sends one map, or a list of maps', async () => {
    const topic = uniqueTopic('produce-map');
    expect(await runTask(world.ctx, 'Produce', { topic, from: { key: 'a', value: 'one' }, keySerializer: 'STRING', valueSerializer: 'STRING' }))
      .toEqual({ messagesCount: 1 });
    expect(await runTask(world.ctx, 'Produce', { topic, from: [{ key: 'b', value: 'two' }, { value: 'three' }], keySerializer: 'STRING', valueSerializer: 'STRING' }))
      .toEqual({ messagesCount: 2 });
    const got = (await kcatRead(topic)).map((m) => [m.key, m.payload]).sort((a, b) => String(a[1]).localeCompare(String(b[1])));
    expect(got).toEqual([['a', 'one'], [null, 'three'], ['b', 'two']]);
  });

  it('fails when a record is refused while the last records are flushed, though only failed deliveries are reported', async () => {
    // A new topic's partitions are not known yet when the record is handed over: it is refused only
    // once the metadata comes, during the flush, and its report reaches JavaScript after the flush's
    // callback. Several rounds, since without waiting for that report it was missed in most, not all.
    for (let round = 0; round < 5; round++) {
      await expect(runTask(world.ctx, 'Produce', { topic: uniqueTopic('produce-refused'), from: { value: 'x', partition: 99 }, keySerializer: 'STRING', valueSerializer: 'STRING', transactional: false }))
        .rejects.toMatchObject({ code: 'TASK_FAILED', message: expect.stringMatching(/did not accept the records: .*Unknown partition/) });
    }
  });

  it('fails in a transaction (the default) when a record is refused: the commit does not succeed', async () => {
    for (let round = 0; round < 3; round++) {
      await expect(runTask(world.ctx, 'Produce', { topic: uniqueTopic('produce-refused-tx'), from: { value: 'x', partition: 99 }, keySerializer: 'STRING', valueSerializer: 'STRING' }))
        .rejects.toMatchObject({ code: 'TASK_FAILED', message: expect.stringMatching(/Unknown partition|did not commit the transaction/) });
    }
  });

  it('names where a bad record is: its line of the file, its place in the list, or from', async () => {
    const topic = uniqueTopic('produce-where');
    const base = { topic, keySerializer: 'STRING', valueSerializer: 'STRING', transactional: false };
    const { uri } = await world.ctx.storage.writeRows('bad.jsonl', [{ value: 'a' }, { value: 'b', timestamp: 'yesterday' }]);
    await expect(runTask(world.ctx, 'Produce', { ...base, from: uri }))
      .rejects.toMatchObject({ code: 'TASK_FAILED', message: `line 2 of ${uri}: timestamp "yesterday" is neither epoch milliseconds nor an ISO 8601 date-time` });
    await expect(runTask(world.ctx, 'Produce', { ...base, from: [{ value: 'a' }, { value: 'b', partition: 'x' }] }))
      .rejects.toMatchObject({ code: 'TASK_FAILED', message: 'record 2 of from: partition "x" is not a partition number' });
    await expect(runTask(world.ctx, 'Produce', { ...base, from: { value: 'a', headers: 5 } }))
      .rejects.toMatchObject({ code: 'TASK_FAILED', message: 'from: headers must be a map or a list of maps' });
  });

  it('refuses acks other than all in a transaction before connecting, naming transactional', async () => {
    await expect(runTask(world.ctx, 'Produce', { properties: { 'bootstrap.servers': '127.0.0.1:1', acks: '1' }, topic: 't', from: { value: 'x' }, keySerializer: 'STRING', valueSerializer: 'STRING' }))
      .rejects.toMatchObject({ code: 'TASK_FAILED', location: { property: 'transactional' }, message: expect.stringContaining('acks 1 cannot be used in a transaction') });
  });
});
