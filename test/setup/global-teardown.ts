import { teardownTempFolder } from './temp-folders';

export default function globalTeardown(): void {
  teardownTempFolder();
}
