// The one cloud runtime of a function instance, created on the first invocation from process.env and
// the GCP adapters. functions/*.ts register handlers that call `cloud()`; `aloft dev` and tests that
// serve the functions in-process call `configureCloud()` first to inject their env and adapters.
import { CloudRuntime, type CloudRuntimeOptions } from './cloud-runtime';
import { gcpAdapters } from './gcp-adapters';

let runtime: CloudRuntime | undefined;
let options: (() => CloudRuntimeOptions) | undefined;

const fromProcess = (): CloudRuntimeOptions => ({ env: process.env, adapters: gcpAdapters });

export function cloud(): CloudRuntime {
  runtime ??= new CloudRuntime((options ?? fromProcess)());
  return runtime;
}

/** Replaces the instance's runtime (closing the previous one): the next invocation uses these options. */
export async function configureCloud(opts: Omit<CloudRuntimeOptions, 'adapters'> & Partial<Pick<CloudRuntimeOptions, 'adapters'>>): Promise<void> {
  const previous = runtime;
  runtime = undefined;
  options = () => ({ adapters: gcpAdapters, ...opts });
  await previous?.close();
}

/** Closes the runtime (dev shutdown); the next invocation starts a new one from the same options. */
export async function closeCloud(): Promise<void> {
  const previous = runtime;
  runtime = undefined;
  await previous?.close();
}
