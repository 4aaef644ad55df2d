// A runtime that exits (process.exit, as a second Ctrl-C does) the moment runProcess makes its FIFO
// folder, before it removes it. Prints nothing; the test looks for leftovers in its TMPDIR.
import { watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { runProcess } from '../../lib/plugins/scripts/process';

// The FIFO folder is made in the task's working folder: here, the TMPDIR the test watches.
watch(tmpdir(), (_event, name) => { if (String(name).startsWith('.aloft-pipes-')) process.exit(0); });
void runProcess({
  command: '/bin/sh', args: ['-c', 'exit 0'], cwd: tmpdir(), env: { PATH: '/usr/bin:/bin' },
  signal: new AbortController().signal, onLine: () => undefined,
}).then(() => process.exit(0));
