// Every route of a real `aloft server`, called over HTTP, and each answer validated (status, media type
// and JSON body) against the OpenAPI document that server serves, with Ajv (JSON Schema 2020-12, the
// dialect of OpenAPI 3.1). A route the test never called fails it, so a new route needs a call here.
import Ajv2020 from 'ajv/dist/2020';
import { ROUTES } from '../../lib/api/router';
import { flowYaml, startServer, type Harness } from './server-harness';

const NS = 'io.aloft.openapi';

interface Answer { status: number; type: string; text: string }
interface Operation { operationId: string; responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }> }
interface Doc { paths: Record<string, Record<string, Operation>>; components: Record<string, unknown> }

describe('the OpenAPI document against real answers of aloft server', () => {
  let h: Harness;
  let doc: Doc;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const checked = new Map<string, Set<number>>();

  beforeAll(async () => {
    h = await startServer();
    doc = (await h.call('GET', '/api/v1/openapi.json')).body as Doc;
  });
  afterAll(async () => { await h.stop(); });

  /** Calls the route `template` (its parameters filled in as `path`) and checks the answer against the document. */
  async function call(method: string, template: string, path: string, init: { json?: unknown; yaml?: string; text?: string; form?: FormData } = {}): Promise<Answer & { body: any }> {
    const headers: Record<string, string> = {};
    let body: BodyInit | undefined;
    if (init.json !== undefined) { body = JSON.stringify(init.json); headers['content-type'] = 'application/json'; }
    if (init.yaml !== undefined) { body = init.yaml; headers['content-type'] = 'application/x-yaml'; }
    if (init.text !== undefined) { body = init.text; headers['content-type'] = 'text/plain'; }
    if (init.form !== undefined) body = init.form;
    const res = await fetch(`${h.url}${path}`, { method, headers, body });
    const answer: Answer = { status: res.status, type: (res.headers.get('content-type') ?? '').split(';')[0], text: await res.text() };
    const op = doc.paths[template]?.[method.toLowerCase()];
    expect([method, template, op ? 'documented' : 'missing']).toEqual([method, template, 'documented']);
    const documented = op.responses[String(answer.status)] ?? op.responses.default;
    const where = `${op.operationId} ${answer.status}`;
    if (answer.status === 204) {
      expect([where, answer.text, documented.content]).toEqual([where, '', undefined]);
    } else {
      const media = documented.content?.[answer.type];
      expect([where, answer.type, media ? 'documented' : 'not documented']).toEqual([where, answer.type, 'documented']);
      if (answer.type === 'application/json') {
        const validate = ajv.compile({ ...media!.schema, components: doc.components });
        const parsed = JSON.parse(answer.text);
        validate(parsed);
        expect([where, validate.errors ?? []]).toEqual([where, []]);
      }
    }
    let set = checked.get(op.operationId);
    if (!set) checked.set(op.operationId, (set = new Set()));
    set.add(answer.status);
    let parsedBody: unknown;
    try { parsedBody = answer.text ? JSON.parse(answer.text) : undefined; } catch { parsedBody = answer.text; }
    return { ...answer, body: parsedBody };
  }

  const waitEnd = (id: string) => h.server.runtime.waitForEnd(id);

  it('answers the flow routes as documented', async () => {
    const hook = flowYaml(NS, 'hook', 'triggers:\n  - id: hook\n    type: io.kestra.core.models.triggers.types.Webhook\n    key: k3y\n');
    expect((await call('POST', '/api/v1/flows', '/api/v1/flows', { yaml: hook })).status).toBe(200);
    await call('POST', '/api/v1/flows', '/api/v1/flows', { yaml: 'id: bad\nnamespace: x\ntasks: 3\n' });
    await call('PUT', '/api/v1/flows/{namespace}/{id}', `/api/v1/flows/${NS}/hook`, { yaml: `${hook}description: two\n` });
    await call('POST', '/api/v1/flows/validate', '/api/v1/flows/validate', { yaml: flowYaml(NS, 'v') });
    await call('GET', '/api/v1/flows/search', `/api/v1/flows/search?namespace=${NS}`);
    await call('GET', '/api/v1/flows/{namespace}/{id}', `/api/v1/flows/${NS}/hook`);
    await call('GET', '/api/v1/flows/{namespace}/{id}', `/api/v1/flows/${NS}/nope`);
    await call('GET', '/api/v1/flows/{namespace}', `/api/v1/flows/${NS}`);
    await call('GET', '/api/v1/flows/{namespace}/{id}/revisions', `/api/v1/flows/${NS}/hook/revisions`);
    await call('GET', '/api/v1/flows/{namespace}/{id}/graph', `/api/v1/flows/${NS}/hook/graph`);
    await call('POST', '/api/v1/flows/graph', '/api/v1/flows/graph', { yaml: flowYaml(NS, 'drawn') });
    await call('POST', '/api/v1/flows/graph', '/api/v1/flows/graph', { yaml: 'id: bad\nnamespace: x\ntasks: 3\n' });
    expect((await call('PUT', '/api/v1/flows/{namespace}/{id}/triggers/{triggerId}', `/api/v1/flows/${NS}/hook/triggers/hook`, { json: { disabled: true } })).status).toBe(200);
    await call('PUT', '/api/v1/flows/{namespace}/{id}/triggers/{triggerId}', `/api/v1/flows/${NS}/hook/triggers/hook`, { json: { disabled: false } });
    await call('PUT', '/api/v1/flows/{namespace}/{id}/triggers/{triggerId}', `/api/v1/flows/${NS}/hook/triggers/nope`, { json: { disabled: true } });
    await call('GET', '/api/v1/plugins/schemas/flow', '/api/v1/plugins/schemas/flow');
    const pause = `id: pause\nnamespace: ${NS}\ninputs:\n  - name: doc\n    type: FILE\n    required: false\ntasks:\n  - id: log\n    type: io.kestra.core.tasks.log.Log\n    message: hi\n  - id: wait\n    type: io.kestra.core.tasks.flows.Pause\n`;
    await call('POST', '/api/v1/flows', '/api/v1/flows', { yaml: pause });
    const fails = `id: fails\nnamespace: ${NS}\ntasks:\n  - id: boom\n    type: io.kestra.core.tasks.executions.Fail\n`;
    await call('POST', '/api/v1/flows', '/api/v1/flows', { yaml: fails });
    const caller = `id: caller\nnamespace: ${NS}\ntasks:\n  - id: call\n    type: io.kestra.core.tasks.flows.Flow\n    namespace: ${NS}\n    flowId: hook\n`;
    await call('POST', '/api/v1/flows', '/api/v1/flows', { yaml: caller });
    await call('GET', '/api/v1/flows/{namespace}/{id}/dependencies', `/api/v1/flows/${NS}/hook/dependencies`);
    await call('GET', '/api/v1/namespaces/{namespace}/dependencies', `/api/v1/namespaces/${NS}/dependencies`);
    expect((await call('DELETE', '/api/v1/flows/{namespace}/{id}', `/api/v1/flows/${NS}/hook`)).status).toBe(409);
    expect((await call('DELETE', '/api/v1/flows/{namespace}/{id}', `/api/v1/flows/${NS}/caller`)).status).toBe(204);
  }, 60_000);

  it('answers the execution routes as documented', async () => {
    const form = new FormData();
    form.set('doc', new Blob(['file text']), 'doc.txt');
    const paused = (await call('POST', '/api/v1/executions/{namespace}/{flowId}', `/api/v1/executions/${NS}/pause?wait=true&labels=team:data`, { form })).body;
    expect(paused.state.current).toBe('PAUSED');
    await call('GET', '/api/v1/executions/{executionId}/file', `/api/v1/executions/${paused.id}/file?path=${encodeURIComponent(paused.inputs.doc)}`);
    await call('GET', '/api/v1/executions/{executionId}/file', `/api/v1/executions/${paused.id}/file?path=${encodeURIComponent('kestra:///other/x')}`);
    await call('POST', '/api/v1/executions/{executionId}/resume', `/api/v1/executions/${paused.id}/resume`, { json: {} });
    await waitEnd(paused.id);
    const second = (await call('POST', '/api/v1/executions/trigger/{namespace}/{flowId}', `/api/v1/executions/trigger/${NS}/pause?wait=true`, { json: {} })).body;
    expect((await call('DELETE', '/api/v1/executions/{executionId}', `/api/v1/executions/${second.id}`)).status).toBe(409);
    expect((await call('DELETE', '/api/v1/executions/{executionId}/kill', `/api/v1/executions/${second.id}/kill`)).status).toBe(202);
    await waitEnd(second.id);
    await call('DELETE', '/api/v1/executions/{executionId}/kill', `/api/v1/executions/${second.id}/kill`);
    const failed = (await call('POST', '/api/v1/executions/{namespace}/{flowId}', `/api/v1/executions/${NS}/fails?wait=true`, { json: {} })).body;
    expect(failed.state.current).toBe('FAILED');
    await call('POST', '/api/v1/executions/{executionId}/restart', `/api/v1/executions/${failed.id}/restart`);
    await waitEnd(failed.id);
    const replay = (await call('POST', '/api/v1/executions/{executionId}/replay', `/api/v1/executions/${failed.id}/replay`)).body;
    await waitEnd(replay.id);
    await call('GET', '/api/v1/executions/search', `/api/v1/executions/search?namespace=${NS}&size=2`);
    await call('GET', '/api/v1/executions/search', '/api/v1/executions/search?state=NOPE');
    await call('GET', '/api/v1/executions/search', `/api/v1/executions/search?namespace=${NS}&labels=team:none&size=2`);
    await call('GET', '/api/v1/executions/search', '/api/v1/executions/search?labels=nocolon');
    await call('GET', '/api/v1/executions/{executionId}', `/api/v1/executions/${paused.id}`);
    await call('GET', '/api/v1/executions/{executionId}', '/api/v1/executions/nope');
    await call('GET', '/api/v1/logs/{executionId}', `/api/v1/logs/${paused.id}`);
    await call('GET', '/api/v1/executions/{executionId}/logs', `/api/v1/executions/${paused.id}/logs?minLevel=INFO`);
    await call('GET', '/api/v1/executions/{id}/follow', `/api/v1/executions/${paused.id}/follow`);
    await call('GET', '/api/v1/logs/{executionId}/follow', `/api/v1/logs/${paused.id}/follow`);
    expect((await call('DELETE', '/api/v1/executions/{executionId}', `/api/v1/executions/${replay.id}`)).status).toBe(204);
    await call('DELETE', '/api/v1/executions/{executionId}', `/api/v1/executions/${replay.id}`);
  }, 60_000);

  it('answers the webhook routes as documented', async () => {
    const webhook = `/api/v1/executions/webhook/${NS}/hook/k3y`;
    for (const method of ['GET', 'POST', 'PUT']) {
      const r = await call(method, '/api/v1/executions/webhook/{namespace}/{flowId}/{key}', webhook, method === 'GET' ? {} : { json: { n: 1 } });
      expect(r.status).toBe(200);
      await waitEnd(r.body.id);
    }
    await call('POST', '/api/v1/executions/webhook/{namespace}/{flowId}/{key}', `/api/v1/executions/webhook/${NS}/hook/wrong`, { json: {} });
  }, 60_000);

  it('answers the plugin, key-value, namespace file and document routes as documented', async () => {
    await call('GET', '/api/v1/plugins', '/api/v1/plugins');
    await call('GET', '/api/v1/plugins/{type}', '/api/v1/plugins/io.kestra.core.tasks.log.Log');
    await call('GET', '/api/v1/plugins/{type}', '/api/v1/plugins/io.kestra.plugin.core.trigger.Schedule');
    await call('GET', '/api/v1/plugins/{type}', '/api/v1/plugins/no.such.Type');
    await call('PUT', '/api/v1/namespaces/{namespace}/kv/{key}', `/api/v1/namespaces/${NS}/kv/answer`, { text: '42' });
    await call('GET', '/api/v1/namespaces/{namespace}/kv', `/api/v1/namespaces/${NS}/kv`);
    await call('GET', '/api/v1/namespaces/{namespace}/kv/{key}', `/api/v1/namespaces/${NS}/kv/answer`);
    await call('DELETE', '/api/v1/namespaces/{namespace}/kv/{key}', `/api/v1/namespaces/${NS}/kv/answer`);
    await call('GET', '/api/v1/namespaces/{namespace}/kv/{key}', `/api/v1/namespaces/${NS}/kv/answer`);
    const upload = new FormData();
    upload.set('fileContent', new Blob(['print(1)']), 'etl.py');
    await call('POST', '/api/v1/namespaces/{namespace}/files', `/api/v1/namespaces/${NS}/files?path=/scripts/etl.py`, { form: upload });
    await call('GET', '/api/v1/namespaces/{namespace}/files', `/api/v1/namespaces/${NS}/files?path=/scripts/etl.py`);
    await call('GET', '/api/v1/namespaces/{namespace}/files/directory', `/api/v1/namespaces/${NS}/files/directory?path=/`);
    await call('DELETE', '/api/v1/namespaces/{namespace}/files', `/api/v1/namespaces/${NS}/files?path=/scripts/etl.py`);
    await call('GET', '/api/v1/openapi.json', '/api/v1/openapi.json');
  }, 60_000);

  it('has called every route', () => {
    const missed = ROUTES.map((r) => r.operationId).filter((id) => !checked.has(id));
    expect(missed).toEqual([]);
  });
});
