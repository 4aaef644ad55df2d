// The HTTP Trigger (io.kestra.plugin.core.http.Trigger) on `aloft server`, against a real HTTP server
// on loopback: a response whose condition holds starts one execution per interval with Request's
// outputs as `trigger.*`; a failed response code or a false condition starts none and fails nothing.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Execution } from '../../lib/model/execution';
import { LocalServer } from '../../lib/wiring/local-server';
import { tempDir } from '../helpers/temp-dirs';

jest.setTimeout(60_000);

const NS = 'io.aloft.http';
let answer: { status: number; body: string } = { status: 200, body: '{"ready":true,"price":99}' };
let requests: string[] = [];
let site: Server;
let base = '';
let server: LocalServer;
let logs: Record<string, unknown>[] = [];

beforeAll(async () => {
  site = createServer((req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers['x-team'] ?? ''}`.trim());
    res.writeHead(answer.status, { 'content-type': 'application/json', 'x-price': '99' }).end(answer.body);
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => { site.closeAllConnections(); site.close(() => resolve()); });
});

beforeEach(async () => {
  logs = [];
  requests = [];
  answer = { status: 200, body: '{"ready":true,"price":99}' };
  server = new LocalServer({
    env: { ALOFT_DATA_DIR: tempDir('aloft-http-trigger-'), ALOFT_SCHEDULER_INTERVAL_MS: '0' },
    port: 0, pubsub: null, kafka: null, log: (l) => { logs.push(l); },
  });
  await server.listen();
});

afterEach(async () => {
  await server.stop();
});

const flow = (id: string, extra = ''): string => `id: ${id}
namespace: ${NS}
tasks:
  - id: ret
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.code }} {{ json(trigger.body).price }} {{ trigger.headers['x-price'][0] }}"
triggers:
  - id: watch
    type: io.kestra.plugin.core.http.Trigger
    uri: ${base}/price?flow={{ flow.id }}
    headers:
      X-Team: data
    interval: PT30S
${extra}`;

const ended = (started: Execution[]): Promise<Execution[]> => Promise.all(started.map((e) => server.runtime.waitForEnd(e.id)));

describe('the HTTP Trigger on aloft server', () => {
  it('starts one execution per interval when the condition holds, with the response as trigger.*', async () => {
    await server.deploy(flow('on-price', '    responseCondition: "{{ json(response.body).price <= 110 }}"\n'), 'on-price.yml');
    const started = await server.poll(new Date('2026-01-01T10:00:05Z'));
    expect(started).toHaveLength(1);
    const [run] = await ended(started);
    expect(run.state.current).toBe('SUCCESS');
    expect(run.trigger).toMatchObject({
      id: 'watch', type: 'io.kestra.plugin.core.http.Trigger',
      variables: { uri: `${base}/price?flow=on-price`, code: 200, body: '{"ready":true,"price":99}', headers: expect.objectContaining({ 'x-price': ['99'] }) },
    });
    expect(run.taskRunList[0].outputs).toEqual({ value: '200 99 99' });
    expect(requests).toEqual(['GET /price?flow=on-price data']);
    // The same interval slot is not polled again; the next one is.
    expect(await server.poll(new Date('2026-01-01T10:00:25Z'))).toEqual([]);
    expect(await ended(await server.poll(new Date('2026-01-01T10:00:35Z')))).toHaveLength(1);
  });

  it('starts nothing on a failed response code with the default condition, and fails nothing', async () => {
    answer = { status: 503, body: 'busy' };
    await server.deploy(flow('on-up'), 'on-up.yml');
    expect(await server.poll(new Date('2026-01-01T11:00:05Z'))).toEqual([]);
    expect(requests).toHaveLength(1);
    expect(logs.filter((l) => l.severity === 'ERROR')).toEqual([]);
    // A condition on the code sees the failed one.
    await server.deploy(flow('on-down', '    responseCondition: "{{ response.statusCode == 503 }}"\n'), 'on-down.yml');
    const started = await server.poll(new Date('2026-01-01T11:01:05Z'));
    expect(started.map((e) => e.flowId)).toEqual(['on-down']);
  });

  it('stores a body over 128 KiB under the execution as trigger.bodyUri, where the condition sees a null body', async () => {
    answer = { status: 200, body: 'x'.repeat(200 * 1024) };
    await server.deploy(flow('big', '    responseCondition: "{{ response.body == null }}"\n').replace(/format: .*/, 'format: "{{ trigger.bodyUri }}"'), 'big.yml');
    const [run] = await ended(await server.poll(new Date('2026-01-01T13:00:05Z')));
    expect(run.state.current).toBe('SUCCESS');
    const uri = run.trigger?.variables.bodyUri as string;
    expect(uri).toMatch(new RegExp(`^kestra:///io/aloft/http/big/executions/${run.id}/`));
    expect(run.trigger?.variables.body).toBeUndefined();
  });

  it('reports a server that cannot be reached, naming the flow and trigger, and starts nothing', async () => {
    await server.deploy(flow('unreachable').replace(base, 'http://127.0.0.1:9'), 'unreachable.yml');
    expect(await server.poll(new Date('2026-01-01T12:00:05Z'))).toEqual([]);
    expect(logs).toContainEqual(expect.objectContaining({ severity: 'ERROR', trigger: 'watch', message: expect.stringContaining('unreachable') }));
  });

  it('stops for good once an execution it started ended in a state of stopAfter, sending no more requests', async () => {
    await server.deploy(flow('once', '    stopAfter: [SUCCESS]\n'), 'once.yml');
    const [first] = await ended(await server.poll(new Date('2026-01-01T14:00:05Z')));
    expect(first.state.current).toBe('SUCCESS');
    expect(requests).toHaveLength(1);
    expect(await server.poll(new Date('2026-01-01T14:00:35Z'))).toEqual([]);
    expect(await server.poll(new Date('2026-01-01T14:01:05Z'))).toEqual([]);
    expect(requests).toHaveLength(1);
    expect(logs).toContainEqual(expect.objectContaining({ trigger: 'watch', message: expect.stringContaining(`stopped: execution ${first.id} ended SUCCESS, one of stopAfter`) }));
  });

  it('keeps polling while its executions end in states stopAfter does not list', async () => {
    await server.deploy(flow('until-failure', '    stopAfter: [FAILED, KILLED]\n'), 'until-failure.yml');
    expect(await ended(await server.poll(new Date('2026-01-01T15:00:05Z')))).toHaveLength(1);
    expect(await ended(await server.poll(new Date('2026-01-01T15:00:35Z')))).toHaveLength(1);
    expect(requests).toHaveLength(2);
  });

  it('refuses a flow whose trigger has an unknown method, naming the property', async () => {
    await expect(server.deploy(flow('bad', '    method: FETCH\n'), 'bad.yml')).rejects
      .toThrow(/^bad\.yml:14:\d+: flow io\.aloft\.http\.bad, task watch, property triggers\[0\]\.method: expected one of "GET"/);
  });
});
