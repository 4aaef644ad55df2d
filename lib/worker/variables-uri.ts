// Variables too large for a message travel as a kestra:/// JSON file written by the executor.
import { AloftError, ErrorCode } from '../model/errors';
import type { BlobStore } from '../ports/blob-store';

export async function loadVariables(blobs: BlobStore, uri: string): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of await blobs.get(uri)) chunks.push(Buffer.from(chunk));
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw new AloftError(ErrorCode.MESSAGE_INVALID, `variables file ${uri} is not JSON: ${(err as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new AloftError(ErrorCode.MESSAGE_INVALID, `variables file ${uri} does not hold a JSON object`);
  }
  return value as Record<string, unknown>;
}
