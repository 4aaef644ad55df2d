// `aloft server` on a data directory keeps the flows' references in SQLite: the dependency queries
// answer after a restart, and a directory written before the references were kept is filed on open.
import { join } from 'node:path';
import { openDataDir } from '../../lib/runtime/embedded/data-dir';
import { LocalServer } from '../../lib/wiring/local-server';
import { tempDir } from '../helpers/temp-dirs';

const NS = 'e2e.deps';
const child = `id: child\nnamespace: ${NS}\ntasks:\n  - id: r\n    type: io.kestra.core.tasks.debugs.Return\n    format: x\n`;
const parent = `id: parent\nnamespace: ${NS}\ntasks:\n  - id: call\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: ${NS}\n    flowId: child\n`;
const listener = `id: listener\nnamespace: ${NS}.team\ntasks:\n  - id: r\n    type: io.kestra.core.tasks.debugs.Return\n    format: x\ntriggers:\n  - id: t\n    type: io.kestra.plugin.core.trigger.Flow\n    conditions:\n      - type: io.kestra.plugin.core.condition.ExecutionFlowCondition\n        namespace: ${NS}\n        flowId: child\n`;

describe('flow dependencies on a data directory', () => {
  const open: LocalServer[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.stop().catch(() => undefined);
  });

  async function serve(dir: string): Promise<LocalServer> {
    const server = new LocalServer({ env: { ALOFT_DATA_DIR: dir, ALOFT_SCHEDULER_INTERVAL_MS: '0', ALOFT_RECOVERY_INTERVAL_MS: '0' }, pubsub: null, adapters: await openDataDir(join(dir, 'data')), log: () => undefined });
    open.push(server);
    await server.open();
    return server;
  }

  async function stop(server: LocalServer): Promise<void> {
    open.splice(open.indexOf(server), 1);
    await server.stop();
  }

  it('answers from the references it kept after a restart, and forgets a deleted flow\'s', async () => {
    const dir = tempDir('aloft-deps-');
    const first = await serve(dir);
    await first.service.flows.save(child);
    await first.deploy(parent);
    await first.service.flows.save(listener);
    await stop(first);

    const second = await serve(dir);
    expect(await second.service.flows.dependents(NS, 'child')).toEqual([`${NS}.parent`, `${NS}.team.listener`]);
    await second.service.flows.delete(NS, 'parent', { force: false });
    await stop(second);

    const third = await serve(dir);
    expect(await third.service.flows.dependents(NS, 'child')).toEqual([`${NS}.team.listener`]);
  });

  it('files once, on open, the flows of a data directory written before references were kept', async () => {
    const dir = tempDir('aloft-deps-');
    // Flows saved straight into the repository, as an earlier Aloft left them: no references.
    const before = await openDataDir(join(dir, 'data'));
    await before.flowRepo.save({ id: 'child', namespace: NS, tasks: [{ id: 'r', type: 'io.kestra.core.tasks.debugs.Return', format: 'x' }] }, child, new Date());
    await before.flowRepo.save({ id: 'parent', namespace: NS, tasks: [{ id: 'call', type: 'io.kestra.plugin.core.flow.Subflow', namespace: NS, flowId: 'child' }] }, parent, new Date());
    await before.close();

    const server = await serve(dir);
    expect(await server.runtime.adapters.flowDependencies.count()).toBe(2);
    expect(await server.service.flows.dependents(NS, 'child')).toEqual([`${NS}.parent`]);
  });
});
