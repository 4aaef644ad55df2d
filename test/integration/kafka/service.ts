// The Kafka mock cluster started by scripts/services/kafka.sh: its bootstrap address, a way to skip
// (locally, with the reason) or fail (in CI) when it is not running, and kcat to read topics back.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const KAFKA_BOOTSTRAP = process.env.KAFKA_BOOTSTRAP;

/** `describe` when the mock cluster runs; locally without it, a skipped suite that says why; in CI, a failure. */
export function describeWithKafka(name: string, fn: () => void): void {
  if (KAFKA_BOOTSTRAP) return describe(name, fn);
  const why = 'KAFKA_BOOTSTRAP is not set: run `scripts/services/kafka.sh start` and load .aloft/run/kafka.env (scripts/test-all.sh does both)';
  if (process.env.CI === 'true') {
    describe(name, () => it('needs the Kafka mock cluster', () => { throw new Error(why); }));
    return;
  }
  console.warn(`skipping "${name}": ${why}`);
  describe.skip(name, fn);
}

export const uniqueTopic = (prefix: string): string => `${prefix}-${randomBytes(5).toString('hex')}`;

export interface KcatMessage {
  topic: string;
  partition: number;
  offset: number;
  ts: number;
  key: string | null;
  payload: string | null;
  headers?: string[];
}

/** Every message of a topic, read with kcat (-J: one JSON object per message). */
export async function kcatRead(topic: string, extra: string[] = []): Promise<KcatMessage[]> {
  const { stdout } = await run('kcat', ['-C', '-b', KAFKA_BOOTSTRAP!, '-t', topic, '-o', 'beginning', '-e', '-J', '-q', ...extra], { maxBuffer: 64 << 20 });
  return stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as KcatMessage);
}

/** Produces lines (key and value separated by a tab) with kcat. */
export async function kcatWrite(topic: string, lines: string[]): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = execFile('kcat', ['-P', '-b', KAFKA_BOOTSTRAP!, '-t', topic, '-K', '\t'], (err) => (err ? reject(err) : resolve()));
    child.stdin!.end(lines.map((l) => `${l}\n`).join(''));
  });
}

/** The committed offsets of a group on a topic, by partition (-1 where it has none). */
export async function committedOffsets(groupId: string, topic: string): Promise<number[]> {
  const { committedOffsets: read } = await import('../../../lib/plugins/kafka/client');
  return read({ 'bootstrap.servers': KAFKA_BOOTSTRAP! }, groupId, topic);
}
