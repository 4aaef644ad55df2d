// The emulated cloud's delivery process (started by lib/dev/delivery-process.ts): the Eventarc relay
// and the push subscriptions of its plan. SIGTERM lets the deliveries in flight end and flushes their
// acknowledgements before it exits; so does its parent's death (it runs in a process group of its own,
// so it would otherwise keep streaming from the emulators).
import { EventarcRelay, PushDelivery, type DeliveryLog } from './delivery';
import { DELIVERY_PLAN_VAR, parseDeliveryPlan, type DeliveryLine } from './delivery-process';

const say = (line: DeliveryLine): void => void process.stdout.write(`${JSON.stringify(line)}\n`);

async function main(): Promise<void> {
  const plan = parseDeliveryPlan(process.env[DELIVERY_PLAN_VAR]);
  const log: DeliveryLog = (severity, message) => say({ kind: 'log', severity, message });
  // Reported to the parent, which restarts a child that died; a stray rejection does not stop delivery.
  process.on('unhandledRejection', (err) => log('ERROR', `event delivery: unhandled rejection: ${(err as Error)?.stack ?? String(err)}`));
  process.on('uncaughtException', (err) => {
    log('ERROR', `event delivery: ${err.stack ?? String(err)}`);
    process.exit(1);
  });
  const relay = plan.relay ? new EventarcRelay({ target: plan.relay.target, concurrency: plan.relay.concurrency, duplicateEvery: plan.relay.duplicateEvery, log }) : undefined;
  if (relay && plan.relay) await relay.listen(plan.relay.port);
  const pushes = plan.pushes.map((p) => new PushDelivery({ ...p, log }));
  for (const p of pushes) p.start();
  // Alive until told to stop, even when no subscription is left streaming (one deleted under it), and
  // no longer than its parent.
  const parent = process.ppid;
  const alive = setInterval(() => { if (process.ppid !== parent) void stop(); }, 1000);
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    clearInterval(alive);
    await Promise.all(pushes.map((p) => p.stop()));
    await relay?.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
  say({ kind: 'ready' });
}

main().catch((err: unknown) => {
  process.stderr.write(`event delivery failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
