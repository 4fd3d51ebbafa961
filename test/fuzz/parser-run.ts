// How an in-process parser surface judges one input: it may return anything or throw its documented
// error type; any other throw, or more than a second on one input, is a crash.
import type { FuzzContext, FuzzResult } from './surface.ts';

export const MAX_PARSE_MS = 1000;

export async function runParser(context: FuzzContext, documentedError: Function,
  makeInput: () => Buffer | Promise<Buffer>, parse: (input: Buffer) => void): Promise<FuzzResult> {
  let crashes = 0;
  for (let index = 0; index < context.count; index++) {
    const input = await makeInput();
    const started = performance.now();
    try {
      parse(input);
    } catch (error) {
      if (!(error instanceof documentedError)) {
        crashes++;
        if (crashes <= 3) context.note(`input #${index} threw ${(error as Error)?.stack?.split('\n').slice(0, 3).join(' ') ?? String(error)} (input hex, first 200 bytes: ${input.subarray(0, 200).toString('hex')})`);
      }
    }
    const elapsed = performance.now() - started;
    if (elapsed > MAX_PARSE_MS) {
      crashes++;
      context.note(`input #${index} took ${Math.round(elapsed)} ms (limit ${MAX_PARSE_MS} ms)`);
    }
    // Let timers and I/O run (the runner's own bookkeeping) every so often.
    if (index % 200 === 199) await new Promise((resolve) => setImmediate(resolve));
  }
  return { tried: context.count, crashes };
}
