import { getFunction } from '@google-cloud/functions-framework/testing';
import { FUNCTIONS, PUBSUB_TRIGGER_TOPIC } from '../../../lib/wiring/manifest';
import { PUBSUB_TRIGGER_TOPIC as RUNTIME_TOPIC } from '../../../lib/wiring/gcp-adapters';

describe('functions/', () => {
  it('registers every manifest entry point on import, without reading the env or creating a client', async () => {
    const before = { ...process.env };
    delete process.env.GOOGLE_CLOUD_PROJECT;
    try {
      await import('../../../functions/index');
      for (const f of FUNCTIONS) expect(typeof getFunction(f.entryPoint)).toBe('function');
    } finally {
      process.env = before;
    }
  });

  it('dead-letters pubsub-trigger messages on the topic the manifest names', () => {
    expect(RUNTIME_TOPIC).toBe(PUBSUB_TRIGGER_TOPIC);
  });
});
