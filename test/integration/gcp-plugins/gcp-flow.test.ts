// A flow chaining the GCP plugins on the embedded runtime: BigQuery Query (store) on the fake BigQuery
// (wire protocol) -> GCS Upload and Download on the storage emulator -> Pub/Sub Publish of the stored
// rows on the Pub/Sub emulator. Outputs are checked at each step.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message as Received, PubSub } from '@google-cloud/pubsub';
import { LocalRuntime } from '../../../lib/runtime/embedded/runtime';
import { outputOf } from '../../helpers/local-run';
import { startFakeBigQuery, type FakeBigQuery } from '../../helpers/fake-bigquery';
import { emulatorHost, pubsubFor, uniquePrefix, uniqueProject } from '../adapters-gcp/emulators';

jest.setTimeout(60_000);

const projectId = uniqueProject('gcpflow');
const topic = uniquePrefix('events');
const dir = `gs://aloft-gcp-flow/${uniquePrefix('run')}`;

const FLOW = `
id: gcp-chain
namespace: io.aloft.tests
tasks:
  - id: query
    type: io.kestra.plugin.gcp.bigquery.Query
    projectId: ${projectId}
    sql: SELECT data, orderingKey FROM events
    store: true
  - id: upload
    type: io.kestra.plugin.gcp.gcs.Upload
    projectId: ${projectId}
    from: "{{ outputs.query.uri }}"
    to: ${dir}/events.jsonl
  - id: download
    type: io.kestra.plugin.gcp.gcs.Download
    projectId: ${projectId}
    from: "{{ outputs.upload.uri }}"
  - id: publish
    type: io.kestra.plugin.gcp.pubsub.Publish
    projectId: ${projectId}
    topic: ${topic}
    from: "{{ outputs.download.uri }}"
`;

let fake: FakeBigQuery;
let pubsub: PubSub;
let dataDir: string;

beforeAll(async () => {
  pubsub = pubsubFor(projectId);
  fake = await startFakeBigQuery();
  dataDir = mkdtempSync(join(tmpdir(), 'aloft-gcp-flow-'));
});

afterAll(async () => {
  await fake.close();
  await pubsub.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a flow of BigQuery, Cloud Storage and Pub/Sub tasks on the embedded runtime', () => {
  it('stores a query\'s rows, uploads and downloads them through GCS, and publishes them as messages', async () => {
    const events = Array.from({ length: 20 }, (_, i) => ({ data: `event-${i}`, orderingKey: 'k' }));
    fake.queries.set('SELECT data, orderingKey FROM events', { fields: [{ name: 'data', type: 'STRING' }, { name: 'orderingKey', type: 'STRING' }], rows: events });
    const [created] = await pubsub.createTopic(topic);
    const [sub] = await created.createSubscription(`${topic}-sub`, { enableMessageOrdering: true });
    const received = new Promise<string[]>((resolve) => {
      const got: string[] = [];
      sub.on('message', (m: Received) => {
        m.ack();
        got.push(m.data.toString());
        if (got.length === events.length) void sub.close().then(() => resolve(got));
      });
    });
    const runtime = new LocalRuntime({
      env: {
        ALOFT_DATA_DIR: dataDir, BIGQUERY_EMULATOR_HOST: fake.endpoint,
        STORAGE_EMULATOR_HOST: emulatorHost('STORAGE_EMULATOR_HOST'), PUBSUB_EMULATOR_HOST: emulatorHost('PUBSUB_EMULATOR_HOST'),
      },
    });
    try {
      const { flow } = await runtime.deploy(FLOW, 'gcp-chain.yml');
      const execution = await runtime.waitForEnd((await runtime.startExecution({ flow })).id);
      expect(execution.state.current).toBe('SUCCESS');
      expect(outputOf(execution, 'query')).toMatchObject({ size: 20, uri: expect.stringMatching(/result\.jsonl$/) });
      expect(outputOf(execution, 'upload')).toEqual({ uri: `${dir}/events.jsonl` });
      expect(outputOf(execution, 'download')).toMatchObject({ bucket: 'aloft-gcp-flow', uri: expect.stringMatching(/\/download\/.+\/events\.jsonl$/) });
      expect(outputOf(execution, 'publish')).toEqual({ messagesCount: 20 });
      expect(await received).toEqual(events.map((e) => e.data));
    } finally {
      await runtime.stop();
    }
  });
});
