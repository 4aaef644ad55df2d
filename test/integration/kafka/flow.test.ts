// Produce and Consume in a flow on the embedded runtime (properties rendered and validated by the
// worker, files in its storage), against librdkafka's mock cluster.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { outputOf, runFlowFile, runsOf } from '../../helpers/local-run';
import { describeWithKafka, KAFKA_BOOTSTRAP, kcatRead, uniqueTopic } from './service';

jest.setTimeout(120_000);

const FLOW = `
id: kafka-roundtrip
namespace: io.aloft.tests
tasks:
  - id: produce
    type: io.kestra.plugin.kafka.Produce
    properties:
      bootstrap.servers: "{{ envs.kafka_bootstrap }}"
    topic: "{{ envs.kafka_topic }}"
    from:
      - key: "{{ execution.id }}"
        value: {"n": 1, "flow": "{{ flow.id }}"}
        headers:
          source: aloft
      - key: second
        value: {"n": 2}
    keySerializer: STRING
    valueSerializer: JSON
  - id: consume
    type: io.kestra.plugin.kafka.Consume
    properties:
      bootstrap.servers: "{{ envs.kafka_bootstrap }}"
      auto.offset.reset: earliest
    topic: "{{ envs.kafka_topic }}"
    groupId: "{{ envs.kafka_topic }}-group"
    valueDeserializer: JSON
    pollDuration: PT3S
  - id: count
    type: io.kestra.core.tasks.debugs.Return
    format: "{{ outputs.produce.messagesCount }} sent, {{ outputs.consume.messagesCount }} read"
`;

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'aloft-kafka-flow-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

describeWithKafka('Kafka tasks in a flow on the embedded runtime', () => {
  it('produces rendered records with keys and headers, reads them back with kcat, and consumes them in the next task', async () => {
    const topic = uniqueTopic('flow');
    const file = join(dir, 'kafka-roundtrip.yml');
    writeFileSync(file, FLOW);
    const { execution } = await runFlowFile(file, { runtime: { env: { ALOFT_DATA_DIR: dir, ENV_KAFKA_BOOTSTRAP: KAFKA_BOOTSTRAP, ENV_KAFKA_TOPIC: topic } } });
    expect([execution.state.current, runsOf(execution, 'consume')[0]?.error]).toEqual(['SUCCESS', undefined]);
    expect(outputOf(execution, 'count')).toEqual({ value: '2 sent, 2 read' });
    expect(outputOf(execution, 'consume')).toMatchObject({ messagesCount: 2, uri: expect.stringMatching(/^kestra:\/\/\/io\/aloft\/tests\/kafka-roundtrip\/executions\/.*\/consume\.jsonl$/) });
    const read = (await kcatRead(topic)).map((m) => [m.key, JSON.parse(m.payload!), m.headers ?? []]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(read).toEqual([
      [execution.id, { n: 1, flow: 'kafka-roundtrip' }, ['source', 'aloft']],
      ['second', { n: 2 }, []],
    ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))));
  });
});
