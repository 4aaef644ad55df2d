// A subflow's child may read the files of the execution that called it, as Kestra allows.
import { join } from 'node:path';
import { outputOf, runFlowFile } from '../helpers/local-run';

const dir = join(__dirname, '../fixtures/flows/subflow-files');

describe('files across a subflow', () => {
  it('lets the child read a file its parent wrote', async () => {
    const { execution } = await runFlowFile(join(dir, 'parent.yml'), { flowsDir: dir });
    expect(execution.state.current).toBe('SUCCESS');
    expect(outputOf(execution, 'call')?.outputs).toEqual({ lines: 2 });
  });
});
