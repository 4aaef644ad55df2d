// The remote commands of lib/cli/remote-commands.ts (flow list|get|delete|validate, execution
// list|follow|restart|replay|resume|delete), driven through main() against a running aloft server.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliIO } from '../../lib/cli/io';
import { main } from '../../lib/cli/main';
import { tempDir } from '../helpers/temp-dirs';
import { startServer, type Harness } from './server-harness';

const NS = 'io.aloft.remote';
const TOKEN = 'remote-token-1';

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = {
    env, isTTY: false, stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, onInterrupt: () => () => undefined,
  };
  const code = await main(args, env, io);
  return { code, out, err };
}

describe('the remote commands against aloft server', () => {
  let h: Harness;
  let dir: string;
  const remote = (): string[] => ['--server', h.url, '--token', TOKEN];
  const file = (name: string, yaml: string): string => { writeFileSync(join(dir, name), yaml); return join(dir, name); };

  beforeAll(async () => {
    h = await startServer({ auth: { tokens: [{ token: TOKEN, scope: 'admin' }] } });
    dir = tempDir('aloft-cli-remote-');
    const flows = [
      file('child.yml', `id: child\nnamespace: ${NS}\ntasks:\n  - id: r\n    type: io.kestra.core.tasks.debugs.Return\n    format: child\n`),
      file('parent.yml', `id: parent\nnamespace: ${NS}\ntasks:\n  - id: call\n    type: io.kestra.core.tasks.flows.Flow\n    namespace: ${NS}\n    flowId: child\n    wait: true\n`),
      file('fails.yml', `id: fails\nnamespace: ${NS}.sub\ntasks:\n  - id: hello\n    type: io.kestra.core.tasks.log.Log\n    message: "hello from fails"\n  - id: boom\n    type: io.kestra.core.tasks.executions.Fail\n`),
      file('upload.yml', `id: upload\nnamespace: ${NS}\ninputs:\n  - name: doc\n    type: FILE\ntasks:\n  - id: hello\n    type: io.kestra.core.tasks.log.Log\n    message: "got {{ inputs.doc }}"\n`),
      file('pause.yml', `id: pause\nnamespace: ${NS}\ntasks:\n  - id: wait\n    type: io.kestra.core.tasks.flows.Pause\n  - id: after\n    type: io.kestra.core.tasks.debugs.Return\n    format: resumed\n`),
    ];
    const deployed = await cli(['flow', 'deploy', ...flows, ...remote()]);
    expect(deployed.code).toBe(0);
  });
  afterAll(() => h.stop());

  describe('aloft flow', () => {
    it('lists every flow with its revision, and the flows of one namespace with --namespace', async () => {
      const all = await cli(['flow', 'list', ...remote()]);
      expect(all.code).toBe(0);
      expect(all.out).toContain(`${NS}\tchild\trevision 1\n`);
      expect(all.out).toContain(`${NS}.sub\tfails\trevision 1\n`);
      const sub = await cli(['flow', 'list', '--namespace', `${NS}.sub`, '--json', ...remote()]);
      expect(JSON.parse(sub.out).map((f: { id: string }) => f.id)).toEqual(['fails']);
    });

    it('prints the YAML source of a flow as it was deployed', async () => {
      const r = await cli(['flow', 'get', NS, 'child', ...remote()]);
      expect(r.code).toBe(0);
      expect(r.out).toBe(`id: child\nnamespace: ${NS}\ntasks:\n  - id: r\n    type: io.kestra.core.tasks.debugs.Return\n    format: child\n`);
    });

    it('exits 2 for a flow that does not exist', async () => {
      const r = await cli(['flow', 'get', NS, 'nope', ...remote()]);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`flow ${NS}.nope`);
    });

    it('validates files on the server: 0 for a valid flow, 2 with file:line:col for an invalid one', async () => {
      const good = await cli(['flow', 'validate', join(dir, 'child.yml'), ...remote()]);
      expect(good).toMatchObject({ code: 0, out: `${join(dir, 'child.yml')}: valid\n` });
      const bad = file('bad.yml', `id: bad\nnamespace: ${NS}\ntasks:\n  - id: x\n    type: io.kestra.core.tasks.debugs.Retrun\n`);
      const r = await cli(['flow', 'validate', bad, ...remote()]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/bad\.yml:5:11: .*unknown task type 'io\.kestra\.core\.tasks\.debugs\.Retrun'; did you mean 'io\.kestra\.core\.tasks\.debugs\.Return'\?/);
    });

    it('refuses to delete a flow another flow calls, naming it, and deletes it with --force', async () => {
      const refused = await cli(['flow', 'delete', NS, 'child', ...remote()]);
      expect(refused.code).toBe(2);
      expect(refused.err).toContain(`${NS}.parent`);
      const forced = await cli(['flow', 'delete', NS, 'child', '--force', ...remote()]);
      expect(forced).toMatchObject({ code: 0, out: `${NS}.child deleted\n` });
      expect(forced.err).toContain(`  - ${NS}.parent\n`);
      expect((await cli(['flow', 'get', NS, 'child', ...remote()])).code).toBe(2);
    });
  });

  describe('aloft execution', () => {
    let failedId: string;
    beforeAll(async () => {
      const r = await cli(['execution', 'start', `${NS}.sub`, 'fails', '--wait', '--json', ...remote()]);
      expect(r.code).toBe(1);
      failedId = JSON.parse(r.out).id;
    });

    it('lists executions newest first, filtered by namespace, flow and state', async () => {
      const r = await cli(['execution', 'list', '--namespace', `${NS}.sub`, '--flow', 'fails', '--state', 'FAILED', ...remote()]);
      expect(r.code).toBe(0);
      expect(r.out.split('\n')[0]).toMatch(new RegExp(`^${failedId}\\t${NS}\\.sub\\.fails\\tFAILED\\t`));
      const none = await cli(['execution', 'list', '--flow', 'fails', '--state', 'SUCCESS', '--json', ...remote()]);
      expect(JSON.parse(none.out)).toEqual([]);
    });

    it('follows an execution to its end: state changes and log lines in time order, and exit 1 when it FAILED', async () => {
      const r = await cli(['execution', 'follow', failedId, ...remote()]);
      expect(r.code).toBe(1);
      const lines = r.out.split('\n');
      const at = (re: RegExp): number => lines.findIndex((l) => re.test(l));
      expect(at(/INFO {2}hello hello from fails$/)).toBeGreaterThan(at(/task hello RUNNING$/));
      expect(at(/task hello SUCCESS$/)).toBeGreaterThan(at(/INFO {2}hello hello from fails$/));
      expect(at(/task boom FAILED$/)).toBeGreaterThan(at(/task hello SUCCESS$/));
      expect(at(new RegExp(`execution ${failedId} FAILED$`))).toBe(lines.length - 2);
    });

    it('restarts a FAILED execution', async () => {
      const r = await cli(['execution', 'restart', failedId, ...remote()]);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`^execution ${failedId} (RESTARTED|RUNNING|FAILED): restarted\\n$`));
      expect((await h.server.runtime.waitForEnd(failedId)).state.current).toBe('FAILED');
    });

    it('replays an execution as a new one', async () => {
      const r = await cli(['execution', 'replay', failedId, '--json', ...remote()]);
      expect(r.code).toBe(0);
      const replay = JSON.parse(r.out);
      expect(replay.id).not.toBe(failedId);
      expect(replay.originalId).toBe(failedId);
    });

    it('resumes a PAUSED execution, which then runs to the end', async () => {
      const started = await cli(['execution', 'start', NS, 'pause', '--wait', ...remote()]);
      const id = /execution (\S+) PAUSED/.exec(started.out)?.[1];
      expect(id).toBeDefined();
      const r = await cli(['execution', 'resume', id!, ...remote()]);
      expect(r.code).toBe(0);
      expect(r.out).toContain(`execution ${id}`);
      const followed = await cli(['execution', 'follow', id!, ...remote()]);
      expect(followed.code).toBe(0);
      expect(followed.out).toMatch(/task after SUCCESS\n/);
      expect(followed.out).toMatch(new RegExp(`execution ${id} SUCCESS\\n$`));
    });

    it('deletes an ended execution with its logs and files, then knows it no more', async () => {
      const form = new FormData();
      form.set('doc', new Blob(['some text']), 'doc.txt');
      const started = await h.call('POST', `/api/v1/executions/${NS}/upload?wait=true`, { body: form, headers: { authorization: `Bearer ${TOKEN}` } });
      expect(started.body.state.current).toBe('SUCCESS');
      const id: string = started.body.id;
      const uri: string = started.body.inputs.doc;
      const auth = { headers: { authorization: `Bearer ${TOKEN}` } };
      expect((await h.call('GET', `/api/v1/executions/${id}/file?path=${encodeURIComponent(uri)}`, auth)).body).toBe('some text');
      expect(await h.server.runtime.logs.list(id)).not.toEqual([]);

      const r = await cli(['execution', 'delete', id, ...remote()]);
      expect(r).toMatchObject({ code: 0, out: `execution ${id} deleted\n` });
      expect((await h.call('GET', `/api/v1/executions/${id}`, auth)).status).toBe(404);
      expect(await h.server.runtime.logs.list(id)).toEqual([]);
      expect(await h.server.runtime.blobs.exists(uri)).toBe(false);
      const listed = await cli(['execution', 'list', '--flow', 'upload', '--json', ...remote()]);
      expect(JSON.parse(listed.out).map((e: { id: string }) => e.id)).not.toContain(id);

      const again = await cli(['execution', 'delete', id, ...remote()]);
      expect(again.code).toBe(2);
      expect(again.err).toContain(`execution ${id} not found`);
    });

    it('refuses to delete a PAUSED execution, exits 2 and keeps it', async () => {
      const started = await cli(['execution', 'start', NS, 'pause', '--wait', ...remote()]);
      const id = /execution (\S+) PAUSED/.exec(started.out)?.[1];
      const r = await cli(['execution', 'delete', id!, ...remote()]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/is PAUSED; kill it, or wait for it to end, before deleting it/);
      expect((await h.call('GET', `/api/v1/executions/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } })).body.state.current).toBe('PAUSED');
    });

    it('exits 2 when resuming an execution that is not paused', async () => {
      const r = await cli(['execution', 'resume', failedId, ...remote()]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/PAUSED/);
    });
  });
});
