// Regressions of the outside probe (issue 19) through a real `aloft server` over HTTP.
import { startServer, type Harness } from './server-harness';

const NS = 'io.aloft.sec';
const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);

const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n-----END PRIVATE KEY-----';
const LONG = 'sk-live-0123456789abcdefghijklmnopqrstuvwxyz0123456789';

describe('aloft server against hostile input', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startServer({ env: { SECRET_PEM: Buffer.from(PEM).toString('base64'), SECRET_LONG: Buffer.from(LONG).toString('base64') } as never });
  });
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
      const r = await save(`id: nested\nnamespace: ${NS}\nvariables:\n  v: ${deep(5000)}\ntasks:\n  - id: a\n    type: io.kestra.core.tasks.debugs.Return\n    format: x\n`);
      expect(r.status).toBe(422);
      expect(r.body.errors[0]).toMatchObject({ message: 'invalid YAML: the document is nested deeper than 200 levels', line: 4 });
      expect((await h.call('GET', '/api/v1/flows/search')).status).toBe(200);
    });
  });

  describe('names of Object.prototype members', () => {
    it('answers 422 naming the property to a top-level key constructor, toString or __proto__', async () => {
      for (const key of ['constructor', 'toString', '__proto__']) {
        const r = await save(`id: proto\nnamespace: ${NS}\n${key}: 1\ntasks:\n  - id: a\n    type: io.kestra.core.tasks.debugs.Return\n    format: x\n`);
        expect(r.status).toBe(422);
        expect(r.body.errors).toEqual([expect.objectContaining({ code: 'FLOW_INVALID', message: `unknown property '${key}'`, line: 3 })]);
      }
    });

    it('reads an input named toString from the form, and a field named constructor as a field', async () => {
      const yaml = `id: named\nnamespace: ${NS}\ninputs:\n  - id: toString\n    type: STRING\n  - id: constructor\n    type: STRING\n    required: false\ntasks:\n  - id: a\n    type: io.kestra.core.tasks.debugs.Return\n    format: "{{ inputs.toString }}"\n`;
      expect((await save(yaml)).status).toBe(200);
      const missing = await h.call('POST', `/api/v1/executions/${NS}/named`);
      expect(missing.status).toBe(422);
      expect(missing.body.message).toContain("missing required input 'toString'");
      const form = new FormData();
      form.set('toString', 't');
      form.set('constructor', 'c');
      const started = await h.call('POST', `/api/v1/executions/${NS}/named`, { body: form });
      expect(started.status).toBe(200);
      await h.server.runtime.waitForEnd(started.body.id);
      const done = await h.call('GET', `/api/v1/executions/${started.body.id}`);
      expect(done.body.taskRunList[0].outputs).toEqual({ value: 't' });
      expect(done.body.inputs).toEqual({ toString: 't', constructor: 'c' });
    });
  });

  describe('ids and namespaces', () => {
    it('answers 422 to ids and namespaces that could not be reached afterwards', async () => {
      for (const [ns, id] of [['..', 'f'], ['.', 'f'], ['a..b', 'f'], [NS, '..'], [NS, '.']]) {
        const r = await save(`id: "${id}"\nnamespace: "${ns}"\ntasks:\n  - id: a\n    type: io.kestra.core.tasks.debugs.Return\n    format: x\n`);
        expect(r.status).toBe(422);
        expect(r.body.code).toBe('FLOW_INVALID');
      }
    });
  });

  describe('uploads and scripts', () => {
    beforeAll(async () => {
      const yaml = `id: upload\nnamespace: ${NS}\ninputs:\n  - id: f\n    type: FILE\ntasks:\n  - id: sh\n    type: io.kestra.core.tasks.scripts.Bash\n    warningOnStdErr: false\n    commands:\n      - echo to-stderr >> /dev/stderr\n      - echo done\n`;
      expect((await save(yaml)).status).toBe(200);
    });

    it('answers 422 to an upload name over 255 bytes, without any server path', async () => {
      const form = new FormData();
      form.set('f', new Blob(['x']), `${'n'.repeat(300)}.csv`);
      const r = await h.call('POST', `/api/v1/executions/${NS}/upload`, { body: form });
      expect(r.status).toBe(422);
      expect(r.body).toMatchObject({ code: 'INPUT_INVALID', message: `the file name '${'n'.repeat(40)}…' is longer than 255 bytes` });
      expect(JSON.stringify(r.body)).not.toMatch(/\/tmp|aloft-server-/);
    });

    it('keeps a UTF-8 upload name, and lets a Bash script append to /dev/stderr', async () => {
      const form = new FormData();
      form.set('f', new Blob(['x']), 'données.csv');
      const r = await h.call('POST', `/api/v1/executions/${NS}/upload`, { body: form });
      expect(r.status).toBe(200);
      expect(r.body.inputs.f).toMatch(/\/donn%C3%A9es\.csv$/);
      await h.server.runtime.waitForEnd(r.body.id);
      const done = await h.call('GET', `/api/v1/executions/${r.body.id}`);
      expect(done.body.state.current).toBe('SUCCESS');
      const logs = await h.call('GET', `/api/v1/logs/${r.body.id}`);
      // Two pipes: their lines reach the log in no guaranteed order relative to each other.
      expect(logs.body.map((l: { message: string }) => l.message).sort()).toEqual(['done', 'to-stderr']);
    });
  });

  describe('secrets', () => {
    it('shows no line and no 16-character prefix of a secret in any answer: execution, search, logs', async () => {
      const yaml = `id: secretive\nnamespace: ${NS}\ntasks:
  - id: ret
    type: io.kestra.core.tasks.debugs.Return
    format: "{{ secret('LONG') }}"
  - id: log
    type: io.kestra.core.tasks.log.Log
    message: "{{ secret('PEM') }}"
  - id: sh
    type: io.kestra.core.tasks.scripts.Bash
    warningOnStdErr: false
    commands:
      - |
        cat <<'EOF'
        {{ secret('PEM') }}
        EOF
      - echo '::{"outputs":{"key":"{{ secret('LONG') }}"}}::'
  - id: bad
    type: io.kestra.core.tasks.debugs.Return
    format: "{{ secret('LONG') * 2 }}"
`;
      expect((await save(yaml)).status).toBe(200);
      const started = await h.call('POST', `/api/v1/executions/${NS}/secretive`);
      await h.server.runtime.waitForEnd(started.body.id);
      const answers = [
        await h.call('GET', `/api/v1/executions/${started.body.id}`),
        await h.call('GET', `/api/v1/executions/search?namespace=${NS}&flowId=secretive`),
        await h.call('GET', `/api/v1/logs/${started.body.id}`),
      ];
      const text = answers.map((a) => JSON.stringify(a.body)).join('\n');
      expect(answers[0].body.state.current).toBe('FAILED');
      expect(text).toContain('******');
      for (const leak of [...PEM.split('\n'), LONG.slice(0, 16), LONG]) expect(text).not.toContain(leak);
    });
  });
});
