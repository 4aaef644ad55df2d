// Kafka Produce and Consume on the emulated cloud (`aloft dev`: Firestore, Pub/Sub and Cloud Storage
// emulators, the functions over HTTP) against librdkafka's mock cluster (scripts/services/kafka.sh).
// The `worker-kafka` function runs in its own process, so the test can tell that the Kafka tasks ran
// there: their attempts' claims carry that process's worker id, and their log lines are in its log
// file only.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFirestore } from '../../lib/adapters/gcp/clients';
import { startEmulatedCloud, type EmulatedCloud } from '../../lib/dev/cloud';
import type { Execution, TaskRun } from '../../lib/model/execution';
import { createFlow, startExecution, waitForExecution } from '../helpers/emulated-cloud';
import { committedOffsets, describeWithKafka, KAFKA_BOOTSTRAP, uniqueTopic } from '../integration/kafka/service';

jest.setTimeout(300_000);

const NS = 'test.cloudkafka';
let cloud: EmulatedCloud;
/** Structured log lines of the functions served in this process (every function but worker-kafka). */
const inProcessLines: Record<string, unknown>[] = [];

/** The row file the first task writes: keys, JSON values, headers as a map and as a list, a partition. */
const RECORDS = [
  { key: 'a', value: { n: 1, name: 'ada', tags: ['x', 'y'] }, headers: { source: 'file', line: '1' } },
  { key: 'b', value: { n: 2, name: 'bob', nested: { ok: true, at: null } }, headers: [{ source: 'file' }, { trace: 't-2' }], partition: 2 },
  { key: 'c', value: { n: 3, amount: 12.5 }, partition: 2, timestamp: '2026-01-02T03:04:05.678Z' },
];

const produceFlow = (id: string, topic: string): string => `id: ${id}
namespace: ${NS}
tasks:
  - id: write
    type: io.kestra.core.tasks.storages.LocalFiles
    inputs:
      records.jsonl: |
${RECORDS.map((r) => `        ${JSON.stringify(r)}`).join('\n')}
    outputs:
      - records.jsonl
  - id: produce_file
    type: io.kestra.plugin.kafka.Produce
    properties:
      bootstrap.servers: "{{ envs.kafka_bootstrap }}"
    topic: ${topic}
    from: "{{ outputs.write.uris['records.jsonl'] }}"
    keySerializer: STRING
    valueSerializer: JSON
  - id: produce_map
    type: io.kestra.plugin.kafka.Produce
    properties:
      bootstrap.servers: "{{ envs.kafka_bootstrap }}"
    topic: ${topic}
    from:
      key: "{{ execution.id }}"
      value: {"n": 4, "flow": "{{ flow.id }}"}
      headers:
        source: map
      partition: 1
    keySerializer: STRING
    valueSerializer: JSON
  - id: consume
    type: io.kestra.plugin.kafka.Consume
    properties:
      bootstrap.servers: "{{ envs.kafka_bootstrap }}"
      auto.offset.reset: earliest
      max.poll.records: 500
    topic: ${topic}
    groupId: ${topic}-group
    valueDeserializer: JSON
    pollDuration: PT3S
`;

beforeAll(async () => {
  cloud = await startEmulatedCloud({
    isolate: ['worker-kafka'],
    logSink: (line) => { inProcessLines.push(line as unknown as Record<string, unknown>); },
    schedulerIntervalMs: 1000,
    env: { ENV_KAFKA_BOOTSTRAP: KAFKA_BOOTSTRAP ?? '' },
  });
});

afterAll(async () => {
  await cloud?.stop();
});

const run = (execution: Execution, taskId: string): TaskRun => {
  const found = execution.taskRunList.find((r) => r.taskId === taskId);
  if (!found) throw new Error(`execution ${execution.id} has no run of ${taskId}`);
  return found;
};

/** A file of the execution, read back through the api function (which reads Cloud Storage). */
async function executionFile(executionId: string, uri: string): Promise<string> {
  const res = await fetch(`${cloud.apiUrl}/api/v1/executions/${executionId}/file?path=${encodeURIComponent(uri)}`);
  if (!res.ok) throw new Error(`reading ${uri} answered ${res.status}: ${await res.text()}`);
  return res.text();
}

