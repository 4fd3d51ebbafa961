// A fleet process: a share of the bench's clients, driven by the bench over IPC (protocol.ts).
// connect → joins its clients; send → runs its share of the senders' timetable; collect → its
// latency samples; close → disconnects everything and exits.
import { joinAll, type Viewer } from './join-storm.ts';
import type { FromWorker, ToWorker } from './protocol.ts';
import { Recorder } from './recorder.ts';
import { runSenders } from './sender.ts';

const ACK_TIMEOUT_MS = 10_000;

let viewers: Viewer[] = [];
let recorder = new Recorder();

const reply = (message: FromWorker) => process.send!(message);

async function handle(command: ToWorker): Promise<void> {
  switch (command.type) {
    case 'connect': {
      recorder = new Recorder();
      const storm = await joinAll(command.target, command.clients, command.concurrency, command.timeoutMs, (index) => recorder.handlerFor(index));
      viewers = storm.viewers;
      reply({ type: 'connected', joined: viewers.length, failed: storm.failed, firstError: storm.firstError, joinMs: storm.joinMs });
      return;
    }
    case 'send': {
      const wanted = new Set(command.senders);
      reply(await runSenders({
        senders: viewers.filter((viewer) => wanted.has(viewer.index)),
        ratePerSecond: command.ratePerSecond, startAt: command.startAt, warmupMs: command.warmupMs, measureMs: command.measureMs,
        ackTimeoutMs: ACK_TIMEOUT_MS,
      }));
      return;
    }
    case 'collect': {
      const { latencies, sentAt } = recorder.collect();
      reply({ type: 'samples', latencies, sentAt, open: viewers.filter((viewer) => viewer.client.isOpen).length });
      return;
    }
    case 'close': {
      for (const viewer of viewers) viewer.client.close();
      viewers = [];
      reply({ type: 'closed' });
      // Let the reply leave before the channel goes.
      setImmediate(() => process.disconnect());
    }
  }
}

process.on('message', (command: ToWorker) => {
  handle(command).catch((error: Error) => reply({ type: 'failed', message: error.stack ?? error.message }));
});
// The bench went away (crashed or interrupted): nothing left to do here.
process.on('disconnect', () => process.exit(0));
