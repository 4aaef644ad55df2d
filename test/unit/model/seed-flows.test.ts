// The seed's flows (test/fixtures/seed, from /work/shared/seed/kestra-0.4-release-notes.md) validate
// against the real catalog and the real expression parser.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkSyntax, referencedPaths } from '../../../lib/expr';
import { formatError } from '../../../lib/model/errors';
import { parseFlow } from '../../../lib/model/flow-parse';
import type { ParseResult } from '../../../lib/model/flow-parse';
import { TaskStatus } from '../../../lib/model/catalog';
import { catalog, createCatalog, runnableTasks } from '../../../lib/plugins/catalog';
import { CustomJob } from '../../../lib/plugins/gcp';

const DIR = join(__dirname, '../../fixtures/seed');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.yml')).sort();
const source = (file: string): string => readFileSync(join(DIR, file), 'utf8');
const parse = (file: string): ParseResult =>
  parseFlow(source(file), { file, catalog: catalog(), expressions: { referencedPaths, checkSyntax } });

describe('the seed flows', () => {
  it('are the four flows of the 0.4 release notes', () => {
    expect(FILES).toEqual(['jdbc-batch.yml', 'singer-github-bigquery.yml', 'singer-github-sqlserver.yml', 'vertexai-custom-job.yml']);
  });

  describe.each(FILES)('%s', (file) => {
    it('uses only task types registered in the catalog', () => {
      const types = [...source(file).matchAll(/^\s*-?\s*type:\s*"?([\w.]+)"?\s*$/gm)].map((m) => m[1]);
      const missing = types.filter((t) => !catalog().get(t));
      if (missing.length > 0) {
        throw new Error(`${file} uses task types not registered in lib/plugins/catalog yet: ${missing.join(', ')}. ` +
          'The JDBC types come from lib/plugins/jdbc (written separately); the others are placeholders in lib/plugins/{kafka,singer,gcp}.');
      }
    });

    it('validates, warnings allowed', () => {
      const r = parse(file);
      if (!r.ok) throw new Error(`${file} is invalid:\n${r.errors.map(formatError).join('\n')}`);
      expect(r.flow.namespace).toBe('aloft.seed');
    });
  });

  it('warns of no seed flow that a type cannot run: every type of the release notes runs', () => {
    for (const file of ['vertexai-custom-job.yml', 'singer-github-bigquery.yml', 'jdbc-batch.yml']) {
      expect(parse(file).warnings.map(formatError).filter((l) => l.includes('cannot run yet'))).toEqual([]);
    }
  });

  it('warns of a type that only validates, naming the flow, task and type', () => {
    const placeholder = { ...CustomJob, status: TaskStatus.validatesOnly };
    const others = runnableTasks.filter((d) => d.type !== CustomJob.type);
    const r = parseFlow(source('vertexai-custom-job.yml'), {
      file: 'vertexai-custom-job.yml', catalog: createCatalog([...others, placeholder]), expressions: { referencedPaths, checkSyntax },
    });
    const lines = r.warnings.map(formatError).filter((l) => l.includes('cannot run yet'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/vertexai-custom-job\.yml:\d+:\d+: flow aloft\.seed\.\S+, task \S+, property tasks\[\d+\]\.type: task type 'io\.kestra\.plugin\.gcp\.vertexai\.CustomJob' cannot run yet in Aloft/);
  });

  it('warns that the JDBC flow reads inputs.query, which is not declared, and suggests outputs.query.uri', () => {
    const r = parse('jdbc-batch.yml');
    expect(r.warnings.map(formatError)).toContain(
      'jdbc-batch.yml:18:11: flow aloft.seed.jdbc-batch, task load, property tasks[1].from: inputs.query is not a declared input (did you mean outputs.query.uri?)',
    );
  });
});
