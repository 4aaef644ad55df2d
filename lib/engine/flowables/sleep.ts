// Sleep (Kestra 1.x): waits `duration` as a wake-up, never on a worker. The run stays RUNNING until
// the wake-up, then ends SUCCESS; a kill ends it KILLED at once. It wakes with the Pause's delay
// reason: the runtimes' wake-up stores know a closed set of reasons, and the run's type tells them apart.
import { z } from 'zod';
import type { TaskTypeInfo } from '../../model/catalog';
import { Duration, parseDurationMs } from '../../model/duration';
import { EffectType } from '../../model/effects';
import { State, isTerminal } from '../../model/states';
import { failAndNotify } from '../dispatch';
import { propertyError, renderText } from '../render';
import { withInternal } from '../state-ops';
import type { FlowableBehaviour } from './behaviour';
import { conclude, startRunning } from './list-behaviour';

export const sleepInfo: TaskTypeInfo = {
  type: 'io.kestra.plugin.core.flow.Sleep',
  aliases: [],
  kind: 'flowable',
  properties: z.object({ duration: Duration }).strict(),
};

/** Internal key: when the wake-up is due. */
const WAKE_AT = 'wakeAt';

export const sleep: FlowableBehaviour = {
  info: sleepInfo,
  start(d, run, task) {
    const running = startRunning(d, run);
    d.update(running);
    let text = String(task.duration ?? '');
    if (text.includes('{{')) {
      const rendered = renderText(d.renderSite(running), 'duration', text);
      if (!rendered.ok) return failAndNotify(d, running, rendered.error);
      text = rendered.value;
    }
    const ms = parseDurationMs(text);
    if (ms === undefined || ms < 0) {
      return failAndNotify(d, running, propertyError({ flow: d.fx.key, task: run.taskId }, 'duration', `'${text}' is not an ISO-8601 duration such as PT30S`));
    }
    if (ms === 0) return conclude(d, running, State.SUCCESS);
    const at = new Date(d.now.getTime() + ms).toISOString();
    d.update(withInternal(running, { [WAKE_AT]: at }));
    d.emit({ type: EffectType.ScheduleWakeUp, executionId: run.executionId, taskRunId: run.id, at, reason: 'pause-delay' });
  },
  evaluate() {
    // No children: only its wake-up moves it.
  },
  kill(d, run) {
    if (!isTerminal(run.state.current)) conclude(d, run, State.KILLED);
  },
  wakeUp(d, run, _task, reason) {
    if (reason !== 'pause-delay' || run.state.current !== State.RUNNING) return;
    conclude(d, run, State.SUCCESS);
  },
};
