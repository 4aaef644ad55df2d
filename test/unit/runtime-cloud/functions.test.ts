import { getFunction } from '@google-cloud/functions-framework/testing';
import { FUNCTIONS, PUBSUB_TRIGGER_TOPIC } from '../../../lib/wiring/manifest';
import { PUBSUB_TRIGGER_TOPIC as RUNTIME_TOPIC } from '../../../lib/wiring/gcp-adapters';
import { registrations } from '../../../lib/wiring/handlers';

describe('functions/', () => {
  it('registers every manifest entry point on import, without reading the env or creating a client', async () => {
    const before = { ...process.env };
    delete process.env.GOOGLE_CLOUD_PROJECT;
    try {
      await import('../../../functions/index');
      for (const f of FUNCTIONS) expect(typeof getFunction(f.entryPoint)).toBe('function');
      // The emulated cloud (lib/dev) registers these same handlers without importing functions/.
      for (const r of registrations()) expect(getFunction(r.entryPoint)).toBe(r.handler);
    } finally {
      process.env = before;
    }
  });

  it('dead-letters pubsub-trigger messages on the topic the manifest names', () => {
    expect(RUNTIME_TOPIC).toBe(PUBSUB_TRIGGER_TOPIC);
  });
});
