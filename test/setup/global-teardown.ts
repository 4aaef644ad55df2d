import { teardownTempFolder } from './temp-folders';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const secretsTeardown = require('./secrets-teardown') as () => Promise<void>;

// Both checks run, so that one failure does not hide the other; the first error is thrown.
export default async function globalTeardown(): Promise<void> {
  const failures: unknown[] = [];
  try { teardownTempFolder(); } catch (err) { failures.push(err); }
  try { await secretsTeardown(); } catch (err) { failures.push(err); }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new Error(failures.map((f) => (f as Error).message).join('\n\n'));
}
