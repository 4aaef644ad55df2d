import { decodePubSubEvent, topicOf } from '../../../lib/runtime/cloud/triggers';
import { harness, pushEvent } from './helpers';

const FLOW = `
id: on-message
namespace: unit.cloud
inputs:
  - name: order
    type: STRING
tasks:
  - id: show
    type: io.kestra.core.tasks.debugs.Return
    format: "{{ inputs.order }}"
triggers:
  - id: orders
    type: io.kestra.plugin.gcp.pubsub.Trigger
    topic: orders
    serdeType: JSON
    inputs:
      order: "{{ trigger.data.id }}"
`;

describe('the cloud pubsubTrigger function', () => {
  it('starts the flow whose PubSub trigger listens on the message topic, once per message id', async () => {
    const h = await harness();
    await h.deploy(FLOW);
    const event = pushEvent({ id: 'A-1' }, {}, 'projects/unit/topics/orders');
    const first = await h.rt.pubsubTrigger(event);
    expect(first).toEqual({ topic: 'projects/unit/topics/orders', outcomes: [{ flow: 'unit.cloud.on-message', trigger: 'orders', status: 'started' }] });
    expect((await h.rt.pubsubTrigger(event)).outcomes[0].status).toBe('duplicate');
    const { executions } = await h.adapters.store.list({});
    expect(executions).toHaveLength(1);
    expect(executions[0].inputs).toEqual({ order: 'A-1' });
  });

  it('dead-letters a message no trigger can use, with the reason', async () => {
    const h = await harness();
    await h.deploy(FLOW);
    await h.rt.pubsubTrigger(pushEvent('not json', {}, 'projects/unit/topics/orders'));
    expect(h.adapters.deadLetters).toEqual([expect.objectContaining({ group: 'pubsub-trigger', reason: expect.stringContaining('is not JSON') })]);
  });

  it('acknowledges a message on a topic no flow listens on', async () => {
    const h = await harness();
    await h.deploy(FLOW);
    expect(await h.rt.pubsubTrigger(pushEvent('{}', {}, 'projects/unit/topics/other'))).toEqual({ topic: 'projects/unit/topics/other', outcomes: [] });
    expect(h.adapters.deadLetters).toEqual([]);
  });

  it('reads the topic from the CloudEvent source and refuses events that are not messages', () => {
    expect(topicOf('//pubsub.googleapis.com/projects/p/topics/t')).toBe('projects/p/topics/t');
    expect(() => decodePubSubEvent({ source: 'x', data: {} }, new Date())).toThrow(expect.objectContaining({ code: 'MESSAGE_INVALID' }));
  });
});
