// Singer taps and targets on the embedded runtime, with runner PROCESS: the fixture tap and target
// (test/fixtures/singer, real Python packages) built as wheels and pip-installed into a real
// virtualenv per package set, cached in the runtime's data directory (Kestra makes one per task). No
// index is asked (PIP_NO_INDEX), and python-json-logger, which only an index could serve, is left out
// through ALOFT_SINGER_JSON_LOGGER=''.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Execution } from '../../lib/model/execution';
import { LocalRuntime } from '../../lib/runtime/embedded/runtime';
import { outputOf, runsOf } from '../helpers/local-run';

// Each task makes a virtualenv and runs pip: seconds each, more on a loaded machine.
jest.setTimeout(900_000);

const FIXTURES = join(__dirname, '../fixtures/singer');
let root: string;
let wheels: { tap: string; target: string };

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'aloft-singer-'));
  const [tap, target] = execFileSync('python3', [join(FIXTURES, 'build_wheels.py'), root], { encoding: 'utf8' }).trim().split('\n');
  wheels = { tap, target };
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** One runtime (one data dir, so one state store) for several executions of the flows given. */
type Exec = (source: string, inputs?: Record<string, unknown>) => Promise<{ execution: Execution; read: (uri: unknown) => Promise<string>; logs: () => Promise<string[]> }>;

async function withRuntime<T>(run: (exec: Exec, dataDir: string) => Promise<T>, env: Record<string, string | undefined> = {}): Promise<T> {
  const dataDir = mkdtempSync(join(root, 'data-'));
  const runtime = new LocalRuntime({ env: { ALOFT_DATA_DIR: dataDir, ALOFT_SINGER_JSON_LOGGER: '', PIP_NO_INDEX: '1', PATH: process.env.PATH, ...env } });
  try {
    return await run(async (source, inputs) => {
      const { flow } = await runtime.deploy(source);
      const started = await runtime.startExecution({ flow, inputs });
      const execution = await runtime.waitForEnd(started.id);
      const read = async (uri: unknown): Promise<string> => {
        const chunks: Buffer[] = [];
        for await (const c of await runtime.blobs.get(String(uri))) chunks.push(c as Buffer);
        return Buffer.concat(chunks).toString('utf8');
      };
      const logs = async (): Promise<string[]> => (await runtime.logs.list(execution.id)).map((l) => `${l.taskId}: ${l.message}`);
      return { execution, read, logs };
    }, dataDir);
  } finally {
    await runtime.stop();
  }
}

/** The published virtualenvs of the runtime's cache (their links, named by key). */
const cachedVirtualenvs = (dataDir: string): string[] => {
  try {
    return readdirSync(join(dataDir, 'cache/virtualenvs')).filter((n) => /^[0-9a-f]{32}$/.test(n));
  } catch {
    return [];
  }
};
const ids = (file: string): number[] => readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: number }).id);
const errorOf = (e: Execution, taskId: string): string | undefined => runsOf(e, taskId)[0]?.error?.message;

function tapToTwoTargets(out: string): string {
  return `
id: tap-two-targets
namespace: aloft.singer
inputs:
  - id: records
    type: STRING
  - id: reject
    type: STRING
    defaults: "none"
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
  - id: lake
    type: io.kestra.plugin.singer.targets.GenericTarget
    pipPackages: ["${wheels.target}"]
    command: target-fixture
    from: "{{ outputs.tap.raw }}"
    # The warehouse owns the bookmark the tap reads; the lake keeps its own.
    stateName: lake-state
    configs:
      destination_path: ${out}/lake
  - id: warehouse
    type: io.kestra.plugin.singer.targets.GenericTarget
    pipPackages: ["${wheels.target}"]
    command: target-fixture
    from: "{{ outputs.tap.raw }}"
    env:
      TARGET_FIXTURE_REJECT_ID: "{{ inputs.reject }}"
    configs:
      destination_path: ${out}/warehouse
`;
}

