// A librdkafka mock cluster of the client's own librdkafka (2.15), started in this process. Unlike
// the one scripts/services/kafka.sh starts through kcat (Debian's librdkafka 2.0.2), it writes the
// COMMIT and ABORT markers of transactions into the partitions' logs.
import { loadKafka } from '../../../lib/plugins/kafka/client';

export async function startMockCluster(): Promise<{ bootstrap: string; stop(): Promise<void> }> {
  const { Producer } = await loadKafka();
  // The mock cluster lives as long as the client that started it: this producer sends nothing.
  const holder = new Producer({ 'bootstrap.servers': '127.0.0.1:1', 'test.mock.num.brokers': 3, event_cb: true, log_level: 6 } as ConstructorParameters<typeof Producer>[0]);
  const bootstrap = new Promise<string>((resolve) => holder.on('event.log', (e: { message: string }) => {
    const m = /replaced with ([0-9.:,]+)/.exec(e.message);
    if (m) resolve(m[1]);
  }));
  await new Promise<void>((resolve, reject) => holder.connect({}, (err) => (err ? reject(err) : resolve())));
  return { bootstrap: await bootstrap, stop: () => new Promise((resolve) => holder.disconnect(() => resolve())) };
}
