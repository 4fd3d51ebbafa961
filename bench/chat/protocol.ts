// The messages between the bench (fleet.ts) and its fleet processes (fleet-worker.ts), over
// Node's IPC channel with the "advanced" serialisation, so that samples travel as typed arrays.

/** A chat server under test, as the clients see it. */
export interface Target {
  name: string;
  baseUrl: string;
  namespace: string;
  /** The `join` event's payload (docs/CHAT.md). */
  join: Record<string, unknown>;
}

export type ToWorker =
  | { type: 'connect'; target: Target; clients: number[]; concurrency: number; timeoutMs: number }
  | { type: 'send'; senders: number[]; ratePerSecond: number; startAt: number; warmupMs: number; measureMs: number }
  | { type: 'collect' }
  | { type: 'close' };

export interface Connected {
  type: 'connected';
  joined: number;
  failed: number;
  firstError?: string;
  /** Connect + join time of each client that made it, ms. */
  joinMs: Float64Array;
}

export interface Sent {
  type: 'sent';
  /** Measured messages the server acknowledged with ok: each one is due to every other client. */
  accepted: number;
  /** Refusals and failures of measured messages, by error code. */
  refused: Record<string, number>;
  ackMs: Float64Array;
  /** This process's event-loop delay while measuring: a busy fleet delays what it times. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** CPU this process used from the start of the timetable to the last ack, ms; and that span. */
  cpuMs: number;
  wallMs: number;
}

export interface Samples {
  type: 'samples';
  /** Arrival − send time of each measured delivery, ms. */
  latencies: Float64Array;
  /** The send time of each of them (same order). */
  sentAt: Float64Array;
  /** Clients whose socket was still open at the end. */
  open: number;
}

export type FromWorker = Connected | Sent | Samples | { type: 'closed' } | { type: 'failed'; message: string };
