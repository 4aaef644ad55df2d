// The fakes of bench:vertex, in their own process so that their CPU is not counted as the worker's:
// the fake Vertex AI and fake Cloud Logging (gRPC wire protocol). Prints their endpoints as one JSON line.
import { startFakeCloudLogging } from '../test/helpers/fake-cloud-logging';
import { startFakeVertexAi } from '../test/helpers/fake-vertex-ai';

const LINES = Number(process.env.LINES ?? 100_000);
const JOB_MS = Number(process.env.JOB_MS ?? 60_000);
/** How long the fake tail holds entries before it sends them: the service's default window, 2 s (0: a response per write). */
const BUFFER_WINDOW_MS = Number(process.env.BUFFER_WINDOW_MS ?? 2000);

async function main(): Promise<void> {
  const logging = await startFakeCloudLogging({ bufferWindowMs: BUFFER_WINDOW_MS });
  const vertex = await startFakeVertexAi({ logging });
  vertex.plan = () => ({
    durationMs: JOB_MS,
    lines: { count: LINES, line: (i) => ({ atMs: Math.floor((i * JOB_MS) / LINES), severity: i % 100 === 99 ? 'WARNING' : 'INFO', text: `line ${i + 1}` }) },
  });
  process.stdout.write(`${JSON.stringify({ vertex: vertex.endpoint, logging: logging.endpoint })}\n`);
  process.on('SIGTERM', () => { void Promise.all([vertex.close(), logging.close()]).then(() => process.exit(0)); });
}

void main();
