// The worker message codec: what a worker function receives, accepted or rejected with a reason.
import { Readable } from 'node:stream';
import {
  attributeValue, decodeCloudEventMessage, decodePushMessage, decodeWorkerTask, encodeWorkerTask, loadVariables, variablesUriFor,
} from '../../../lib/adapters/gcp/pubsub-messages';
import type { WorkerTask } from '../../../lib/model/worker-messages';
import type { BlobInfo, BlobStore } from '../../../lib/ports/blob-store';
import { AloftError, ErrorCode } from '../../../lib/model/errors';

const task: WorkerTask = {
  executionId: 'e1', taskRunId: 'r1', attempt: 0, taskId: 't', type: 'io.kestra.core.tasks.debugs.Return', group: 'core',
  task: { id: 't', type: 'io.kestra.core.tasks.debugs.Return', format: 'x' }, variables: { flow: { id: 'f', namespace: 'a.b' } },
};
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const envelope = (data: string, attributes: Record<string, string> = {}) => ({
  message: { data: b64(data), attributes, messageId: '42', publishTime: '2024-03-14T10:00:00.000Z' }, subscription: 'projects/p/subscriptions/s',
});

/** A BlobStore in a Map: these tests are about the codec, not storage. */
class MapBlobs implements BlobStore {
  readonly files = new Map<string, Buffer>();
  async put(uri: string, data: Readable | Buffer | string): Promise<BlobInfo> {
    const buf = Buffer.isBuffer(data) ? data : typeof data === 'string' ? Buffer.from(data) : Buffer.concat(await data.toArray());
    this.files.set(uri, buf);
    return { uri, size: buf.length };
  }
  async get(uri: string): Promise<Readable> {
    const f = this.files.get(uri);
    if (!f) throw new AloftError(ErrorCode.STORAGE_NOT_FOUND, `no ${uri}`);
    return Readable.from([f]);
  }
  async exists(uri: string): Promise<boolean> { return this.files.has(uri); }
  async list(): Promise<BlobInfo[]> { return []; }
  async delete(uri: string): Promise<boolean> { return this.files.delete(uri); }
}

describe('decodePushMessage', () => {
  it('returns the worker task, its attributes and message id from a push body given as an object, text or bytes', () => {
    const body = envelope(JSON.stringify(task), { executionId: 'e1' });
    for (const form of [body, JSON.stringify(body), Buffer.from(JSON.stringify(body))]) {
      expect(decodePushMessage(form)).toEqual({ ok: true, task, attributes: { executionId: 'e1' }, messageId: '42' });
    }
  });

  it('rejects data that is not JSON, keeping the data for the dead letter', () => {
    expect(decodePushMessage(envelope('{oops'))).toMatchObject({ ok: false, data: '{oops', reason: expect.stringMatching(/^message is not JSON/) });
  });

  it('rejects JSON that is not a worker task and names the field', () => {
    const out = decodePushMessage(envelope(JSON.stringify({ ...task, attempt: 'first' })));
    expect(out.ok).toBe(false);
    expect(!out.ok && out.reason).toMatch(/attempt/);
  });

  it('rejects a body that is not a Pub/Sub envelope', () => {
    expect(decodePushMessage({ hello: 'world' })).toMatchObject({ ok: false, reason: expect.stringMatching(/not a Pub\/Sub message/), data: '{"hello":"world"}' });
    expect(decodePushMessage('plain text')).toMatchObject({ ok: false });
    expect(decodePushMessage({ message: { attributes: {} } })).toMatchObject({ ok: false, reason: 'message has no data' });
  });
});

describe('decodeCloudEventMessage', () => {
  it('reads the messagePublished envelope from the CloudEvent data, as an object or JSON text', () => {
    const data = envelope(JSON.stringify(task), { taskRunId: 'r1' });
    const event = { specversion: '1.0', type: 'google.cloud.pubsub.topic.v1.messagePublished', source: '//pubsub.googleapis.com/projects/p/topics/t', id: '42', data };
    expect(decodeCloudEventMessage(event)).toEqual({ ok: true, task, attributes: { taskRunId: 'r1' }, messageId: '42' });
    expect(decodeCloudEventMessage({ ...event, data: JSON.stringify(data) })).toMatchObject({ ok: true, task });
  });

  it('rejects an event without data', () => {
    expect(decodeCloudEventMessage({ type: 'x' })).toMatchObject({ ok: false, reason: expect.stringMatching(/CloudEvent data/) });
    expect(decodeCloudEventMessage(null)).toMatchObject({ ok: false });
  });
});

describe('encodeWorkerTask and loadVariables', () => {
  it('keeps a small task whole, with its attributes', async () => {
    const out = await encodeWorkerTask(task, new MapBlobs());
    expect(JSON.parse(out.data.toString())).toEqual(task);
    expect(out.attributes).toEqual({ executionId: 'e1', taskRunId: 'r1', attempt: '0', group: 'core' });
  });

  it('moves large variables beside the execution and brings them back', async () => {
    const blobs = new MapBlobs();
    const big = { ...task, variables: { ...task.variables, rows: 'y'.repeat(300 * 1024) } };
    const out = await encodeWorkerTask(big, blobs);
    const slim = decodeWorkerTask(out.data);
    expect(slim.ok && slim.task.variablesUri).toBe('kestra:///a/b/f/executions/e1/messages/r1-0-variables.json');
    expect(slim.ok && (await loadVariables(slim.task, blobs))).toEqual(big);
  });

  it('refuses a task that is too large even without its variables', async () => {
    const huge = { ...task, task: { ...task.task, script: 'z'.repeat(300 * 1024) } };
    await expect(encodeWorkerTask(huge, new MapBlobs())).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('reports a variables file that is gone as an invalid message', async () => {
    await expect(loadVariables({ ...task, variablesUri: 'kestra:///a/b/gone.json' }, new MapBlobs())).rejects.toMatchObject({ code: 'MESSAGE_INVALID' });
  });

  it('puts variables of a task without flow variables under the execution id', () => {
    expect(variablesUriFor({ ...task, variables: {} })).toBe('kestra:///_aloft/executions/e1/messages/r1-0-variables.json');
  });
});

describe('attributeValue', () => {
  it('keeps a short text as it is', () => {
    expect(attributeValue('message is not JSON')).toBe('message is not JSON');
  });

  it('cuts a long text to 1,024 bytes of UTF-8, not 1,024 characters, and never inside a character', () => {
    const cut = attributeValue('é'.repeat(1000));
    expect(Buffer.byteLength(cut)).toBe(1024);
    expect(cut).toBe('é'.repeat(512));
    const emoji = attributeValue(`a${'😀'.repeat(400)}`);
    expect(Buffer.byteLength(emoji)).toBeLessThanOrEqual(1024);
    expect(emoji).toBe(`a${'😀'.repeat(255)}`);
  });
});
