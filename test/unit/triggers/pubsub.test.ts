import type { ParsedTriggerOf } from '../../../lib/triggers/catalog';
import { handlePubSubMessage, pubSubVariables, subscriptionSpec, type PubSubMessage, type PubSubTarget } from '../../../lib/triggers/pubsub';
import { flowWith, parsed, recordingStart, renderer } from './fixtures';
import { startExecution } from '../../../lib/runtime/core/start-execution';
import { MemoryStateStore, FolderBlobStore, SystemClock, RandomIds } from '../../../lib/adapters/local';
import { tempDir } from '../../helpers/temp-dirs';

const TYPE = 'io.kestra.plugin.gcp.pubsub.RealtimeTrigger';

function target(props: Record<string, unknown>, flowExtra = {}): PubSubTarget {
  const t = { id: 'on-message', type: TYPE, topic: 'orders', ...props };
  return { flow: flowWith('io.aloft', 'consume', [t], flowExtra), trigger: parsed(t) as ParsedTriggerOf<'PubSub'> };
}

const message = (data: string, messageId = 'm1'): PubSubMessage => ({
  data: Buffer.from(data), attributes: { source: 'test' }, messageId, publishTime: '2024-03-14T10:00:00.000Z',
});

/** The runtime's real startExecution, so input checks are the ones the flow will really get. */
function realStart() {
  const deps = { store: new MemoryStateStore(), blobs: new FolderBlobStore({ root: tempDir('aloft-pubsub-') }), clock: new SystemClock(), ids: new RandomIds(), wake: () => undefined };
  return (req: Parameters<typeof startExecution>[1]) => startExecution(deps, req);
}

describe('pubSubVariables', () => {
  it('gives data as text by default, with attributes, messageId and publishTime', () => {
    expect(pubSubVariables(target({}).trigger, message('{"a":1}'))).toEqual({
      data: '{"a":1}', attributes: { source: 'test' }, messageId: 'm1', publishTime: '2024-03-14T10:00:00.000Z',
    });
  });

  it('parses data as JSON with serdeType JSON and refuses data that is not JSON with MESSAGE_INVALID', () => {
    const t = target({ serdeType: 'JSON' }).trigger;
    expect(pubSubVariables(t, message('{"a":1}')).data).toEqual({ a: 1 });
    expect(() => pubSubVariables(t, message('nope'))).toThrow(expect.objectContaining({ code: 'MESSAGE_INVALID' }));
    expect(() => pubSubVariables(t, message('['.repeat(1001) + ']'.repeat(1001)))).toThrow(
      expect.objectContaining({ code: 'MESSAGE_INVALID', message: 'message m1 is nested deeper than 1000 levels', location: { property: 'data' } }),
    );
  });
});

describe('subscriptionSpec', () => {
  it('uses the trigger subscription, or one named after the flow and trigger', () => {
    expect(subscriptionSpec(target({ subscription: 'mine', projectId: 'p1' }), 'local')).toEqual({ projectId: 'p1', topic: 'orders', subscription: 'mine' });
    expect(subscriptionSpec(target({}), 'local')).toEqual({ projectId: 'local', topic: 'orders', subscription: 'aloft.io.aloft.consume.on-message' });
  });
});

describe('handlePubSubMessage', () => {
  it('starts one execution per message with inputs rendered from the message', async () => {
    const { start, calls } = recordingStart();
    const t = target({ serdeType: 'JSON', inputs: { order: '{{ trigger.data.id }}' } });
    const out = await handlePubSubMessage({ start, renderer }, t, message('{"id":"o-42"}'));
    expect(out.status).toBe('started');
    expect(calls[0]).toMatchObject({ inputs: { order: 'o-42' }, trigger: { id: 'on-message', type: TYPE, variables: { messageId: 'm1' } } });
  });

  it('starts nothing new for a redelivered message', async () => {
    const { start, calls } = recordingStart();
    const t = target({});
    expect((await handlePubSubMessage({ start, renderer }, t, message('x', 'same'))).status).toBe('started');
    expect((await handlePubSubMessage({ start, renderer }, t, message('x', 'same'))).status).toBe('duplicate');
    expect(calls).toHaveLength(1);
  });

  it('rejects a message the flow inputs refuse, naming the flow, trigger and input', async () => {
    const t = target({ serdeType: 'JSON', inputs: { count: '{{ trigger.data.count }}' } }, { inputs: [{ id: 'count', type: 'INT', required: true }] });
    const out = await handlePubSubMessage({ start: realStart(), renderer }, t, message('{"count":"many"}'));
    expect(out).toMatchObject({ status: 'rejected', error: { code: 'INPUT_INVALID', flow: 'io.aloft.consume' } });
    expect(out.status === 'rejected' && out.error.message).toMatch(/message m1 rejected by io\.aloft\.consume trigger on-message: .*count/);
  });

  it('rejects a message whose data is not JSON when the trigger expects JSON', async () => {
    const { start, calls } = recordingStart();
    const out = await handlePubSubMessage({ start, renderer }, target({ serdeType: 'JSON' }), message('{oops'));
    expect(out).toMatchObject({ status: 'rejected', error: { code: 'MESSAGE_INVALID' } });
    expect(calls).toEqual([]);
  });

  it('throws infrastructure failures so the message is delivered again', async () => {
    const start = async () => { throw Object.assign(new Error('unavailable'), { code: 'UNAVAILABLE' }); };
    await expect(handlePubSubMessage({ start, renderer }, target({}), message('x'))).rejects.toThrow('unavailable');
  });
});
