// `terraform fmt -check` on infra/, when a Terraform binary is on the PATH. It needs no provider and no
// network (unlike `terraform init` and `validate`, which need the registry); elsewhere the test is skipped.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const INFRA = join(__dirname, '../../../infra');
const hasTerraform = spawnSync('terraform', ['version'], { encoding: 'utf8' }).status === 0;

(hasTerraform ? it : it.skip)('infra/ is formatted as terraform fmt formats it', () => {
  const r = spawnSync('terraform', ['fmt', '-check', '-recursive', '-diff'], { cwd: INFRA, encoding: 'utf8' });
  // -check prints the files it would change, -diff how.
  expect(r.stdout).toBe('');
  expect(r.status).toBe(0);
});
