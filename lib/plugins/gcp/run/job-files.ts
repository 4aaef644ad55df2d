// How a task's working directory reaches a Cloud Run Job and comes back: a folder of the internal
// storage bucket (`_jobs/<id>/`), which the job mounts (a Cloud Storage volume) at the working
// directory's own path, so the paths the task wrote (config.json…) are the same inside the job.
// - Before each step: the directory's files go up (the virtualenv lives only in the bucket).
// - After each step: the files the step wrote come back, the virtualenv left there.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';

/** Left in the bucket between the steps of one task: big, and only the job uses it. */
export const JOB_ONLY = ['venv'] as const;

export interface JobFiles {
  /** The bucket the job mounts. */
  bucket: string;
  upload(dir: string, prefix: string): Promise<void>;
  download(prefix: string, dir: string): Promise<void>;
  remove(prefix: string): Promise<void>;
}

const kept = (rel: string): boolean => !JOB_ONLY.some((d) => rel === d || rel.startsWith(`${d}/`));

/** Regular files under `dir`, relative, without the job-only folders. */
export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const rel = relative(dir, join(e.parentPath, e.name)).split('\\').join('/');
    if (kept(rel)) out.push(rel);
  }
  return out.sort();
}

interface GcsBucket {
  upload(path: string, opts: { destination: string }): Promise<unknown>;
  getFiles(opts: { prefix: string }): Promise<[{ name: string; createReadStream(): NodeJS.ReadableStream; delete(): Promise<unknown> }[]]>;
}

/** The internal storage bucket through @google-cloud/storage (STORAGE_EMULATOR_HOST for an emulator). */
export function gcsJobFiles(bucketName: string, projectId: string): JobFiles {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use
  const { Storage } = require('@google-cloud/storage') as typeof import('@google-cloud/storage');
  const bucket = new Storage({ projectId }).bucket(bucketName) as unknown as GcsBucket;
  return {
    bucket: bucketName,
    async upload(dir, prefix) {
      for (const rel of await filesUnder(dir)) await bucket.upload(join(dir, rel), { destination: `${prefix}/${rel}` });
    },
    async download(prefix, dir) {
      const [files] = await bucket.getFiles({ prefix: `${prefix}/` });
      for (const f of files) {
        const rel = f.name.slice(prefix.length + 1);
        if (!rel || !kept(rel)) continue;
        await mkdir(dirname(join(dir, rel)), { recursive: true });
        await pipeline(f.createReadStream(), createWriteStream(join(dir, rel)));
      }
    },
    async remove(prefix) {
      const [files] = await bucket.getFiles({ prefix: `${prefix}/` });
      await Promise.all(files.map((f) => f.delete()));
    },
  };
}

/** A local folder standing for the bucket (`root/<prefix>/…`): for tests and a machine without Cloud Storage. */
export function folderJobFiles(root: string, bucket = 'local'): JobFiles {
  return {
    bucket,
    async upload(dir, prefix) {
      await mkdir(join(root, prefix), { recursive: true });
      await copyTree(dir, join(root, prefix), await filesUnder(dir));
    },
    download: async (prefix, dir) => copyTree(join(root, prefix), dir, await filesUnder(join(root, prefix))),
    remove: (prefix) => rm(join(root, prefix), { recursive: true, force: true }),
  };
}

async function copyTree(from: string, to: string, files: readonly string[]): Promise<void> {
  for (const rel of files) {
    await mkdir(dirname(join(to, rel)), { recursive: true });
    await pipeline(createReadStream(join(from, rel)), createWriteStream(join(to, rel)));
  }
}
