// What the server keeps, as opposed to what it has not collected yet. RSS right after a burst of
// hostile requests counts garbage V8 has not needed to collect (a 3,000-input http-bodies run left
// +140 MB of RSS while the heap snapshot taken just after, which collects first, had grown 1.5 MB).
// So the fuzz server runs with the inspector on loopback, and before each measurement we ask V8 for a
// full collection (HeapProfiler.collectGarbage) and read process.memoryUsage() through it: no hook in
// the server's own code. The runner judges this retained memory; RSS is printed beside it.

export interface MemoryFigures {
  rssMb: number;
  /** V8 heap in use plus memory held outside it (Buffers), after a full collection. */
  retainedMb: number;
}

const INSPECTOR_LINE = /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[\w-]+)/;

/** The environment that makes the server listen for the inspector on a free loopback port. */
export const INSPECTOR_ENV = { NODE_OPTIONS: '--inspect=127.0.0.1:0' };

export function inspectorUrl(serverOutput: string): string {
  const url = INSPECTOR_LINE.exec(serverOutput)?.[1];
  if (!url) throw new Error('the fuzz server printed no inspector address (started without INSPECTOR_ENV?)');
  return url;
}

/** Collects garbage in the server, then reads its memory; rejects after 30 s. */
export async function measureAfterCollection(url: string): Promise<MemoryFigures> {
  const socket = new WebSocket(url);
  const pending = new Map<number, (result: unknown) => void>();
  let nextId = 1;
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  });
  const call = (method: string, params: object = {}) => new Promise<unknown>((resolve) => {
    const id = nextId++;
    pending.set(id, resolve);
    socket.send(JSON.stringify({ id, method, params }));
  });
  const work = (async () => {
    await new Promise((resolve, reject) => {
      socket.addEventListener('open', resolve, { once: true });
      socket.addEventListener('error', () => reject(new Error(`inspector ${url} refused the connection`)), { once: true });
    });
    await call('HeapProfiler.collectGarbage');
    const answer = await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true }) as { result: { value: string } };
    const usage = JSON.parse(answer.result.value) as NodeJS.MemoryUsage;
    return { rssMb: usage.rss / 2 ** 20, retainedMb: (usage.heapUsed + usage.external) / 2 ** 20 };
  })();
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the inspector did not answer within 30 s')), 30_000);
    })]);
  } finally {
    clearTimeout(timer);
    socket.close();
  }
}