describe('Singer on the embedded runtime (runner PROCESS, fixture tap and target pip-installed from wheels)', () => {
  it('feeds two targets from one raw output, resumes from the saved state, and saves none from a failed run', async () => {
    const out = mkdtempSync(join(root, 'out-'));
    await withRuntime(async (exec, dataDir) => {
      const first = await exec(tapToTwoTargets(out), { records: '3' });
      expect(first.execution.state.current).toBe('SUCCESS');
      // 2 selected streams: SCHEMA, ACTIVATE_VERSION, 3 RECORDs and a STATE each.
      expect(outputOf(first.execution, 'tap')).toMatchObject({ count: { RAW: 12 }, raw: expect.stringMatching(/^kestra:\/\/\/aloft\/singer\/tap-two-targets\/executions\//) });
      for (const target of ['lake', 'warehouse']) {
        expect(ids(join(out, target, 'commits.jsonl'))).toEqual([1, 2, 3]);
        expect(ids(join(out, target, 'issues.jsonl'))).toEqual([1, 2, 3]);
        expect(outputOf(first.execution, target)).toEqual({ state: expect.stringMatching(/state\.json$/) });
      }
      expect(readdirSync(join(out, 'lake')).sort()).toEqual(['commits.jsonl', 'config-target.json', 'issues.jsonl']);

      // The warehouse rejects record 4: the run fails, and the state stays the first run's.
      const failed = await exec(tapToTwoTargets(out), { records: '5', reject: '4' });
      expect(failed.execution.state.current).toBe('FAILED');
      expect(errorOf(failed.execution, 'warehouse')).toBe(
        'target-fixture failed with exit code 2; last lines of stderr:\ntarget-fixture: record 4 of stream commits does not match its schema',
      );

      // The third run starts from the first run's bookmarks: only records 4 and 5.
      const third = await exec(tapToTwoTargets(out), { records: '5' });
      expect(third.execution.state.current).toBe('SUCCESS');
      expect(outputOf(third.execution, 'tap')).toMatchObject({ count: { RAW: 10 } });
      expect(ids(join(out, 'warehouse', 'commits.jsonl'))).toEqual([1, 2, 3, 4, 5]);
      // The lake took 4 and 5 in the failed run too (it ran before the warehouse failed), then again.
      expect(ids(join(out, 'lake', 'commits.jsonl'))).toEqual([1, 2, 3, 4, 5, 4, 5]);
      // Nine task runs over three executions, two package sets: two virtualenvs, built once each.
      expect(cachedVirtualenvs(dataDir)).toHaveLength(2);
      const reused = (await third.logs()).filter((l) => /(Reusing cached|Built) virtualenv/.test(l)).map((l) => l.replace(/ [0-9a-f]{32}/, ''));
      expect(reused.sort()).toEqual(['lake: Reusing cached virtualenv', 'tap: Reusing cached virtualenv', 'warehouse: Reusing cached virtualenv']);
    });
  });

  it('with raw: false gives each stream\'s rows, its schema, the state and the count by message type', async () => {
    await withRuntime(async (exec) => {
      const { execution, read } = await exec(`
id: tap-streams
namespace: aloft.singer
tasks:
  - id: tap
    type: io.kestra.plugin.singer.taps.GenericTap
    pipPackages: ["${wheels.tap}"]
    command: tap-fixture
    features: [CATALOG, DISCOVER, STATE]
    raw: false
    configs: { record_count: 2, repository: a/b }
    streamsConfigurations:
      - stream: commits
        selected: true
`);
      expect(execution.state.current).toBe('SUCCESS');
      expect(outputOf(execution, 'tap')).toMatchObject({ count: { SCHEMA: 1, ACTIVATE_VERSION: 1, RECORD: 2, STATE: 1 } });
      const outputs = outputOf(execution, 'tap') as { streams: Record<string, string>; schemas: Record<string, string>; state: string };
      expect(Object.keys(outputs.streams)).toEqual(['commits']);
      const [rows, schema, state] = [await read(outputs.streams.commits), await read(outputs.schemas.commits), await read(outputs.state)];
      expect(rows.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
        { id: 1, stream: 'commits', repository: 'a/b' }, { id: 2, stream: 'commits', repository: 'a/b' },
      ]);
      expect(JSON.parse(schema)).toMatchObject({ properties: { id: { type: 'integer' } } });
      expect(JSON.parse(state)).toEqual({ bookmarks: { commits: { id: 2 } } });
    });
  });

  it('runs the seed\'s GitHub -> BigQuery flow with runner PROCESS and the fixtures standing in through command', async () => {
    const out = mkdtempSync(join(root, 'bq-'));
    const seed = readFileSync(join(__dirname, '../fixtures/seed/singer-github-bigquery.yml'), 'utf8');
    const docker = /runner: DOCKER\n {4}dockerOptions:\n {6}image: python:3\.8\n?/;
    const source = `${seed
      .replace(docker, `runner: PROCESS\n    pipPackages: ["${wheels.tap}"]\n    command: tap-fixture\n`)
      .replace(docker, `runner: PROCESS\n    pipPackages: ["${wheels.target}"]\n    command: target-fixture\n    env:\n      TARGET_FIXTURE_DIR: ${out}\n`)}
variables:
  github:
    token: gh-token
  serviceAccount: my-project
  projectId: '{"type": "service_account"}'
`;
    await withRuntime(async (exec) => {
      const { execution } = await exec(source);
      expect(execution.state.current).toBe('SUCCESS');
      // The GitHub mapping reached the tap: its records carry config.repository.
      expect(readFileSync(join(out, 'commits.jsonl'), 'utf8').split('\n')[0]).toBe('{"id": 1, "stream": "commits", "repository": "kestra-io/kestra"}');
      expect(readdirSync(out).sort()).toEqual(['commits.jsonl', 'config-target.json', 'issues.jsonl']);
      expect(JSON.parse(readFileSync(join(out, 'config-target.json'), 'utf8'))).toEqual({
        project_id: 'my-project', dataset_id: 'github', validate_records: false, add_metadata_columns: true,
        replication_method: 'append', max_cache: 50, location: 'EU',
      });
    });
  });

  describe('bad input', () => {
    const tap = (extra: string, streams = '      - selected: true'): string => `
id: tap-bad
namespace: aloft.singer
tasks:
  - id: tap
    type: io.kestra.plugin.singer.taps.GenericTap
    command: tap-fixture
    features: [PROPERTIES, DISCOVER, STATE]
    configs: { record_count: 1 }
${extra}
    streamsConfigurations:
${streams}
`;

    it('the seed flow as written (runner DOCKER) fails in one line when no Docker engine answers', async () => {
      await withRuntime(async (exec) => {
        const seed = readFileSync(join(__dirname, '../fixtures/seed/singer-github-bigquery.yml'), 'utf8');
        const { execution } = await exec(`${seed}\nvariables:\n  github:\n    token: t\n  serviceAccount: p\n  projectId: '{}'\n`);
        expect(execution.state.current).toBe('FAILED');
        expect(errorOf(execution, 'github')).toMatch(/^no Docker engine answers for the Docker task runner \([^\n]+\); run the script on the worker with [^\n]+$/);
      });
    });

    it('runner PROCESS on a worker without python3 says so and names DOCKER', async () => {
      await withRuntime(async (exec) => {
        const { execution } = await exec(tap(`    pipPackages: ["${wheels.tap}"]`));
        expect(execution.state.current).toBe('FAILED');
        expect(errorOf(execution, 'tap')).toBe(
          'runner PROCESS needs python3 on the worker, and there is none; run the task with runner: DOCKER (dockerOptions.image: python:3.8) or a Docker taskRunner',
        );
      }, { PATH: '/nonexistent' });
    });

    it('a tap that exits 1 fails the task with its stderr tail', async () => {
      await withRuntime(async (exec) => {
        const { execution } = await exec(tap(`    pipPackages: ["${wheels.tap}"]\n    env: { TAP_FIXTURE_FAIL: "1" }`));
        expect(execution.state.current).toBe('FAILED');
        expect(errorOf(execution, 'tap')).toBe('tap-fixture failed with exit code 1; last lines of stderr:\ntap-fixture: the API answered 401 Unauthorized');
      });
    });

    it('a malformed line fails the task with its number and text', async () => {
      await withRuntime(async (exec) => {
        const { execution } = await exec(tap(`    pipPackages: ["${wheels.tap}"]\n    env: { TAP_FIXTURE_MALFORMED: "1" }`));
        expect(execution.state.current).toBe('FAILED');
        expect(errorOf(execution, 'tap')).toBe('tap-fixture printed a malformed Singer message: line 1 is not JSON: this is not a singer message');
      });
    });

    it('an unknown stream in streamsConfigurations names it and the streams the tap has', async () => {
      await withRuntime(async (exec) => {
        const { execution } = await exec(tap(`    pipPackages: ["${wheels.tap}"]`, '      - stream: comits\n        selected: true'));
        expect(execution.state.current).toBe('FAILED');
        expect(errorOf(execution, 'tap')).toBe(
          "streamsConfigurations[0] names the stream 'comits', which the tap does not have; its streams are: commits, issues, projects, project_cards, project_columns",
        );
      });
    });

    it('a pip package that cannot be installed gives pip\'s reason', async () => {
      await withRuntime(async (exec, dataDir) => {
        const { execution } = await exec(tap('    pipPackages: ["tap-does-not-exist-anywhere"]'));
        expect(execution.state.current).toBe('FAILED');
        // A failed install leaves nothing in the cache: neither a published virtualenv nor its folder.
        expect(cachedVirtualenvs(dataDir)).toEqual([]);
        expect(existsSync(join(dataDir, 'cache/virtualenvs')) ? readdirSync(join(dataDir, 'cache/virtualenvs')) : []).toEqual([]);
        expect(errorOf(execution, 'tap')).toBe(
          'pip could not install tap-does-not-exist-anywhere: ERROR: Could not find a version that satisfies the requirement tap-does-not-exist-anywhere (from versions: none) ERROR: No matching distribution found for tap-does-not-exist-anywhere',
        );
      });
    });
  });
});
