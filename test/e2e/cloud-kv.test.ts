// The key-value store on the emulated cloud (Firestore KV adapter, Storage for large values): one
// execution sets keys, a later one reads them with Get, GetKeys and kv(), and ends with the same task
// outputs as the same two executions on the embedded runtime. Then the KV API of the `api` function
// sees them. Needs Java and the Google Cloud SDK emulators, as cloud-parity.test.ts does.
import { startEmulatedCloud, type EmulatedCloud } from '../../lib/dev/cloud';
import type { Execution } from '../../lib/model/execution';
import { LocalRuntime } from '../../lib/runtime/embedded/runtime';
import { createFlow, startExecution, waitForExecution } from '../helpers/emulated-cloud';
import { tempDir } from '../helpers/temp-dirs';

jest.setTimeout(300_000);

const NAMESPACE = 'io.aloft.kvparity';
// Over the Firestore adapter's 512 KiB inline bound: the value goes to Storage, its URI in the document.
const BIG_CHARS = 600_000;

const SETTER = `id: kv-set
namespace: ${NAMESPACE}
inputs:
  - id: region
    type: STRING
tasks:
  - id: settings
    type: io.kestra.plugin.core.kv.Set
    key: settings
    value:
      region: "{{ inputs.region }}"
      retries: 3
  - id: counter
    type: io.kestra.plugin.core.kv.Set
    key: counter
    value: "42"
    kvType: NUMBER
  - id: big
    type: io.kestra.plugin.core.kv.Set
    key: big
    value: "{{ range(1, ${BIG_CHARS / 5}) | join('') | slice(0, ${BIG_CHARS}) }}"
  - id: guarded
    type: io.kestra.plugin.core.kv.Set
    key: settings
    value: again
    overwrite: false
    allowFailure: true
`;

const GETTER = `id: kv-get
namespace: ${NAMESPACE}
tasks:
  - id: get
    type: io.kestra.plugin.core.kv.Get
    key: settings
  - id: missing
    type: io.kestra.plugin.core.kv.Get
    key: nope
  - id: keys
    type: io.kestra.plugin.core.kv.GetKeys
  - id: read
    type: io.kestra.plugin.core.debug.Return
    format: "{{ kv('settings').region }}-{{ kv('counter') + 1 }}-{{ kv('big') | length }}"
  - id: delete
    type: io.kestra.plugin.core.kv.Delete
    key: counter
  - id: after
    type: io.kestra.plugin.core.kv.GetKeys
`;

/** Task states and outputs by task id: what must match between the runtimes. */
function summary(e: Execution): Record<string, unknown> {
  return Object.fromEntries(e.taskRunList.map((r) => [r.taskId, { state: r.state.current, outputs: r.outputs ?? null, error: r.error?.code ?? null }]));
}

let cloud: EmulatedCloud | undefined;

beforeAll(async () => {
  cloud = await startEmulatedCloud({ logSink: () => undefined, pushPolicy: { minimumBackoff: '1s', maximumBackoff: '10s', maxDeliveryAttempts: 10 } });
});

afterAll(async () => {
  await cloud?.stop();
});

async function runEmbedded(): Promise<[Execution, Execution]> {
  const runtime = new LocalRuntime({ env: { ALOFT_DATA_DIR: tempDir('aloft-kv-parity-') } });
  try {
    const { flow: setter } = await runtime.deploy(SETTER, 'kv-set.yml');
    const { flow: getter } = await runtime.deploy(GETTER, 'kv-get.yml');
    const first = await runtime.waitForEnd((await runtime.startExecution({ flow: setter, inputs: { region: 'europe-west1' } })).id);
    const second = await runtime.waitForEnd((await runtime.startExecution({ flow: getter })).id);
    return [first, second];
  } finally {
    await runtime.stop();
  }
}

describe('the key-value store on the emulated cloud', () => {
  it('keeps what one execution sets for the next, large values included, as the embedded runtime does', async () => {
    const api = cloud!.apiUrl;
    await createFlow(api, SETTER);
    await createFlow(api, GETTER);
    const first = await waitForExecution(api, (await startExecution(api, NAMESPACE, 'kv-set', { region: 'europe-west1' })).id);
    const second = await waitForExecution(api, (await startExecution(api, NAMESPACE, 'kv-get')).id);

    expect(first.state.current).toBe('WARNING');
    expect(summary(first).guarded).toMatchObject({ state: 'WARNING', error: 'CONFLICT' });
    expect(second.state.current).toBe('SUCCESS');
    expect(summary(second)).toMatchObject({
      get: { outputs: { value: { region: 'europe-west1', retries: 3 } } },
      missing: { outputs: { value: null } },
      keys: { outputs: { keys: ['big', 'counter', 'settings'] } },
      read: { outputs: { value: `europe-west1-43-${BIG_CHARS}` } },
      after: { outputs: { keys: ['big', 'settings'] } },
    });

    const [localFirst, localSecond] = await runEmbedded();
    expect(summary(first)).toEqual(summary(localFirst));
    expect(summary(second)).toEqual(summary(localSecond));
  });

  it('serves the keys through the KV API of the api function', async () => {
    const api = cloud!.apiUrl;
    const res = await fetch(`${api}/api/v1/namespaces/${NAMESPACE}/kv/settings`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ type: 'JSON', value: { region: 'europe-west1', retries: 3 } });
    const big = await fetch(`${api}/api/v1/namespaces/${NAMESPACE}/kv/big`);
    expect(((await big.json()) as { value: string }).value).toHaveLength(BIG_CHARS);
  });
});
