// multipart/form-data bodies (FILE inputs, Kestra's execution form) parsed with busboy.
import busboy from 'busboy';
import type { IncomingHttpHeaders } from 'node:http';
import { AloftError, ErrorCode } from '../model/errors';
import { setOwn } from '../model/own';
import type { UploadedFile } from './service';

export interface FormData {
  fields: Record<string, string>;
  files: Record<string, UploadedFile>;
}

/** Parses an already bounded body. A repeated field or file name is refused (one value per input). */
export function parseMultipart(headers: IncomingHttpHeaders, body: Buffer): Promise<FormData> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      // Browsers and curl send UTF-8 file names unencoded; busboy would read them as latin1.
      bb = busboy({ headers, preservePath: false, defParamCharset: 'utf8' });
    } catch (err) {
      reject(new AloftError(ErrorCode.MESSAGE_INVALID, `invalid multipart request: ${(err as Error).message}`));
      return;
    }
    const form: FormData = { fields: {}, files: {} };
    const pending: Promise<void>[] = [];
    let failed: AloftError | undefined;
    const fail = (message: string): void => { failed ??= new AloftError(ErrorCode.INPUT_INVALID, message); };
    // Own properties only: a field named constructor or __proto__ is a name like any other.
    const seen = (name: string): boolean => Object.hasOwn(form.fields, name) || Object.hasOwn(form.files, name);
    bb.on('field', (name, value) => {
      if (seen(name)) fail(`the form has '${name}' more than once`);
      setOwn(form.fields, name, value);
    });
    bb.on('file', (name, stream, info) => {
      if (seen(name)) fail(`the form has '${name}' more than once`);
      const chunks: Buffer[] = [];
      pending.push(new Promise((done, error) => {
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', error);
        stream.on('end', () => {
          setOwn(form.files, name, { fileName: info.filename || name, data: Buffer.concat(chunks) });
          done();
        });
      }));
    });
    bb.on('error', (err: Error) => reject(new AloftError(ErrorCode.MESSAGE_INVALID, `invalid multipart request: ${err.message}`)));
    bb.on('close', () => {
      Promise.all(pending).then(() => (failed ? reject(failed) : resolve(form)), reject);
    });
    bb.end(body);
  });
}
