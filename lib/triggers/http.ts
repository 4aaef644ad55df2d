// Kestra's io.kestra.plugin.core.http.Trigger: a polling trigger that sends a request every
// `interval` and starts an execution when `responseCondition` renders true. This file holds its
// properties and the decision on one response, pure: the polling loop that sends the request
// (lib/plugins/core/http-client.ts) and stores the last poll belongs to the polling-trigger
// mechanism of the runtimes, and the trigger type is registered there.
import { z } from 'zod';
import { Duration } from '../model/duration';
import { FALSY_TEXTS } from '../model/flow';
import { HttpProperties } from '../plugins/core/http-properties';
import type { Renderer, Vars } from './render';

/** Kestra's default: any response under 400 fires. */
export const DEFAULT_RESPONSE_CONDITION = '{{ response.statusCode < 400 }}';

export const HttpTriggerProperties = HttpProperties.extend({
  interval: Duration.default('PT1M'),
  responseCondition: z.string().default(DEFAULT_RESPONSE_CONDITION),
  /** Kestra: stop polling once an execution ended in one of these states; kept for the polling mechanism. */
  stopAfter: z.array(z.string()).optional(),
  /** Aloft: inputs of the started execution, rendered with `trigger.*`. */
  inputs: z.record(z.string(), z.unknown()).optional(),
  /** Kestra 1.x option to encrypt the body in the execution; accepted, the body is kept as is. */
  encryptBody: z.boolean().optional(),
}).strict();
export type HttpTriggerProperties = z.infer<typeof HttpTriggerProperties>;

/** One response of a poll: the body as text, header values as Kestra lists them (name -> values). */
export interface HttpTriggerResponse {
  statusCode: number;
  headers: Readonly<Record<string, readonly string[]>>;
  body: string | null;
}

/** What the started execution reads as `trigger.*`: Request's outputs. */
export interface HttpTriggerVariables {
  code: number;
  headers: Record<string, string[]>;
  body: string | null;
}

export type HttpTriggerDecision =
  | { fire: true; variables: HttpTriggerVariables }
  | { fire: false };

/**
 * Whether a response starts an execution: `responseCondition` is rendered with `response`
 * (`statusCode`, `headers`, `body`) beside the flow's variables, and is false when it renders to one
 * of Kestra's falsy texts. A condition that fails to render throws (EXPRESSION), for the poller to report.
 */
export async function decideHttpTrigger(
  renderer: Renderer, props: Pick<HttpTriggerProperties, 'responseCondition'>, response: HttpTriggerResponse, vars: Vars = {},
): Promise<HttpTriggerDecision> {
  const headers = Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k, [...v]]));
  const view = { statusCode: response.statusCode, headers, body: response.body };
  const rendered = (await renderer.render(props.responseCondition, { ...vars, response: view })).trim();
  if (FALSY_TEXTS.includes(rendered)) return { fire: false };
  return { fire: true, variables: { code: response.statusCode, headers, body: response.body } };
}
