// The structured stdout sink Cloud Logging reads: one JSON object per line.
import type { StdoutLog } from './types';

export const jsonStdoutLog: StdoutLog = (line) => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};
