import { formatLogLine } from '../../../lib/cli/dev';

describe('aloft dev log lines', () => {
  it('shows time, severity, component, flow and execution, then the message', () => {
    expect(formatLogLine({
      severity: 'INFO', time: '2024-03-14T10:00:00.123Z', component: 'executor', message: 'execution e1 RUNNING -> SUCCESS',
      labels: { executionId: 'e1', namespace: 'io.aloft', flowId: 'hello' },
    })).toBe('10:00:00.123 INFO    executor [io.aloft.hello e1] execution e1 RUNNING -> SUCCESS\n');
  });

  it('copes with lines that carry no labels', () => {
    expect(formatLogLine({ severity: 'WARNING', message: 'slow' })).toBe(' WARNING  slow\n');
  });
});
