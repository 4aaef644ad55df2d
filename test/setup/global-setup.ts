import { setupTempFolder } from './temp-folders';

export default function globalSetup(): void {
  setupTempFolder();
}
