// Fuzz cases for what reaches the cloud functions without HTTP routes: worker messages (Pub/Sub push
// bodies and CloudEvents), Firestore events for the executor, and Pub/Sub trigger messages. Decoders
// must answer every input with a decoded value, a refusal or a MESSAGE_INVALID: anything else thrown
// (a TypeError, a RangeError) counts as a crash.
import { decodeCloudEventMessage, decodePushMessage, decodeWorkerTask } from '../../lib/adapters/gcp/pubsub-messages';
import { ErrorCode } from '../../lib/model/errors';
import { decodeInboxWrite } from '../../lib/runtime/cloud/firestore-event';
import { parseTrigger } from '../../lib/triggers/catalog';
import { pubSubVariables } from '../../lib/triggers/pubsub';
import { prng } from './cases';

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

const VALID_TASK = {
  executionId: 'e1', taskRunId: 'r1', attempt: 0, taskId: 't', type: 'io.kestra.core.tasks.debugs.Return', group: 'core',
  task: { id: 't', type: 'io.kestra.core.tasks.debugs.Return', format: 'x' }, variables: { inputs: {} },
};

const VALUES: readonly unknown[] = [
  null, undefined, 0, -1, 1e309, '', 'x', '\u0000', '__proto__', 'constructor', [], {}, [[[[]]]], { __proto__: { a: 1 } }, true,
  'a'.repeat(100_000), Buffer.from([0xff, 0xfe, 0x00]), { toString: 1 }, { valueOf: 'x' },
];

function deepText(r: Rand): string {
  const n = pick(r, [10, 1001, 50_000]);
  return '['.repeat(n) + ']'.repeat(n);
}

function mutate(r: Rand, base: Record<string, unknown>): unknown {
  const out: Record<string, unknown> = { ...base };
  for (const k of Object.keys(out)) if (r() < 0.2) out[k] = pick(r, VALUES);
  if (r() < 0.2) Object.defineProperty(out, pick(r, ['__proto__', 'constructor', 'toString']), { value: pick(r, VALUES), enumerable: true });
  return out;
}

function randomBytes(r: Rand): Buffer {
  return Buffer.from(Array.from({ length: Math.floor(r() * 200) }, () => Math.floor(r() * 256)));
}

const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');

/** One message case: a function that decodes a generated input. */
export function messageCase(seed: number, index: number): { name: string; run: () => unknown } {
  const r = prng(seed * 7_000_003 + index);
  const roll = Math.floor(r() * 6);
  switch (roll) {
    case 0: {
      const data = r() < 0.3 ? deepText(r) : r() < 0.5 ? JSON.stringify(mutate(r, VALID_TASK)) : randomBytes(r).toString('latin1');
      return { name: 'worker task', run: () => decodeWorkerTask(data, {}, 'm') };
    }
    case 1: {
      const body = r() < 0.5 ? { message: mutate(r, { data: b64(JSON.stringify(mutate(r, VALID_TASK))), messageId: 'm', attributes: { a: 'b' } }) } : pick(r, VALUES);
      return { name: 'push body', run: () => decodePushMessage(r() < 0.3 ? JSON.stringify(body) ?? '' : body) };
    }
    case 2: {
      const event = { data: r() < 0.5 ? { message: { data: b64(deepText(r)) } } : pick(r, VALUES), id: 'x' };
      return { name: 'worker CloudEvent', run: () => decodeCloudEventMessage(mutate(r, event)) };
    }
    case 3: {
      const data = r() < 0.5 ? randomBytes(r) : r() < 0.5 ? b64(randomBytes(r)) : mutate(r, { value: { name: 'projects/p/databases/(default)/documents/executions/e/inbox/k', fields: {} } });
      const event = mutate(r, { id: 'ev', source: '//firestore', type: 'google.cloud.firestore.document.v1.written', specversion: '1.0', data, subject: 'documents/executions/e/inbox/k' });
      return { name: 'Firestore event', run: () => decodeInboxWrite(event) };
    }
    default: {
      const parsed = parseTrigger({ id: 'p', type: 'io.kestra.plugin.gcp.pubsub.Trigger', topic: 't', serdeType: pick(r, ['STRING', 'JSON']) });
      const data = r() < 0.4 ? Buffer.from(deepText(r)) : randomBytes(r);
      return {
        name: 'Pub/Sub trigger message',
        run: () => {
          if (parsed.ok !== true || parsed.trigger.kind !== 'PubSub') return undefined;
          return pubSubVariables(parsed.trigger, { data, attributes: {}, messageId: 'm', publishTime: '2024-01-01T00:00:00Z' });
        },
      };
    }
  }
}

/** Whether something a decoder threw is an accepted refusal. */
export function isRefusal(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return code === ErrorCode.MESSAGE_INVALID || code === ErrorCode.INPUT_INVALID;
}
