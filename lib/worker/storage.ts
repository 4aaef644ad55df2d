// A task run's view of internal storage: it writes under its own task run folder and reads only
// files of its own execution, of the execution that triggered it, or of its parent.
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { AloftError, ErrorCode } from '../model/errors';
import { assertReadable, executionPrefix, flowStateKey, keyToUri, taskFileKey, uriToKey } from '../model/storage-uri';
import type { TaskStorage } from '../plugins/types';
import type { BlobStore } from '../ports/blob-store';

export interface TaskFileOwner {
  namespace: string;
  flowId: string;
  executionId: string;
  taskId: string;
  taskRunId: string;
}

export class ScopedTaskStorage implements TaskStorage {
  constructor(
    private readonly blobs: BlobStore,
    private readonly owner: TaskFileOwner,
    private readonly readable: readonly string[],
  ) {}

  async put(fileName: string, data: Readable | Buffer | string): Promise<{ uri: string; size: number }> {
    return this.blobs.put(keyToUri(taskFileKey(this.owner, fileName)), data);
  }

  async get(uri: string): Promise<Readable> {
    assertReadable(uriToKey(uri), this.readable);
    return this.blobs.get(uri);
  }

  async *readRows(uri: string): AsyncIterable<Record<string, unknown>> {
    const lines = createInterface({ input: await this.get(uri), crlfDelay: Infinity });
    let n = 0;
    for await (const line of lines) {
      n++;
      if (line.trim() === '') continue;
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch (err) {
        throw new AloftError(ErrorCode.TASK_FAILED, `${uri} line ${n} is not JSON: ${(err as Error).message}`);
      }
      if (!row || typeof row !== 'object' || Array.isArray(row)) {
        throw new AloftError(ErrorCode.TASK_FAILED, `${uri} line ${n} is not a JSON object`);
      }
      yield row as Record<string, unknown>;
    }
  }

  async writeRows(fileName: string, rows: AsyncIterable<unknown> | Iterable<unknown>): Promise<{ uri: string; size: number; rows: number }> {
    let count = 0;
    // Lines are grouped into chunks of about 64 KiB: one write per row would be slow.
    async function* lines(): AsyncGenerator<string> {
      let chunk = '';
      for await (const row of rows as AsyncIterable<unknown>) {
        count++;
        chunk += `${JSON.stringify(row === undefined ? null : row)}\n`;
        if (chunk.length >= 65_536) {
          yield chunk;
          chunk = '';
        }
      }
      if (chunk) yield chunk;
    }
    const info = await this.put(fileName, Readable.from(lines()));
    return { ...info, rows: count };
  }

  async list(folderUri: string): Promise<Array<{ uri: string; size: number }>> {
    const key = uriToKey(folderUri);
    assertReadable(key, this.readable);
    return this.blobs.list(keyToUri(`${key}/`));
  }

  async size(uri: string): Promise<number> {
    const key = uriToKey(uri);
    assertReadable(key, this.readable);
    const canonical = keyToUri(key);
    // Listed from its folder: adapters list folders, not single files.
    const folder = keyToUri(key.slice(0, key.lastIndexOf('/')));
    const found = (await this.blobs.list(folder)).find((b) => b.uri === canonical);
    if (!found) throw new AloftError(ErrorCode.STORAGE_NOT_FOUND, `${canonical} does not exist`);
    return found.size;
  }

  async delete(uri: string): Promise<boolean> {
    assertReadable(uriToKey(uri), [this.ownPrefix()]);
    return this.blobs.delete(uri);
  }

  async deleteExecutionFiles(): Promise<string[]> {
    const deleted: string[] = [];
    for (const file of await this.blobs.list(keyToUri(`${this.ownPrefix()}/`))) {
      if (await this.blobs.delete(file.uri)) deleted.push(file.uri);
    }
    return deleted;
  }

  async getState(name: string, file: string): Promise<string | undefined> {
    const uri = this.stateUri(name, file);
    if (!await this.blobs.exists(uri)) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of await this.blobs.get(uri)) chunks.push(Buffer.from(chunk as Buffer));
    return Buffer.concat(chunks).toString('utf8');
  }

  async putState(name: string, file: string, content: string): Promise<string> {
    return (await this.blobs.put(this.stateUri(name, file), content)).uri;
  }

  /** The state name is one folder: no separators, nothing that climbs out of the flow's `states`. */
  private stateUri(name: string, file: string): string {
    if (!/^[\w.-]{1,200}$/.test(name) || name === '.' || name === '..') {
      throw new AloftError(ErrorCode.INPUT_INVALID, `the state name '${name.slice(0, 60)}' may hold only letters, digits, '.', '_' and '-'`, { property: 'stateName' });
    }
    return keyToUri(flowStateKey(this.owner.namespace, this.owner.flowId, name, file));
  }

  private ownPrefix(): string {
    return executionPrefix(this.owner.namespace, this.owner.flowId, this.owner.executionId);
  }
}
