// Driving the emulated cloud (lib/dev/cloud.ts) from e2e tests and benchmarks: flows and executions
// go through the `api` function over HTTP, exactly as a user's client would send them.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Execution } from '../../lib/model/execution';
import { isTerminal, type State } from '../../lib/model/states';

export async function createFlow(apiUrl: string, yaml: string): Promise<void> {
  const res = await fetch(`${apiUrl}/api/v1/flows`, { method: 'POST', headers: { 'content-type': 'application/x-yaml' }, body: yaml });
  if (!res.ok) throw new Error(`creating a flow answered ${res.status}: ${await res.text()}`);
}

export async function createFlowFile(apiUrl: string, file: string): Promise<void> {
  await createFlow(apiUrl, readFileSync(file, 'utf8'));
}

export async function startExecution(
  apiUrl: string, namespace: string, flowId: string, inputs: Record<string, unknown> = {}, files: Record<string, string> = {},
): Promise<Execution> {
  let init: RequestInit;
  if (Object.keys(files).length > 0) {
    const form = new FormData();
    for (const [k, v] of Object.entries(inputs)) form.append(k, String(v));
    for (const [k, path] of Object.entries(files)) form.append(k, new Blob([readFileSync(path)]), basename(path));
    init = { method: 'POST', body: form };
  } else {
    init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs }) };
  }
  const res = await fetch(`${apiUrl}/api/v1/executions/${namespace}/${flowId}`, init);
  if (!res.ok) throw new Error(`starting ${namespace}.${flowId} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Execution;
}

export async function getExecution(apiUrl: string, id: string): Promise<Execution> {
  const res = await fetch(`${apiUrl}/api/v1/executions/${id}`);
  if (!res.ok) throw new Error(`reading execution ${id} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Execution;
}

/**
 * Polls until the execution is terminal (or in one of `until`). Fails after `timeoutMs` with the
 * last state seen, so a stuck execution says where it stopped.
 */
export async function waitForExecution(apiUrl: string, id: string, timeoutMs = 120_000, until: readonly State[] = []): Promise<Execution> {
  const deadline = Date.now() + timeoutMs;
  let last: Execution | undefined;
  while (Date.now() < deadline) {
    last = await getExecution(apiUrl, id);
    if (isTerminal(last.state.current) || until.includes(last.state.current)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  const runs = last?.taskRunList.map((r) => `${r.taskId}${r.value ? `[${r.value}]` : ''}=${r.state.current}`).join(', ');
  throw new Error(`execution ${id} did not end within ${timeoutMs} ms: ${last?.state.current} (${runs})`);
}
