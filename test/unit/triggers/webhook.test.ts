import { handleWebhook, keyMatches, matchingWebhooks, parseWebhookBody, webhookVariables, type WebhookDeps } from '../../../lib/triggers/webhook';
import { flowWith, recordingStart, renderer } from './fixtures';

const WEBHOOK = 'io.kestra.core.models.triggers.types.Webhook';
const T = 'io.kestra.core.models.conditions.types.';

describe('parseWebhookBody', () => {
  it('parses a JSON object or array', () => {
    expect(parseWebhookBody('{"a":1}')).toEqual({ a: 1 });
    expect(parseWebhookBody(Buffer.from('[1,2]'))).toEqual([1, 2]);
  });

  it('keeps any other body as text, including JSON scalars', () => {
    expect(parseWebhookBody('hello')).toBe('hello');
    expect(parseWebhookBody('42')).toBe('42');
    expect(parseWebhookBody('{"broken"')).toBe('{"broken"');
  });

  it('gives null without a body', () => {
    expect(parseWebhookBody(undefined)).toBeNull();
    expect(parseWebhookBody('')).toBeNull();
  });

  it('refuses a JSON body nested deeper than 1000 levels (MESSAGE_INVALID), and keeps one at the bound', () => {
    const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);
    expect(() => parseWebhookBody(deep(5000))).toThrow(expect.objectContaining({ code: 'MESSAGE_INVALID', message: 'the webhook body is nested deeper than 1000 levels' }));
    expect(parseWebhookBody(deep(1000))).toBeInstanceOf(Array);
    // Brackets that do not make JSON are text, whatever their count.
    expect(parseWebhookBody(`${deep(5000)}x`)).toBe(`${deep(5000)}x`);
  });
});

describe('webhookVariables', () => {
  it('lists every header under its lower-case name and keeps every parameter value', () => {
    expect(webhookVariables({ method: 'POST', body: '{"x":1}', headers: { 'X-Thing': 'a', accept: ['b', 'c'] }, parameters: { p: ['1', '2'] } }))
      .toEqual({ body: { x: 1 }, headers: { 'x-thing': ['a'], accept: ['b', 'c'] }, parameters: { p: ['1', '2'] } });
  });
});

describe('webhookVariables and credentials', () => {
  it('never keeps the Authorization or Cookie headers', () => {
    const v = webhookVariables({ method: 'GET', headers: { authorization: 'Bearer s3cret', cookie: 'a=b', 'x-ok': '1' }, parameters: {} });
    expect(v.headers).toEqual({ 'x-ok': ['1'] });
  });
});

describe('keys', () => {
  it('match only when equal, whatever the lengths', () => {
    expect(keyMatches('s3cret', 's3cret')).toBe(true);
    expect(keyMatches('s3cre', 's3cret')).toBe(false);
    expect(keyMatches('s3cret-and-more', 's3cret')).toBe(false);
  });

  it('find the matching enabled webhook triggers of a flow', () => {
    const flow = flowWith('n', 'f', [
      { id: 'a', type: WEBHOOK, key: 'one' },
      { id: 'b', type: 'io.kestra.plugin.core.trigger.Webhook', key: 'two' },
      { id: 'c', type: WEBHOOK, key: 'two', disabled: true },
    ]);
    expect(matchingWebhooks(flow, 'two').map((t) => t.id)).toEqual(['b']);
    expect(matchingWebhooks(flow, 'three')).toEqual([]);
    expect(matchingWebhooks(null, 'two')).toEqual([]);
  });
});

describe('handleWebhook', () => {
  const flow = flowWith('io.aloft', 'hook', [
    { id: 'hook', type: WEBHOOK, key: 'k3y', conditions: [{ type: `${T}VariableCondition`, expression: "{{ trigger.body.go ?? 'no' }}" }] },
  ]);
  function deps(): { deps: WebhookDeps; calls: ReturnType<typeof recordingStart>['calls'] } {
    const { start, calls } = recordingStart();
    let n = 0;
    return { deps: { findFlow: async (ns, id) => (ns === 'io.aloft' && id === 'hook' ? flow : null), start, renderer, newId: () => `id${++n}` }, calls };
  }
  const req = (body: string) => ({ method: 'POST', body, headers: { 'content-type': 'application/json' }, parameters: { a: ['1'] } });

  it('starts the flow with body, headers and parameters as trigger variables', async () => {
    const { deps: d, calls } = deps();
    const out = await handleWebhook(d, 'io.aloft', 'hook', 'k3y', req('{"go":"yes"}'));
    expect(out).toMatchObject({ status: 'started', execution: { id: 'id1' } });
    expect(calls[0].trigger).toEqual({
      id: 'hook', type: WEBHOOK,
      variables: { body: { go: 'yes' }, headers: { 'content-type': ['application/json'] }, parameters: { a: ['1'] } },
    });
  });

  it('answers the same NOT_FOUND for an unknown flow and for an unknown key', async () => {
    const { deps: d } = deps();
    const unknownFlow = await handleWebhook(d, 'io.aloft', 'nope', 'k3y', req('{}')).catch((e) => e);
    const unknownKey = await handleWebhook(d, 'io.aloft', 'hook', 'wrong', req('{}')).catch((e) => e);
    expect(unknownFlow.code).toBe('NOT_FOUND');
    expect(unknownKey.code).toBe('NOT_FOUND');
    expect(unknownFlow.message).toBe(unknownKey.message);
  });

  it('skips the start when the trigger conditions do not hold', async () => {
    const { deps: d, calls } = deps();
    expect(await handleWebhook(d, 'io.aloft', 'hook', 'k3y', req('{"go":false}'))).toMatchObject({ status: 'skipped' });
    expect(calls).toEqual([]);
  });
});
