// The Gemini completion tasks of kestra-io/plugin-gcp (newest snapshot): TextCompletion, ChatCompletion
// and MultimodalCompletion, through Vertex AI's PredictionService.GenerateContent (gRPC) on
// `{region}-aiplatform.googleapis.com`, model `publishers/google/models/{modelId}`.
import { z } from 'zod';
import { AloftError, ErrorCode } from '../../../model/errors';
import type { RunnableTaskDefinition, TaskContext } from '../../types';
import { gcpProperties as gcp } from '../credentials';
import { connection, predictionService } from './clients';
import { checkRegion, locationOf } from './custom-job';
import { vertexCallError } from './errors';

const DEFAULT_MODEL = 'gemini-pro';

const ModelParameter = z.object({
  temperature: z.number().positive().max(1).default(0.2),
  maxOutputTokens: z.number().int().min(1).max(1024).default(128),
  topK: z.number().int().min(1).max(40).default(40),
  topP: z.number().positive().max(1).default(0.95),
}).strict();

const common = {
  ...gcp,
  region: z.string().min(1),
  /** The Gemini model (plugin-gcp's newest snapshot makes it a property). */
  modelId: z.string().min(1).optional(),
  parameters: ModelParameter.optional(),
};

const Prediction = z.object({
  safetyAttributes: z.object({ scores: z.array(z.number()), categories: z.array(z.string()), blocked: z.boolean() }),
  citationMetadata: z.object({ citations: z.array(z.object({ citations: z.array(z.string()) })) }),
  content: z.string(),
});
const PredictionsOutputs = z.object({ predictions: z.array(Prediction) });
type PredictionsOutputs = z.infer<typeof PredictionsOutputs>;

export const TextCompletionProperties = z.object({ ...common, prompt: z.string() }).strict();
type TextCompletionProperties = z.infer<typeof TextCompletionProperties>;

const Message = z.object({ author: z.string().optional(), content: z.string() }).strict();
export const ChatCompletionProperties = z.object({
  ...common,
  /** Deprecated in Kestra: sent as the first message. */
  context: z.string().optional(),
  /** Deprecated in Kestra: not used since Gemini. */
  examples: z.array(z.object({ input: z.string(), output: z.string() }).strict()).optional(),
  messages: z.array(Message).min(1),
  history: z.array(Message).optional(),
}).strict();
type ChatCompletionProperties = z.infer<typeof ChatCompletionProperties>;

export const MultimodalCompletionProperties = z.object({
  ...common,
  contents: z.array(z.object({
    /** Set for non-text content, whose `content` is then an internal storage URI. */
    mimeType: z.string().optional(),
    content: z.string(),
  }).strict()).min(1),
}).strict();
type MultimodalCompletionProperties = z.infer<typeof MultimodalCompletionProperties>;

const SafetyRating = z.object({ category: z.string(), probability: z.string(), blocked: z.boolean() });
export const MultimodalCompletionOutputs = z.object({
  text: z.string().optional(),
  safetyRatings: z.array(SafetyRating),
  blocked: z.boolean(),
  finishReason: z.string(),
});
type MultimodalCompletionOutputs = z.infer<typeof MultimodalCompletionOutputs>;

type Common = { region: string; modelId?: string; parameters?: z.infer<typeof ModelParameter>; projectId?: string; serviceAccount?: string; scopes?: string[] };
type Content = { role: string; parts: Record<string, unknown>[] };

/** A GenerateContent caller for one attempt: the model, the generation config, token metrics summed. */
function generator(ctx: TaskContext, p: Common) {
  const location = locationOf(ctx);
  checkRegion(p.region, location);
  const conn = connection(ctx, p, location);
  const api = predictionService(conn, p.region);
  const model = `projects/${conn.projectId}/locations/${p.region}/publishers/google/models/${p.modelId ?? DEFAULT_MODEL}`;
  const parameters = ModelParameter.parse(p.parameters ?? {});
  const tokens = { candidate: 0, prompt: 0, total: 0 };
  return {
    async generate(contents: Content[]): Promise<Record<string, any>> {
      let response: Record<string, any>;
      try {
        [response] = await api.generateContent({ model, contents, generationConfig: parameters });
      } catch (err) {
        throw vertexCallError(err, `Gemini model '${p.modelId ?? DEFAULT_MODEL}'`, location);
      }
      ctx.logger.debug(JSON.stringify(response));
      const usage = response.usageMetadata ?? {};
      tokens.candidate += usage.candidatesTokenCount ?? 0;
      tokens.prompt += usage.promptTokenCount ?? 0;
      tokens.total += usage.totalTokenCount ?? 0;
      return response;
    },
    metrics(): void {
      ctx.metrics.counter('candidate.token.count', tokens.candidate);
      ctx.metrics.counter('prompt.token.count', tokens.prompt);
      ctx.metrics.counter('total.token.count', tokens.total);
    },
  };
}

