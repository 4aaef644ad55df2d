// `aloft dev`: the emulated cloud on this machine (lib/dev/cloud.ts). Prints the API URL, serves until
// Ctrl-C, then stops every process it started. Function logs go to stderr, one line each.
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { toErrorData } from '../model/errors';
// Loaded only by `aloft dev`: the emulated cloud brings functions-framework and protobufjs, which no
// other command needs (a test holds `aloft run` to that).
import type { EmulatedCloud, EmulatedCloudOptions } from '../dev/cloud';
import { ExitCode, type CliIO } from './io';

export interface DevOptions {
  /** Port of the api function; default a free one. */
  port?: number;
  /** A folder of flows created through the api once everything is up. */
  flows?: string;
  /** Print the functions' structured log lines as JSON instead of one readable line each. */
  jsonLogs?: boolean;
  /** How often the scheduler function is called (ms). Default 2000. */
  schedulerIntervalMs?: number;
  /** Topics whose messages start flows with a PubSub trigger. */
  pubsubTopics?: string[];
  /** Folder for logs and emulator data. Default: .aloft/dev (under ALOFT_DATA_DIR when set). */
  dir?: string;
}

/** One readable line from a structured log line. */
export function formatLogLine(line: Record<string, unknown>): string {
  const time = typeof line.time === 'string' ? line.time.slice(11, 23) : '';
  const labels = (line.labels ?? {}) as Record<string, string>;
  const where = [labels.namespace && labels.flowId ? `${labels.namespace}.${labels.flowId}` : '', labels.executionId ?? ''].filter(Boolean).join(' ');
  return `${time} ${String(line.severity ?? 'INFO').padEnd(7)} ${String(line.component ?? '')}${where ? ` [${where}]` : ''} ${String(line.message ?? '')}\n`;
}

async function createFlows(cloud: EmulatedCloud, dir: string, io: CliIO): Promise<number> {
  const names = (await readdir(dir)).filter((n) => ['.yml', '.yaml'].includes(extname(n))).sort();
  let failed = 0;
  for (const name of names) {
    const res = await fetch(`${cloud.apiUrl}/api/v1/flows`, {
      method: 'POST', headers: { 'content-type': 'application/x-yaml' }, body: await readFile(join(dir, name), 'utf8'),
    });
    if (res.ok) continue;
    failed++;
    const body = await res.json().catch(() => ({})) as { message?: string };
    io.stderr(`aloft dev: ${join(dir, name)}: ${body.message ?? `HTTP ${res.status}`}\n`);
  }
  return failed;
}

export async function devCommand(opts: DevOptions, io: CliIO): Promise<number> {
  const cloudOpts: EmulatedCloudOptions = {
    apiPort: opts.port, dir: opts.dir ?? join(io.env.ALOFT_DATA_DIR ?? '.aloft', 'dev'), schedulerIntervalMs: opts.schedulerIntervalMs,
    pubsubTriggerTopics: opts.pubsubTopics,
    logSink: (line) => {
      if (opts.jsonLogs) io.stderr(`${JSON.stringify(line)}\n`);
      else if (line.severity !== 'DEBUG') io.stderr(formatLogLine(line));
    },
  };
  io.stderr('aloft dev: starting the Firestore, Pub/Sub and Storage emulators and the functions...\n');
  let cloud: EmulatedCloud;
  try {
    const { startEmulatedCloud } = await import('../dev/cloud');
    cloud = await startEmulatedCloud(cloudOpts);
  } catch (err) {
    io.stderr(`aloft dev: could not start the emulated cloud: ${toErrorData(err).message}\n`);
    return ExitCode.FAILED;
  }
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= cloud.stop());
  let interrupted!: () => void;
  const done = new Promise<void>((resolve) => { interrupted = resolve; });
  const remove = io.onInterrupt(() => interrupted());
  try {
    if (opts.flows && (await createFlows(cloud, opts.flows, io)) > 0) return ExitCode.INVALID;
    io.stderr(`aloft dev: project ${cloud.projectId}, logs and data in ${cloud.dir}; Ctrl-C stops everything\n`);
    for (const [name, url] of Object.entries(cloud.urls)) if (name !== 'api') io.stderr(`  ${name.padEnd(15)} ${url}\n`);
    io.stderr(`  ${'web UI'.padEnd(15)} ${cloud.apiUrl}/ui/\n`);
    io.stdout(`${cloud.apiUrl}\n`);
    await done;
    io.stderr('aloft dev: stopping...\n');
    return ExitCode.OK;
  } finally {
    remove();
    await stop();
  }
}
