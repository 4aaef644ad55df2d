// Kestra's `jq` filter: runs a jq program on the input and returns the list of everything it
// outputs (Kestra's JqFilter answers a list, so `| jq('.a') | first` is the usual idiom). A string
// input is JSON text, anything else is converted to JSON. jq itself is jq 1.7 (jq-web, see
// ../jq-thread.ts); its clock and environment are replaced so the answer depends on the input only.

import type { CallContext, FilterDef } from '../callables';
import { hardFailure } from '../failure';
import { JqTimeout, runJq } from '../jq-thread';
import { describe, toJson } from '../values';

/** A jq program may loop forever; it is stopped after this long. */
export const JQ_TIMEOUT_MS = 5_000;

/** `now` is the render's now; `env` and `$ENV` see nothing of the process. */
function program(expression: string, now: Date): string {
  return `def now: ${now.getTime() / 1000}; def env: {}; [ ${expression}\n ]`;
}

export const jq: FilterDef = {
  params: ['expression'],
  apply(input, [expression], cx: CallContext) {
    if (input === null || input === undefined) return null;
    if (typeof expression !== 'string' || expression.trim() === '') {
      throw hardFailure(`the 'jq' filter needs an expression, got ${describe(expression)}`);
    }
    const text = typeof input === 'string' ? input : toJson(input, cx);
    cx.charge(text.length >> 6);
    let out: string;
    try {
      out = runJq(text, program(expression, cx.now), JQ_TIMEOUT_MS);
    } catch (e) {
      if (e instanceof JqTimeout) throw hardFailure(`jq '${expression}' ran over ${JQ_TIMEOUT_MS} ms and was stopped`);
      throw hardFailure(`jq '${expression}' failed on ${describe(text)}: ${jqMessage(e)}`);
    }
    cx.fits(out.length);
    return JSON.parse(out) as unknown[];
  },
};

/** jq's own message without the wrapper's exit-code line. */
function jqMessage(e: unknown): string {
  const text = String((e as Error)?.message ?? e);
  return text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('Non-zero exit code')).join(' ').replace(/^jq: error:?\s*/, '');
}
