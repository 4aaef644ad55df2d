// Task run logs in memory, per execution, in append order.
import { logLevelRank, type LogFilter, type LogLine, type LogStore } from '../../ports/log-store';

export class MemoryLogStore implements LogStore {
  private readonly byExecution = new Map<string, LogLine[]>();

  async append(lines: readonly LogLine[]): Promise<void> {
    for (const line of lines) {
      const list = this.byExecution.get(line.executionId);
      if (list) list.push(line);
      else this.byExecution.set(line.executionId, [line]);
    }
  }

  async list(executionId: string, filter: LogFilter = {}): Promise<LogLine[]> {
    const lines = this.byExecution.get(executionId) ?? [];
    const min = filter.minLevel ? logLevelRank(filter.minLevel) : 0;
    return lines.filter((l) => (filter.taskRunId === undefined || l.taskRunId === filter.taskRunId) && logLevelRank(l.level) >= min);
  }

  async delete(executionId: string): Promise<void> {
    this.byExecution.delete(executionId);
  }
}
