import { setupTempFolder } from './temp-folders';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const secretsSetup = require('./secrets-setup') as () => Promise<void>;

export default async function globalSetup(): Promise<void> {
  setupTempFolder();
  await secretsSetup();
}
