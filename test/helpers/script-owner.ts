// A runtime in its own process for tests of lib/plugins/scripts/owner: runs one script through
// runProcess, prints each line it writes, and waits to be killed.
import { runProcess } from '../../lib/plugins/scripts/process';

void runProcess({
  command: '/bin/sh', args: ['-c', process.argv[2] ?? 'sleep 300'], cwd: process.cwd(), env: { PATH: '/usr/bin:/bin' },
  signal: new AbortController().signal, onLine: (line) => process.stdout.write(`${line}\n`),
});