const userText = (text: string): Content => ({ role: 'user', parts: [{ text }] });

function predictionOf(candidate: Record<string, any>): z.infer<typeof Prediction> {
  const ratings: Record<string, any>[] = candidate.safetyRatings ?? [];
  return {
    safetyAttributes: {
      scores: ratings.map((r) => r.severityScore ?? 0), categories: ratings.map((r) => String(r.category)), blocked: ratings.some((r) => !!r.blocked),
    },
    citationMetadata: { citations: (candidate.citationMetadata?.citations ?? []).map((c: Record<string, any>) => ({ citations: [c.title ?? ''] })) },
    content: candidate.content?.parts?.[0]?.text ?? '',
  };
}

export const TextCompletion: RunnableTaskDefinition<TextCompletionProperties, PredictionsOutputs> = {
  type: 'io.kestra.plugin.gcp.vertexai.TextCompletion',
  aliases: [],
  group: 'gcp',
  properties: TextCompletionProperties,
  outputs: PredictionsOutputs,
  async run(ctx, p) {
    const gen = generator(ctx, p);
    const response = await gen.generate([userText(p.prompt)]);
    gen.metrics();
    return { predictions: (response.candidates ?? []).map(predictionOf) };
  },
};

export const ChatCompletion: RunnableTaskDefinition<ChatCompletionProperties, PredictionsOutputs> = {
  type: 'io.kestra.plugin.gcp.vertexai.ChatCompletion',
  aliases: [],
  group: 'gcp',
  properties: ChatCompletionProperties,
  outputs: PredictionsOutputs,
  async run(ctx, p) {
    const gen = generator(ctx, p);
    // A chat session: the history first, then each message with the model's answer appended.
    const contents: Content[] = (p.history ?? []).map((m) => userText(m.content));
    const send = async (text: string): Promise<Record<string, any>> => {
      contents.push(userText(text));
      const response = await gen.generate([...contents]);
      const answer = response.candidates?.[0]?.content;
      if (answer) contents.push({ role: 'model', parts: answer.parts ?? [] });
      return response;
    };
    if (p.context !== undefined) await send(p.context);
    const predictions: z.infer<typeof Prediction>[] = [];
    for (const m of p.messages) predictions.push(...((await send(m.content)).candidates ?? []).map(predictionOf));
    gen.metrics();
    return { predictions };
  },
};

export const MultimodalCompletion: RunnableTaskDefinition<MultimodalCompletionProperties, MultimodalCompletionOutputs> = {
  type: 'io.kestra.plugin.gcp.vertexai.MultimodalCompletion',
  aliases: [],
  group: 'gcp',
  properties: MultimodalCompletionProperties,
  outputs: MultimodalCompletionOutputs,
  async run(ctx, p) {
    const gen = generator(ctx, p);
    const parts: Record<string, unknown>[] = [];
    for (const c of p.contents) {
      if (c.mimeType === undefined) { parts.push({ text: c.content }); continue; }
      const chunks: Buffer[] = [];
      for await (const chunk of await ctx.storage.get(c.content)) chunks.push(Buffer.from(chunk as Buffer));
      parts.push({ inlineData: { mimeType: c.mimeType, data: Buffer.concat(chunks) } });
    }
    const response = await gen.generate([{ role: 'user', parts }]);
    gen.metrics();
    const candidate = response.candidates?.[0];
    if (!candidate) throw new AloftError(ErrorCode.TASK_FAILED, 'the model returned no candidate', locationOf(ctx));
    const finishReason = String(candidate.finishReason ?? 'FINISH_REASON_UNSPECIFIED');
    const safetyRatings = (candidate.safetyRatings ?? []).map((r: Record<string, any>) => ({ category: String(r.category), probability: String(r.probability), blocked: !!r.blocked }));
    if (finishReason === 'SAFETY' || finishReason === 'RECITATION') {
      ctx.logger.warn(`Content response has been blocked for ${finishReason === 'SAFETY' ? 'safety' : 'recitation'} reason`);
      return { outputs: { safetyRatings, blocked: true, finishReason }, state: 'WARNING' };
    }
    const text = (candidate.content?.parts ?? []).map((x: Record<string, any>) => x.text ?? '').join('');
    return { text, safetyRatings, blocked: false, finishReason };
  },
};

export const generativeTasks: readonly RunnableTaskDefinition[] = [TextCompletion, ChatCompletion, MultimodalCompletion];