/** Whether the object is in the functions' bucket, read through the storage emulator's JSON API. */
async function inBucket(uri: string): Promise<boolean> {
  const host = cloud.env.STORAGE_EMULATOR_HOST.replace(/\/+$/, '');
  const base = host.includes('://') ? host : `http://${host}`;
  const prefix = cloud.env.ALOFT_STORAGE_PREFIX ? `${cloud.env.ALOFT_STORAGE_PREFIX.replace(/\/+$/, '')}/` : '';
  const res = await fetch(`${base}/storage/v1/b/${cloud.bucket}/o/${encodeURIComponent(prefix + uri.slice('kestra:///'.length))}`);
  return res.ok;
}

/** The worker-kafka process's log lines (its stdout, which the emulated cloud writes to a file). */
function workerKafkaLines(): Record<string, unknown>[] {
  return readFileSync(join(cloud.dir, 'function-worker-kafka.log'), 'utf8').split('\n').flatMap((l) => {
    try {
      return [JSON.parse(l) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

/** The worker ids in the attempt ledger's claims (the `attempts` collection) of a task run's first attempt. */
async function claimedBy(taskRun: TaskRun): Promise<unknown[]> {
  const firestore = createFirestore({ projectId: cloud.projectId, firestoreDatabase: '(default)', firestoreEmulatorHost: cloud.env.FIRESTORE_EMULATOR_HOST });
  try {
    const claims = await firestore.collection('attempts').where('taskRunId', '==', taskRun.id).where('attempt', '==', 0).get();
    return claims.docs.map((d) => d.get('workerId') as unknown);
  } finally {
    await firestore.terminate();
  }
}

interface ConsumedRow {
  key: string;
  value: unknown;
  topic: string;
  partition: number;
  offset: number;
  timestamp: string;
  headers: Record<string, string>[];
}

describeWithKafka('Kafka Produce and Consume on the emulated cloud, through worker-kafka', () => {
  it('produces a Cloud Storage row file and a map with keys and headers, consumes them back in a group, and commits its offsets', async () => {
    const topic = uniqueTopic('cloud-kafka');
    await createFlow(cloud.apiUrl, produceFlow('roundtrip', topic));
    const started = await startExecution(cloud.apiUrl, NS, 'roundtrip');
    const done = await waitForExecution(cloud.apiUrl, started.id);
    // Errors are part of the expectation so that a failure shows its reason.
    expect({ state: done.state.current, errors: done.taskRunList.map((r) => r.error).filter(Boolean) }).toEqual({ state: 'SUCCESS', errors: [] });

    // The row file the Produce read was written by the first task into Cloud Storage.
    const fileUri = (run(done, 'write').outputs as { uris: Record<string, string> }).uris['records.jsonl'];
    expect(fileUri).toMatch(new RegExp(`^kestra:///test/cloudkafka/roundtrip/executions/${done.id}/`));
    expect(await inBucket(fileUri)).toBe(true);
    expect(run(done, 'produce_file').outputs).toEqual({ messagesCount: 3 });
    expect(run(done, 'produce_map').outputs).toEqual({ messagesCount: 1 });

    const consumed = run(done, 'consume').outputs as { messagesCount: number; uri: string };
    expect(consumed).toEqual({ messagesCount: 4, uri: expect.stringMatching(new RegExp(`^kestra:///test/cloudkafka/roundtrip/executions/${done.id}/.*\\.jsonl$`)) });
    expect(await inBucket(consumed.uri)).toBe(true);
    const rows = (await executionFile(done.id, consumed.uri)).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as ConsumedRow);
    const byKey = new Map(rows.map((r) => [r.key, r]));
    expect([...byKey.keys()].sort()).toEqual([done.id, 'a', 'b', 'c'].sort());
    for (const r of rows) {
      expect(r).toEqual({
        key: expect.any(String), value: expect.anything(), topic, partition: expect.any(Number), offset: expect.any(Number),
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/), headers: expect.any(Array),
      });
    }
    expect(byKey.get('a')).toMatchObject({ value: RECORDS[0].value, headers: [{ source: 'file' }, { line: '1' }] });
    expect(byKey.get('b')).toMatchObject({ value: RECORDS[1].value, headers: [{ source: 'file' }, { trace: 't-2' }], partition: 2 });
    expect(byKey.get('c')).toMatchObject({ value: RECORDS[2].value, headers: [], partition: 2, timestamp: '2026-01-02T03:04:05.678Z' });
    expect(byKey.get(done.id)).toMatchObject({ value: { n: 4, flow: 'roundtrip' }, headers: [{ source: 'map' }], partition: 1 });
    // b and c share partition 2, in the file's order.
    expect(byKey.get('c')!.offset).toBeGreaterThan(byKey.get('b')!.offset);

    // The group committed, per partition, the offset after the last record it read.
    const expected = [0, 1, 2, 3].map((p) => {
      const offsets = rows.filter((r) => r.partition === p).map((r) => r.offset);
      return offsets.length > 0 ? Math.max(...offsets) + 1 : -1;
    });
    expect(await committedOffsets(`${topic}-group`, topic)).toEqual(expected);

    // The Kafka tasks ran in the worker-kafka process. Their claims name one worker, which is not the
    // worker of the functions served in this process (worker-core ran the LocalFiles task here)...
    const kafkaRuns = ['produce_file', 'produce_map', 'consume'].map((id) => run(done, id));
    const kafkaClaims = await Promise.all(kafkaRuns.map(claimedBy));
    const kafkaWorker = kafkaClaims[0][0];
    expect(kafkaWorker).toMatch(/^cloud-/);
    expect(kafkaClaims).toEqual([[kafkaWorker], [kafkaWorker], [kafkaWorker]]);
    const [coreWorker, ...more] = await claimedBy(run(done, 'write'));
    expect(more).toEqual([]);
    expect(coreWorker).toMatch(/^cloud-/);
    expect(coreWorker).not.toBe(kafkaWorker);
    // ...and Consume's warning about the Java-only property it ignores is in worker-kafka's log, not here.
    const ofConsume = (lines: Record<string, unknown>[]): string[] => lines
      .filter((l) => (l.labels as { taskRunId?: string } | undefined)?.taskRunId === run(done, 'consume').id).map((l) => String(l.message));
    expect(ofConsume(workerKafkaLines())).toEqual(['properties this Kafka client has no equivalent for, ignored: max.poll.records']);
    expect(ofConsume(inProcessLines)).toEqual([]);
  });

  it('an unreachable broker fails Produce with the address in its error, and the execution ends FAILED', async () => {
    const topic = uniqueTopic('cloud-kafka-down');
    await createFlow(cloud.apiUrl, `id: unreachable
namespace: ${NS}
tasks:
  - id: produce
    type: io.kestra.plugin.kafka.Produce
    properties:
      bootstrap.servers: 127.0.0.1:1
    topic: ${topic}
    from:
      key: k
      value: v
    keySerializer: STRING
    valueSerializer: STRING
  - id: after
    type: io.kestra.core.tasks.debugs.Return
    format: not reached
`);
    const started = await startExecution(cloud.apiUrl, NS, 'unreachable');
    const done = await waitForExecution(cloud.apiUrl, started.id);
    expect(done.state.current).toBe('FAILED');
    const produce = run(done, 'produce');
    expect(produce.state.current).toBe('FAILED');
    expect(produce.error).toMatchObject({ code: 'TASK_FAILED', property: 'properties', message: expect.stringMatching(/^cannot connect to Kafka at 127\.0\.0\.1:1: /) });
    expect(produce.attempts).toHaveLength(1);
    expect(done.taskRunList.find((r) => r.taskId === 'after')).toBeUndefined();
    // The task's error line came out of the worker-kafka process.
    const ofProduce = (lines: Record<string, unknown>[]): Record<string, unknown>[] => lines
      .filter((l) => (l.labels as { taskRunId?: string } | undefined)?.taskRunId === produce.id);
    expect(ofProduce(workerKafkaLines())).toEqual([expect.objectContaining({ severity: 'ERROR', message: produce.error!.message })]);
    expect(ofProduce(inProcessLines)).toEqual([]);
  });
});
