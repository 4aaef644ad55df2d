// The Gemini completion tasks against the fake Vertex AI PredictionService (gRPC wire protocol, with
// the protos @google-cloud/aiplatform ships).
import { ChatCompletion, MultimodalCompletion, TextCompletion } from '../../../lib/plugins/gcp/vertexai/generative';
import { fakeTaskContext } from '../../../lib/worker/testing';
import { startFakeVertexAi, type FakeVertexAi } from '../../helpers/fake-vertex-ai';

jest.setTimeout(60_000);

let vertex: FakeVertexAi;
const requests: Record<string, any>[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  process.env.METADATA_SERVER_DETECTION = 'none';
  vertex = await startFakeVertexAi();
  const echo = vertex.generate;
  vertex.generate = (req) => { requests.push(req); return echo(req); };
});
afterAll(async () => { await vertex.close(); });
afterEach(async () => { requests.length = 0; for (const c of cleanups.splice(0)) await c(); });

async function world() {
  const w = await fakeTaskContext({ taskId: 'gemini', env: { VERTEXAI_EMULATOR_HOST: vertex.endpoint } });
  cleanups.push(() => w.cleanup());
  return w;
}

const base = { projectId: 'p', region: 'us-central1' };

describe('Gemini completion tasks on the fake Vertex AI PredictionService (gRPC wire protocol)', () => {
  it('TextCompletion sends the prompt with the default parameters and returns the predictions', async () => {
    const w = await world();
    const out = await TextCompletion.run(w.ctx, TextCompletion.properties.parse({ ...base, prompt: 'Please tell me a joke' }));
    expect(out).toEqual({ predictions: [{ content: 'echo: Please tell me a joke', safetyAttributes: { scores: [], categories: [], blocked: false }, citationMetadata: { citations: [] } }] });
    expect(requests[0]).toMatchObject({
      model: 'projects/p/locations/us-central1/publishers/google/models/gemini-pro',
      contents: [{ role: 'user', parts: [{ text: 'Please tell me a joke' }] }],
      generationConfig: { maxOutputTokens: 128, topK: 40 },
    });
    expect(requests[0].generationConfig.temperature).toBeCloseTo(0.2);
  });

  it('ChatCompletion sends the history, then the context and each message, with the answers in between', async () => {
    const w = await world();
    const out = await ChatCompletion.run(w.ctx, ChatCompletion.properties.parse({
      ...base, modelId: 'gemini-2.0-flash', context: 'I love jokes about sport', history: [{ content: 'hi' }], messages: [{ author: 'user', content: 'A joke please' }],
    }));
    expect(out).toMatchObject({ predictions: [{ content: 'echo: A joke please' }] });
    expect(requests).toHaveLength(2);
    expect(requests[1].model).toMatch(/models\/gemini-2\.0-flash$/);
    expect(requests[1].contents.map((c: any) => `${c.role}: ${c.parts[0].text}`)).toEqual([
      'user: hi', 'user: I love jokes about sport', 'model: echo: I love jokes about sport', 'user: A joke please',
    ]);
  });

  it('MultimodalCompletion sends a file of internal storage inline and returns the text; a blocked answer ends WARNING', async () => {
    const w = await world();
    const { uri } = await w.ctx.storage.put('cat.jpg', Buffer.from([0xff, 0xd8, 0xff]));
    const props = MultimodalCompletion.properties.parse({ ...base, contents: [{ content: 'Describe this image' }, { mimeType: 'image/jpeg', content: uri }] });
    const echo = vertex.generate;
    vertex.generate = (req) => { requests.push(req); return { candidates: [{ content: { role: 'model', parts: [{ text: 'a cat' }] }, finishReason: 'STOP', safetyRatings: [{ category: 'HARM_CATEGORY_HATE_SPEECH', probability: 'NEGLIGIBLE' }] }] }; };
    try {
      const out = await MultimodalCompletion.run(w.ctx, props);
      expect(out).toEqual({ text: 'a cat', blocked: false, finishReason: 'STOP', safetyRatings: [{ category: 'HARM_CATEGORY_HATE_SPEECH', probability: 'NEGLIGIBLE', blocked: false }] });
      expect(requests[0].contents[0].parts[1].inlineData).toMatchObject({ mimeType: 'image/jpeg' });
      expect(Buffer.from(requests[0].contents[0].parts[1].inlineData.data)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
      vertex.generate = () => ({ candidates: [{ content: { role: 'model', parts: [] }, finishReason: 'SAFETY', safetyRatings: [{ category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true }] }] });
      expect(await MultimodalCompletion.run(w.ctx, props)).toMatchObject({ state: 'WARNING', outputs: { blocked: true, finishReason: 'SAFETY' } });
    } finally {
      vertex.generate = echo;
    }
  });

  it('a permission error names the task and the property', async () => {
    vertex.deny.add('denied');
    const w = await world();
    const err = await TextCompletion.run(w.ctx, TextCompletion.properties.parse({ ...base, projectId: 'denied', prompt: 'x' })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TASK_FAILED', location: { task: 'gemini', property: 'serviceAccount' }, message: expect.stringContaining("Gemini model 'gemini-pro' failed: PERMISSION_DENIED") });
  });
});
