// `aloft flow dependencies` and `aloft flow delete` against a real `aloft server`, driven in-process
// through the commander definitions main.ts registers.
import { Command } from 'commander';
import type { CliIO } from '../../lib/cli/io';
import { registerServerCommands } from '../../lib/cli/server';
import { flowYaml, startServer, type Harness } from './server-harness';

const NS = 'io.aloft.depcli';
const callYaml = (id: string, target: string): string => `id: ${id}\nnamespace: ${NS}\ntasks:\n  - id: call\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: ${NS}\n    flowId: ${target}\n`;
const listenerYaml = flowYaml(NS, 'listener', `triggers:\n  - id: after\n    type: io.kestra.plugin.core.trigger.Flow\n    conditions:\n      - type: io.kestra.plugin.core.condition.ExecutionFlowCondition\n        namespace: ${NS}\n        flowId: child\n`);

async function cli(args: string[], isTTY = false): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  let code = 0;
  const io: CliIO = { env: {}, isTTY, stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, onInterrupt: () => () => undefined };
  const program = new Command('aloft').exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  registerServerCommands(program, io, (c) => { code = c; });
  await program.parseAsync(args, { from: 'user' });
  return { code, out, err };
}

describe('aloft flow dependencies and flow delete', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startServer();
    for (const yaml of [flowYaml(NS, 'child'), callYaml('parent', 'child'), callYaml('grandparent', 'parent'), listenerYaml]) {
      expect((await h.call('POST', '/api/v1/flows', { yaml })).status).toBe(200);
    }
  });
  afterAll(async () => { await h.stop(); });

  const server = () => ['--server', h.url];

  it('prints the graph as a tree on a terminal, following it with --recursive', async () => {
    const direct = await cli(['flow', 'dependencies', NS, 'child', ...server()], true);
    expect(direct.code).toBe(0);
    expect(direct.out).toBe([
      `${NS}.child`,
      '├─ depends on',
      `│  └─ ${NS}.parent (FLOW_TASK)`,
      '└─ used by',
      `   └─ ${NS}.listener (FLOW_TRIGGER)`,
      '',
    ].join('\n'));
    const recursive = await cli(['flow', 'dependencies', NS, 'child', '--recursive', ...server()], true);
    expect(recursive.out).toContain(`│  └─ ${NS}.parent (FLOW_TASK)\n│     └─ ${NS}.grandparent (FLOW_TASK)\n`);
  });

  it('prints one edge a line when piped, and the graph as JSON with --json', async () => {
    const piped = await cli(['flow', 'dependencies', NS, 'child', ...server()]);
    expect(piped.out.split('\n').filter(Boolean).sort()).toEqual([`${NS}.child -> ${NS}.listener FLOW_TRIGGER`, `${NS}.parent -> ${NS}.child FLOW_TASK`]);
    const json = JSON.parse((await cli(['flow', 'dependencies', NS, 'parent', '--json', ...server()])).out);
    expect(json.nodes.map((n: { uid: string }) => n.uid).sort()).toEqual([`${NS}.child`, `${NS}.grandparent`, `${NS}.parent`]);
  });

  it('names a flow that does not exist and exits 2', async () => {
    const r = await cli(['flow', 'dependencies', NS, 'nope', ...server()]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`flow ${NS}.nope not found`);
  });

  it('refuses to delete a flow others depend on without --force, printing Kestra\'s warning and the flows', async () => {
    const refused = await cli(['flow', 'delete', NS, 'child', ...server()]);
    expect(refused.code).toBe(2);
    expect(refused.err).toBe(`This flow has dependencies. Deleting it will prevent their dependencies to be executed.\n  - ${NS}.listener\n  - ${NS}.parent\nnot deleted: run again with --force to delete it anyway\n`);
    expect((await h.call('GET', `/api/v1/flows/${NS}/child`)).status).toBe(200);
    const forced = await cli(['flow', 'delete', NS, 'child', '--force', ...server()]);
    expect(forced.code).toBe(0);
    expect(forced.err).toContain(`  - ${NS}.parent\n`);
    expect(forced.out).toBe(`${NS}.child deleted\n`);
    expect((await h.call('GET', `/api/v1/flows/${NS}/child`)).status).toBe(404);
    const free = await cli(['flow', 'delete', NS, 'listener', ...server()]);
    expect(free).toMatchObject({ code: 0, err: '' });
  });
});
