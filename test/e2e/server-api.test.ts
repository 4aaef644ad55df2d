// The HTTP API of `aloft server` over real HTTP: flows, executions, logs, files, OpenAPI and errors.
import { ROUTES } from '../../lib/api/router';
import { flowYaml, startServer, type Harness } from './server-harness';

const NS = 'io.aloft.api';

describe('aloft server API', () => {
  let h: Harness;
  beforeAll(async () => { h = await startServer({ limits: { bodyBytes: 64 * 1024 } }); });
  afterAll(async () => { await h.stop(); });

  const waitEnd = (id: string) => h.server.runtime.waitForEnd(id);

  describe('flows', () => {
    it('creates a flow from YAML, keeps the revision for the same source and adds one for a change', async () => {
      const first = await h.call('POST', '/api/v1/flows', { yaml: flowYaml(NS, 'revs') });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ id: 'revs', namespace: NS, revision: 1, source: flowYaml(NS, 'revs'), warnings: [] });
      expect((await h.call('POST', '/api/v1/flows', { yaml: flowYaml(NS, 'revs') })).body.revision).toBe(1);
      const second = await h.call('PUT', `/api/v1/flows/${NS}/revs`, { yaml: flowYaml(NS, 'revs', 'description: two') });
      expect(second.body.revision).toBe(2);
      expect((await h.call('GET', `/api/v1/flows/${NS}/revs?revision=1`)).body.description).toBeUndefined();
      expect((await h.call('GET', `/api/v1/flows/${NS}/revs`)).body).toMatchObject({ revision: 2, description: 'two' });
    });

    it('refuses a PUT whose body names another flow', async () => {
      const r = await h.call('PUT', `/api/v1/flows/${NS}/other`, { yaml: flowYaml(NS, 'revs') });
      expect(r.status).toBe(422);
      expect(r.body).toMatchObject({ code: 'FLOW_INVALID', message: `the flow in the body is ${NS}.revs, the URL names ${NS}.other` });
    });

    it('answers an invalid flow with 422 and every problem with its line and column', async () => {
      const r = await h.call('POST', '/api/v1/flows', { yaml: 'id: bad\nnamespace: io.aloft.api\ntasks:\n  - id: x\n    type: io.kestra.core.tasks.debugs.Retrun\n' });
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('FLOW_INVALID');
      expect(r.body.errors[0]).toMatchObject({ code: 'FLOW_INVALID', line: 5, property: 'tasks[0].type' });
    });

    it('answers a malformed cron with 422 FLOW_INVALID naming the trigger property', async () => {
      const r = await h.call('POST', '/api/v1/flows', { yaml: flowYaml(NS, 'cron', 'triggers:\n  - id: nightly\n    type: io.kestra.core.models.triggers.types.Schedule\n    cron: "0 0 * *"\n') });
      expect(r.status).toBe(422);
      expect(r.body).toMatchObject({ code: 'FLOW_INVALID', errors: [{ property: 'triggers[0].cron', task: 'nightly', line: 10 }] });
      expect(r.body.message).toMatch(/invalid cron expression '0 0 \* \*'/);
    });

    it('answers an unknown timezone with 422 FLOW_INVALID', async () => {
      const r = await h.call('POST', '/api/v1/flows', { yaml: flowYaml(NS, 'tz', 'triggers:\n  - id: nightly\n    type: io.kestra.core.models.triggers.types.Schedule\n    cron: "@daily"\n    timezone: Moon/Base\n') });
      expect(r.status).toBe(422);
      expect(r.body.errors[0]).toMatchObject({ property: 'triggers[0].timezone', message: "unknown timezone 'Moon/Base'; use an IANA name such as Europe/Paris or UTC" });
    });

    it('validates without saving', async () => {
      const ok = await h.call('POST', '/api/v1/flows/validate', { yaml: flowYaml(NS, 'only-validated') });
      expect(ok.body).toEqual({ valid: true, errors: [], warnings: [] });
      expect((await h.call('GET', `/api/v1/flows/${NS}/only-validated`)).status).toBe(404);
      const bad = await h.call('POST', '/api/v1/flows/validate', { yaml: 'id: x\n' });
      expect(bad.status).toBe(200);
      expect(bad.body.valid).toBe(false);
    });

    it('lists the latest revisions of a namespace and its sub-namespaces, by page', async () => {
      await h.call('POST', '/api/v1/flows', { yaml: flowYaml(`${NS}.list`, 'a') });
      await h.call('POST', '/api/v1/flows', { yaml: flowYaml(`${NS}.list.sub`, 'b') });
      await h.call('POST', '/api/v1/flows', { yaml: flowYaml('io.other', 'c') });
      const all = await h.call('GET', `/api/v1/flows/search?namespace=${NS}.list`);
      expect(all.body.total).toBe(2);
      expect(all.body.results.map((f: { id: string }) => f.id)).toEqual(['a', 'b']);
      const page2 = await h.call('GET', `/api/v1/flows/search?namespace=${NS}.list&size=1&page=2`);
      expect(page2.body.results.map((f: { id: string }) => f.id)).toEqual(['b']);
    });

    it('refuses to delete a flow others depend on, shows the dependencies, and deletes it with force', async () => {
      await h.call('POST', '/api/v1/flows', { yaml: flowYaml(`${NS}.deps`, 'child') });
      await h.call('POST', '/api/v1/flows', { yaml: `id: parent\nnamespace: ${NS}.deps\ntasks:\n  - id: call\n    type: io.kestra.core.tasks.flows.Flow\n    namespace: ${NS}.deps\n    flowId: child\n` });
      await h.call('POST', '/api/v1/flows', { yaml: flowYaml(`${NS}.deps`, 'listener', `triggers:\n  - id: after\n    type: io.kestra.core.models.triggers.types.Flow\n    conditions:\n      - type: io.kestra.core.models.conditions.types.ExecutionFlowCondition\n        namespace: ${NS}.deps\n        flowId: child\n`) });
      const deps = await h.call('GET', `/api/v1/flows/${NS}.deps/child/dependencies`);
      expect(deps.body.edges).toEqual(expect.arrayContaining([
        { source: `${NS}.deps.parent`, target: `${NS}.deps.child`, relation: 'FLOW_TASK' },
        { source: `${NS}.deps.child`, target: `${NS}.deps.listener`, relation: 'FLOW_TRIGGER' },
      ]));
      const refused = await h.call('DELETE', `/api/v1/flows/${NS}.deps/child`);
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(`${NS}.deps.listener, ${NS}.deps.parent`), dependents: [`${NS}.deps.listener`, `${NS}.deps.parent`] });
      const upstream = await h.call('GET', `/api/v1/flows/${NS}.deps/child/dependencies?destinationOnly=true&expandAll=true`);
      expect(upstream.body.edges).toEqual([{ source: `${NS}.deps.parent`, target: `${NS}.deps.child`, relation: 'FLOW_TASK' }]);
      const namespace = await h.call('GET', `/api/v1/namespaces/${NS}.deps/dependencies`);
      expect(namespace.body.nodes.map((n: { id: string }) => n.id).sort()).toEqual(['child', 'listener', 'parent']);
      expect((await h.call('GET', `/api/v1/flows/${NS}.deps/child/dependencies?expandAll=yes`)).body).toMatchObject({ code: 'MESSAGE_INVALID', message: expect.stringContaining('expandAll') });
      expect((await h.call('DELETE', `/api/v1/flows/${NS}.deps/child?force=true`)).status).toBe(204);
      expect((await h.call('GET', `/api/v1/flows/${NS}.deps/child`)).status).toBe(404);
      expect((await h.call('DELETE', `/api/v1/flows/${NS}.deps/child`)).status).toBe(404);
      expect((await h.call('GET', `/api/v1/flows/${NS}.deps/parent/dependencies`)).body.edges).toEqual([]);
    });
  });

  describe('executions', () => {
    const inputsFlow = `id: inputs
namespace: ${NS}
inputs:
  - name: n
    type: INT
  - name: data
    type: FILE
    required: false
tasks:
  - id: log
    type: io.kestra.core.tasks.log.Log
    message: "n is {{ inputs.n }}"
`;
    beforeAll(async () => { expect((await h.call('POST', '/api/v1/flows', { yaml: inputsFlow })).status).toBe(200); });

    it('starts an execution with JSON inputs and labels, and gets it', async () => {
      const r = await h.call('POST', `/api/v1/executions/${NS}/inputs?labels=team:data`, { json: { inputs: { n: '41' }, labels: { env: 'test' } } });
      expect(r.status).toBe(200);
      // Labels as Kestra answers them: a list of { key, value }.
      expect(r.body).toMatchObject({ id: expect.any(String), namespace: NS, flowId: 'inputs', inputs: { n: 41 } });
      expect(r.body.labels).toEqual(expect.arrayContaining([{ key: 'env', value: 'test' }, { key: 'team', value: 'data' }]));
      expect(r.body.labels).toHaveLength(2);
      await waitEnd(r.body.id);
      const got = await h.call('GET', `/api/v1/executions/${r.body.id}`);
      expect(got.body.state.current).toBe('SUCCESS');
    });

    it('answers with the ended execution, its task outputs included, with ?wait=true', async () => {
      const r = await h.call('POST', `/api/v1/executions/${NS}/inputs?wait=true`, { json: { inputs: { n: '7' } } });
      expect(r.status).toBe(200);
      expect(r.body.state.current).toBe('SUCCESS');
      expect(r.body.taskRunList.map((t: { taskId: string; state: { current: string } }) => [t.taskId, t.state.current])).toEqual([['log', 'SUCCESS']]);
      expect((await h.call('POST', `/api/v1/executions/${NS}/inputs?wait=maybe`, { json: { inputs: { n: '7' } } })).status).toBe(400);
    });

    it('answers inputs the flow refuses with 422 INPUT_INVALID, and an unknown flow with 404', async () => {
      const bad = await h.call('POST', `/api/v1/executions/${NS}/inputs`, { json: { inputs: { n: 'many' } } });
      expect(bad.status).toBe(422);
      expect(bad.body).toMatchObject({ code: 'INPUT_INVALID', flow: `${NS}.inputs` });
      expect((await h.call('POST', `/api/v1/executions/${NS}/nope`, { json: {} })).status).toBe(404);
    });

    it('refuses a JSON body that is malformed or has unknown fields with 400', async () => {
      const malformed = await h.call('POST', `/api/v1/executions/${NS}/inputs`, { body: '{"inputs":', headers: { 'content-type': 'application/json' } });
      expect(malformed.status).toBe(400);
      expect(malformed.body.code).toBe('MESSAGE_INVALID');
      const unknown = await h.call('POST', `/api/v1/executions/${NS}/inputs`, { json: { n: 1 } });
      expect(unknown.status).toBe(400);
      expect(unknown.body.message).toMatch(/request body: .*n/);
    });

    it('takes FILE inputs as multipart and serves the file back, only to that execution', async () => {
      const form = new FormData();
      form.set('n', '7');
      form.set('data', new Blob(['a,b\n1,2\n']), 'rows.csv');
      const r = await h.call('POST', `/api/v1/executions/${NS}/inputs`, { body: form });
      expect(r.status).toBe(200);
      const uri: string = r.body.inputs.data;
      expect(uri).toMatch(/^kestra:\/\/\/io\/aloft\/api\/inputs\/executions\/.+\/inputs\/data\/rows\.csv$/);
      const file = await fetch(`${h.url}/api/v1/executions/${r.body.id}/file?path=${encodeURIComponent(uri)}`);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-disposition')).toBe('attachment; filename="rows.csv"');
      expect(await file.text()).toBe('a,b\n1,2\n');

      const other = await h.call('POST', `/api/v1/executions/${NS}/inputs`, { json: { inputs: { n: 1 } } });
      const forbidden = await h.call('GET', `/api/v1/executions/${other.body.id}/file?path=${encodeURIComponent(uri)}`);
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.code).toBe('STORAGE_FORBIDDEN');
      const traversal = await h.call('GET', `/api/v1/executions/${r.body.id}/file?path=${encodeURIComponent('kestra:///io/aloft/api/inputs/executions/x/../../../../etc/passwd')}`);
      expect(traversal.status).toBe(403);
      const missing = await h.call('GET', `/api/v1/executions/${r.body.id}/file?path=${encodeURIComponent(uri.replace('rows.csv', 'nope.csv'))}`);
      expect(missing.status).toBe(404);
    });

    it('returns the logs of an execution and of one task run', async () => {
      const r = await h.call('POST', `/api/v1/executions/${NS}/inputs`, { json: { inputs: { n: 5 } } });
      const done = await waitEnd(r.body.id);
      const logs = await h.call('GET', `/api/v1/logs/${r.body.id}`);
      expect(logs.body.map((l: { message: string }) => l.message)).toContain('n is 5');
      const taskRunId = done.taskRunList[0].id;
      const one = await h.call('GET', `/api/v1/logs/${r.body.id}?taskRunId=${taskRunId}&minLevel=INFO`);
      expect(one.body.every((l: { taskRunId: string }) => l.taskRunId === taskRunId)).toBe(true);
      expect((await h.call('GET', '/api/v1/logs/unknown-execution')).status).toBe(404);
    });

    it('searches executions by flow and state with pages', async () => {
      await h.call('POST', '/api/v1/flows', { yaml: flowYaml(`${NS}.search`, 's') });
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await h.call('POST', `/api/v1/executions/${NS}.search/s`, { json: {} })).body.id);
      await Promise.all(ids.map(waitEnd));
      const all = await h.call('GET', `/api/v1/executions/search?namespace=${NS}.search&flowId=s&state=SUCCESS,FAILED`);
      expect(all.body.results.map((e: { id: string }) => e.id).sort()).toEqual([...ids].sort());
      const p1 = await h.call('GET', `/api/v1/executions/search?namespace=${NS}.search&size=2&page=1`);
      const p2 = await h.call('GET', `/api/v1/executions/search?namespace=${NS}.search&size=2&page=2`);
      expect(p1.body.results).toHaveLength(2);
      expect(p1.body.nextPageToken).toEqual(expect.any(String));
      expect(p2.body.results).toHaveLength(1);
      const byToken = await h.call('GET', `/api/v1/executions/search?namespace=${NS}.search&size=2&pageToken=${p1.body.nextPageToken}`);
      expect(byToken.body.results).toEqual(p2.body.results);
      const future = await h.call('GET', `/api/v1/executions/search?namespace=${NS}.search&startDate=2999-01-01T00:00:00Z`);
      expect(future.body.results).toEqual([]);
      const bad = await h.call('GET', '/api/v1/executions/search?state=DONE');
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('MESSAGE_INVALID');
    });

    it('refuses a resume whose onResume inputs do not pass, naming the input, and types those that do', async () => {
      await h.call('POST', '/api/v1/flows', { yaml: `id: approve\nnamespace: ${NS}\ntasks:\n  - id: wait\n    type: io.kestra.plugin.core.flow.Pause\n    onResume:\n      - id: approved\n        type: BOOLEAN\n` });
      const id = (await h.call('POST', `/api/v1/executions/${NS}/approve`, { json: {} })).body.id;
      expect((await waitEnd(id)).state.current).toBe('PAUSED');
      const bad = await h.call('POST', `/api/v1/executions/${id}/resume`, { json: { inputs: { approved: 'maybe' } } });
      expect(bad.status).toBe(422);
      expect(bad.body).toMatchObject({ code: 'INPUT_INVALID', task: 'wait', property: 'onResume[0]', message: expect.stringContaining("resume input 'approved'") });
      expect((await h.call('POST', `/api/v1/executions/${id}/resume`, { json: { inputs: { approved: 'true' } } })).status).toBe(200);
      const done = await waitEnd(id);
      expect(done.state.current).toBe('SUCCESS');
      expect(done.taskRunList[0].outputs).toEqual({ onResume: { approved: true } });
    });

    it('resumes a paused execution and kills another', async () => {
      await h.call('POST', '/api/v1/flows', { yaml: `id: pause\nnamespace: ${NS}\ntasks:\n  - id: wait\n    type: io.kestra.core.tasks.flows.Pause\n  - id: after\n    type: io.kestra.core.tasks.debugs.Return\n    format: done\n` });
      const a = (await h.call('POST', `/api/v1/executions/${NS}/pause`, { json: {} })).body.id;
      expect((await waitEnd(a)).state.current).toBe('PAUSED');
      expect((await h.call('POST', `/api/v1/executions/${a}/resume`, { json: {} })).status).toBe(200);
      expect((await waitEnd(a)).state.current).toBe('SUCCESS');
      expect((await h.call('POST', `/api/v1/executions/${a}/resume`, { json: {} })).status).toBe(409);

      const b = (await h.call('POST', `/api/v1/executions/${NS}/pause`, { json: {} })).body.id;
      await waitEnd(b);
      const killed = await h.call('DELETE', `/api/v1/executions/${b}/kill`);
      expect(killed.status).toBe(202);
      expect((await waitEnd(b)).state.current).toBe('KILLED');
      expect((await h.call('DELETE', `/api/v1/executions/${b}/kill`)).body.code).toBe('CONFLICT');
    });

    it('restarts a failed execution and replays one from a task run', async () => {
      await h.call('POST', '/api/v1/flows', { yaml: `id: flaky\nnamespace: ${NS}\ninputs:\n  - name: fail\n    type: BOOLEAN\ntasks:\n  - id: first\n    type: io.kestra.core.tasks.debugs.Return\n    format: one\n  - id: second\n    type: io.kestra.core.tasks.executions.Fail\n    condition: "{{ inputs.fail }}"\n` });
      const id = (await h.call('POST', `/api/v1/executions/${NS}/flaky`, { json: { inputs: { fail: true } } })).body.id;
      expect((await waitEnd(id)).state.current).toBe('FAILED');
      expect((await h.call('POST', `/api/v1/executions/${id}/restart`)).status).toBe(200);
      const restarted = await waitEnd(id);
      expect(restarted.state.histories.map((s) => s.state)).toContain('RESTARTED');

      const done = (await h.call('POST', `/api/v1/executions/${NS}/flaky`, { json: { inputs: { fail: false } } })).body.id;
      const ended = await waitEnd(done);
      expect((await h.call('POST', `/api/v1/executions/${done}/restart`)).status).toBe(409);
      const second = ended.taskRunList.find((r) => r.taskId === 'second')!.id;
      const replay = await h.call('POST', `/api/v1/executions/${done}/replay?taskRunId=${second}`);
      expect(replay.status).toBe(200);
      expect(replay.body).toMatchObject({ originalId: done });
      expect(replay.body.id).not.toBe(done);
      expect((await waitEnd(replay.body.id)).state.current).toBe('SUCCESS');
      expect((await h.call('POST', `/api/v1/executions/${done}/replay?taskRunId=nope`)).status).toBe(404);
    });
  });

  describe('documents and errors', () => {
    it('serves an OpenAPI 3 document listing every route', async () => {
      const r = await h.call('GET', '/api/v1/openapi.json');
      expect(r.body.openapi).toMatch(/^3\./);
      for (const route of ROUTES) expect(r.body.paths[route.path]?.[route.method.toLowerCase()]).toMatchObject({ operationId: route.operationId });
      const count = Object.values(r.body.paths as Record<string, object>).reduce((n, p) => n + Object.keys(p).length, 0);
      expect(count).toBe(ROUTES.length);
    });

    it('answers an unknown route and a wrong method with a JSON 404', async () => {
      expect(await h.call('GET', '/api/v1/nothing')).toMatchObject({ status: 404, body: { code: 'NOT_FOUND', message: 'no route GET /api/v1/nothing' } });
      const wrong = await h.call('PATCH', `/api/v1/flows/${NS}/revs`);
      expect(wrong.status).toBe(404);
      const allowed = /\(this path takes (.*)\)$/.exec(wrong.body.message)?.[1].split(', ').sort();
      expect(allowed).toEqual(['DELETE', 'GET', 'PUT']);
    });

    it('answers a body over the limit with 413 PAYLOAD_TOO_LARGE and keeps serving', async () => {
      const r = await h.call('POST', '/api/v1/flows', { yaml: `${flowYaml(NS, 'big')}# ${'x'.repeat(70 * 1024)}\n` });
      expect(r.status).toBe(413);
      expect(r.body.code).toBe('PAYLOAD_TOO_LARGE');
      expect((await h.call('GET', `/api/v1/flows/${NS}/revs`)).status).toBe(200);
    });
  });
});
