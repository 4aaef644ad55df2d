// The Webhook trigger: `GET|POST|PUT /api/v1/executions/webhook/{namespace}/{flowId}/{key}` starts the
// flow when the key matches one of its Webhook triggers. An unknown flow and an unknown key look the
// same from outside (same 404, same work), and keys are compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import { AloftError, ErrorCode } from '../model/errors';
import type { Execution } from '../model/execution';
import type { Flow } from '../model/flow';
import { MAX_NESTING, valueDepth } from '../model/json-bounds';
import { parseTrigger, type ParsedTriggerOf } from './catalog';
import { testAll } from './conditions/evaluate';
import type { Renderer } from './render';
import type { StartFn } from './start';

export interface WebhookRequest {
  method: string;
  /** The raw body; undefined or empty when there was none. */
  body?: Buffer | string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Query parameters, each with all its values. */
  parameters: Readonly<Record<string, string[]>>;
}

/**
 * JSON (an object or an array) when the body is JSON, else the text; null without a body.
 * MESSAGE_INVALID when it is JSON nested deeper than the bound.
 */
export function parseWebhookBody(body: Buffer | string | undefined): unknown {
  if (body === undefined) return null;
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (text.length === 0) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: kept as text, as Kestra does.
    return text;
  }
  if (parsed === null || typeof parsed !== 'object') return text;
  if (valueDepth(parsed) > MAX_NESTING) throw new AloftError(ErrorCode.MESSAGE_INVALID, `the webhook body is nested deeper than ${MAX_NESTING} levels`);
  return parsed;
}

/** Headers that carry the caller's credentials for this server: never stored in an execution. */
const PRIVATE_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

/** `trigger.body`, `trigger.headers` (lower-case names, each a list, as Kestra's) and `trigger.parameters`. */
export function webhookVariables(req: WebhookRequest): Record<string, unknown> {
  const headers: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || PRIVATE_HEADERS.has(name.toLowerCase())) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? [...value] : [value];
  }
  return { body: parseWebhookBody(req.body), headers, parameters: { ...req.parameters } };
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time key check: equal-length digests, so neither the length nor the prefix leaks. */
export function keyMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

const NOT_FOUND_MESSAGE = 'no webhook for this namespace, flow and key';
// A key no trigger can have (longer than 256 characters), compared when the flow is unknown.
const DECOY = 'x'.repeat(300);

/** The Webhook triggers of a flow whose key matches; every trigger is compared, matching or not. */
export function matchingWebhooks(flow: Flow | null, key: string): ParsedTriggerOf<'Webhook'>[] {
  const out: ParsedTriggerOf<'Webhook'>[] = [];
  const webhooks: ParsedTriggerOf<'Webhook'>[] = [];
  for (const t of flow?.triggers ?? []) {
    const parsed = parseTrigger(t);
    if (parsed.ok === true && parsed.trigger.kind === 'Webhook' && !parsed.trigger.disabled) webhooks.push(parsed.trigger);
  }
  if (webhooks.length === 0) keyMatches(key, DECOY);
  for (const w of webhooks) if (keyMatches(key, w.key)) out.push(w);
  return flow && !flow.disabled ? out : [];
}

export interface WebhookDeps {
  findFlow(namespace: string, flowId: string): Promise<Flow | null>;
  start: StartFn;
  renderer: Renderer;
  newId(): string;
}

export type WebhookOutcome = { status: 'started'; execution: Execution } | { status: 'skipped'; reason: string };

/**
 * Starts the flow for a webhook call. NOT_FOUND (the same for an unknown flow and an unknown key);
 * `skipped` when the trigger's conditions do not hold (Kestra answers 204).
 */
export async function handleWebhook(deps: WebhookDeps, namespace: string, flowId: string, key: string, req: WebhookRequest): Promise<WebhookOutcome> {
  const flow = await deps.findFlow(namespace, flowId).catch((err) => {
    if ((err as { code?: unknown })?.code === ErrorCode.NOT_FOUND) return null;
    throw err;
  });
  const [trigger] = matchingWebhooks(flow, key);
  if (!flow || !trigger) throw new AloftError(ErrorCode.NOT_FOUND, NOT_FOUND_MESSAGE);
  const variables = webhookVariables(req);
  const vars = { flow: { id: flow.id, namespace: flow.namespace, revision: flow.revision }, vars: flow.variables ?? {}, trigger: variables };
  const cx = { flow: { namespace: flow.namespace, id: flow.id }, renderer: deps.renderer, vars: async () => vars };
  if (!(await testAll(trigger.conditions, cx))) return { status: 'skipped', reason: `the conditions of webhook trigger ${trigger.id} do not hold` };
  const execution = await deps.start({ flow, id: deps.newId(), inputs: {}, trigger: { id: trigger.id, type: trigger.type, variables } });
  return { status: 'started', execution };
}
