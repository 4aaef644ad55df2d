// Regressions of the outside probe (issue 19) through a real `aloft server` over HTTP.
import { startServer, type Harness } from './server-harness';

const NS = 'io.aloft.sec';
const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);

describe('aloft server against hostile input', () => {
  let h: Harness;
  beforeAll(async () => { h = await startServer(); });
  afterAll(async () => { await h.stop(); });

  const save = (yaml: string) => h.call('POST', '/api/v1/flows', { yaml });

  describe('nesting bounds', () => {
    beforeAll(async () => {
      const yaml = `id: hooked\nnamespace: ${NS}\ninputs:\n  - id: j\n    type: JSON\n    required: false\ntasks:\n  - id: ret\n    type: io.kestra.core.tasks.debugs.Return\n    format: x\ntriggers:\n  - id: hook\n    type: io.kestra.core.models.triggers.types.Webhook\n    key: abcdefabcdef\n`;
      expect((await save(yaml)).status).toBe(200);
    });

    it('answers 400 to a webhook body nested 5,000 levels, stores nothing, and search still answers', async () => {
      const r = await h.call('POST', `/api/v1/executions/webhook/${NS}/hooked/abcdefabcdef`, { text: deep(5000), headers: { 'content-type': 'application/json' } });
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ code: 'MESSAGE_INVALID', message: 'the webhook body is nested deeper than 1000 levels' });
      const search = await h.call('GET', `/api/v1/executions/search?namespace=${NS}&flowId=hooked`);
      expect(search.status).toBe(200);
      expect(search.body.results).toEqual([]);
    });

    it('answers 400 to a JSON API body nested too deep, and 422 to a JSON input that is', async () => {
      const body = await h.call('POST', `/api/v1/executions/${NS}/hooked`, { text: `{"j": ${deep(5000)}}`, headers: { 'content-type': 'application/json' } });
      expect(body.status).toBe(400);
      expect(body.body).toEqual({ code: 'MESSAGE_INVALID', message: 'the request body is nested deeper than 1000 levels' });
      const form = new FormData();
      form.set('j', deep(1001));
      const input = await h.call('POST', `/api/v1/executions/${NS}/hooked`, { body: form });
      expect(input.status).toBe(422);
      expect(input.body).toMatchObject({ code: 'INPUT_INVALID', message: "flow io.aloft.sec.hooked, property inputs.j: input 'j': the value is nested deeper than 1000 levels" });
    });

    it('answers 422 with the line to a flow nested too deep, and stays up', async () => {
      const r = await save(`id: nested\nnamespace: ${NS}\nvariables:\n  v: ${deep(50_000)}\ntasks:\n  - id: a\n    type: io.kestra.core.tasks.debugs.Return\n    format: x\n`);
      expect(r.status).toBe(422);
      expect(r.body.errors[0]).toMatchObject({ message: 'invalid YAML: the document is nested deeper than 200 levels', line: 4 });
      expect((await h.call('GET', '/api/v1/flows/search')).status).toBe(200);
    });
  });
});
