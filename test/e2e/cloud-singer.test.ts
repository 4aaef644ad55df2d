// Singer on the emulated cloud (functions served by functions-framework on the Firestore, Pub/Sub and
// Cloud Storage emulators), runner PROCESS: the fixture tap (test/fixtures/singer) feeds the catalogue's
// Json target, both pip-installed from local wheels into virtualenvs the worker function's instance
// caches, and a second execution resumes from the state the first one kept in the flow's state store
// (the bucket).
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulatedCloud, type EmulatedCloud } from '../../lib/dev/cloud';
import { createFlow, startExecution, waitForExecution } from '../helpers/emulated-cloud';
import { tempDir } from '../helpers/temp-dirs';

// Each task makes a virtualenv and runs pip inside the worker: seconds each, more on a loaded machine.
jest.setTimeout(900_000);

const FIXTURES = join(__dirname, '../fixtures/singer');

const flow = (wheels: { tap: string; target: string }): string => `
id: singer-cloud
namespace: aloft.singer
inputs:
  - id: records
    type: STRING
tasks:
  - id: tap
    type: io.kestra.plugin.singer.taps.GenericTap
    pipPackages: ["${wheels.tap}"]
    command: tap-fixture
    features: [PROPERTIES, DISCOVER, STATE]
    configs:
      repository: aloft/aloft
    env:
      TAP_FIXTURE_RECORDS: "{{ inputs.records }}"
    streamsConfigurations:
      - selected: true
      - stream: projects
        selected: false
      - stream: project_cards
        selected: false
      - stream: project_columns
        selected: false
  - id: load
    type: io.kestra.plugin.singer.targets.Json
    pipPackages: ["${wheels.target}"]
    command: target-fixture
    from: "{{ outputs.tap.raw }}"
    stateName: singer-state
`;

describe('Singer on the emulated cloud (runner PROCESS in the worker function, fixture tap into the Json target)', () => {
  let cloud: EmulatedCloud;

  beforeAll(async () => {
    const root = tempDir('aloft-singer-cloud-');
    const [tap, target] = execFileSync('python3', [join(FIXTURES, 'build_wheels.py'), root], { encoding: 'utf8' }).trim().split('\n');
    cloud = await startEmulatedCloud({ logSink: () => undefined, env: { ALOFT_SINGER_JSON_LOGGER: '', PIP_NO_INDEX: '1' } });
    await createFlow(cloud.apiUrl, flow({ tap, target }));
  });

  afterAll(async () => {
    await cloud?.stop();
  });

  it('loads the tap\'s raw output into the target\'s files, then resumes from the kept state', async () => {
    const first = await waitForExecution(cloud.apiUrl, (await startExecution(cloud.apiUrl, 'aloft.singer', 'singer-cloud', { records: '3' })).id, 600_000);
    expect(first.state.current).toBe('SUCCESS');
    const out = (id: string, e: typeof first) => e.taskRunList.find((t) => t.taskId === id)?.outputs;
    // 2 selected streams: SCHEMA, ACTIVATE_VERSION, 3 RECORDs and a STATE each.
    expect(out('tap', first)).toMatchObject({ count: { RAW: 12 } });
    expect(out('load', first)).toMatchObject({
      state: expect.stringMatching(/state\.json$/),
      uris: { commits: expect.stringMatching(/^kestra:\/\/\//), issues: expect.stringMatching(/^kestra:\/\/\//) },
    });

    const second = await waitForExecution(cloud.apiUrl, (await startExecution(cloud.apiUrl, 'aloft.singer', 'singer-cloud', { records: '5' })).id, 600_000);
    expect(second.state.current).toBe('SUCCESS');
    // From the first run's bookmarks: records 4 and 5 of each stream only.
    expect(out('tap', second)).toMatchObject({ count: { RAW: 10 } });
    // The instance's virtualenv cache (under ALOFT_TEMP_DIR) holds one per package set, built once.
    const cached = readdirSync(join(cloud.env.ALOFT_TEMP_DIR, 'cache/virtualenvs')).filter((n) => /^[0-9a-f]{32}$/.test(n));
    expect(cached).toHaveLength(2);
  });
});
