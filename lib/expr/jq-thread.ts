// Runs jq (the jq-web WebAssembly build of jq 1.7) in a worker thread, called synchronously.
// Templates render synchronously and jq-web's module loads asynchronously; a thread answering
// through a SharedArrayBuffer gives a synchronous call, and a bound on time: a jq program can loop
// forever (`def f: f; f`), and a thread that overruns is terminated and replaced on the next call.
// jq is a pure function of its input; the only outside thing here is loading the wasm, like require.

import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'worker_threads';

/** The thread's side: loads jq-web, answers one request per message, flags each answer. */
const THREAD_SOURCE = `
const { workerData } = require('worker_threads');
const { port, flag, jqPath } = workerData;
const answer = (msg) => { port.postMessage(msg); Atomics.store(flag, 0, 1); Atomics.notify(flag, 0); };
require(jqPath).then((jq) => {
  port.on('message', ({ input, program }) => {
    try { answer({ out: jq.raw(input, program, ['-c']) }); }
    catch (e) { answer({ error: String(e && e.stderr || e && e.message || e) }); }
  });
  answer({ ready: true });
}, (e) => answer({ error: 'jq could not load: ' + String(e && e.message || e) }));
`;

const LOAD_MS = 15_000;

type Answer = { out: string } | { error: string } | { ready: true };

export class JqTimeout extends Error {}

/** One jq thread; `run` blocks the caller until jq answers or `timeoutMs` passes. */
class JqThread {
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private readonly port: MessagePort;
  private readonly worker: Worker;

  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: { port: port2, flag: this.flag, jqPath: require.resolve('jq-web') },
      transferList: [port2],
    });
    // Neither the thread nor its port keeps the process alive.
    this.worker.unref();
    this.port.unref();
    const first = this.wait(LOAD_MS);
    if (!('ready' in first)) {
      this.stop();
      throw new Error('error' in first ? first.error : 'jq did not start');
    }
  }

  run(input: string, program: string, timeoutMs: number): Answer {
    this.port.postMessage({ input, program });
    return this.wait(timeoutMs);
  }

  stop(): void {
    void this.worker.terminate();
    this.port.close();
  }

  private wait(timeoutMs: number): Answer {
    const woke = Atomics.wait(this.flag, 0, 0, timeoutMs);
    Atomics.store(this.flag, 0, 0);
    const msg = receiveMessageOnPort(this.port);
    if (woke === 'timed-out' && msg === undefined) throw new JqTimeout(`jq ran over ${timeoutMs} ms`);
    if (msg === undefined) throw new Error('jq answered nothing');
    return msg.message as Answer;
  }
}

let thread: JqThread | undefined;

/**
 * Runs `program` on the JSON text `input`; returns jq's compact output (one JSON value a line).
 * Throws an Error with jq's own message when the program fails, JqTimeout when it overruns.
 */
export function runJq(input: string, program: string, timeoutMs: number): string {
  thread ??= new JqThread();
  let answer: Answer;
  try {
    answer = thread.run(input, program, timeoutMs);
  } catch (e) {
    // The thread may still be looping: drop it, the next call starts a fresh one.
    thread.stop();
    thread = undefined;
    throw e;
  }
  if ('error' in answer) throw new Error(answer.error);
  if ('out' in answer) return answer.out;
  throw new Error('jq answered out of turn');
}
