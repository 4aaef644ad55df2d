import { exprRenderer } from '../../../lib/triggers/expr-renderer';
import { decideHttpTrigger, HttpTriggerProperties, type HttpTriggerResponse } from '../../../lib/triggers/http';

const renderer = exprRenderer({ now: () => new Date('2026-01-01T00:00:00Z') });
const response = (over: Partial<HttpTriggerResponse> = {}): HttpTriggerResponse => ({
  statusCode: 200, headers: { 'content-type': ['application/json'] }, body: '{"ready":true,"n":3}', ...over,
});
const props = (over: Record<string, unknown> = {}) => HttpTriggerProperties.parse({ uri: 'http://127.0.0.1:1/status', ...over });

describe('the http.Trigger decision on one response', () => {
  it('fires on any response under 400 by default, giving Request\'s outputs as trigger variables', async () => {
    expect(await decideHttpTrigger(renderer, props(), response())).toEqual({
      fire: true, variables: { code: 200, headers: { 'content-type': ['application/json'] }, body: '{"ready":true,"n":3}' },
    });
    expect(await decideHttpTrigger(renderer, props(), response({ statusCode: 503 }))).toEqual({ fire: false });
  });

  it('renders responseCondition over the response body, with jq as Kestra flows do', async () => {
    const p = props({ responseCondition: "{{ response.body | jq('.n > 2') | first }}" });
    expect((await decideHttpTrigger(renderer, p, response())).fire).toBe(true);
    expect((await decideHttpTrigger(renderer, p, response({ body: '{"n":1}' }))).fire).toBe(false);
  });

  it('sees the flow\'s variables beside the response', async () => {
    const p = props({ responseCondition: '{{ response.headers["content-type"][0] == flow.namespace }}' });
    expect((await decideHttpTrigger(renderer, p, response(), { flow: { namespace: 'application/json' } })).fire).toBe(true);
  });

  it('throws an EXPRESSION error naming the missing variable when the condition cannot render', async () => {
    await expect(decideHttpTrigger(renderer, props({ responseCondition: '{{ response.nope }}' }), response())).rejects.toMatchObject({ code: 'EXPRESSION' });
  });

  it('takes Request\'s properties plus interval (default one minute) and refuses unknown ones', () => {
    expect(props()).toMatchObject({ method: 'GET', interval: 'PT1M', responseCondition: '{{ response.statusCode < 400 }}' });
    expect(HttpTriggerProperties.safeParse({ uri: 'http://x', nope: 1 }).success).toBe(false);
  });
});
