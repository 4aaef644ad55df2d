// Writes docs/compatibility.md from the plugin catalog (npm run docs:compatibility).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compatibilityMarkdown } from '../../lib/plugins/compatibility';
import { catalog } from '../../lib/plugins/catalog';

const file = join(process.cwd(), 'docs/compatibility.md');
writeFileSync(file, compatibilityMarkdown(catalog()));
process.stdout.write(`wrote ${file}\n`);
