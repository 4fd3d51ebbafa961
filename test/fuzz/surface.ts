// What a fuzz surface is: one kind of hostile input, sent `count` times with a seeded Rng.
// The runner (test/fuzz/run.ts) loads every module in surfaces/ (each `export default` one
// FuzzSurface, or an array of them), runs them against one real server with a neighbouring live
// publishing beside it, and judges the run: the process never exits, the neighbour's parts keep
// coming (no gap over 2 s), memory after the run within 50 MB of before.
import type { Rng } from './rng.ts';

export interface FuzzTarget {
  /** http://127.0.0.1:<port> of the real server (`node api/server.ts`). */
  baseUrl: string;
  rtmpPort: number;
  srtPort: number;
  /** A user's OAuth bearer token and a live of theirs that is on air (the neighbour), for surfaces that need one. */
  accessToken: string;
  liveVideoUuid: string;
  /** The server's data folder (for surfaces that write a config file to parse, for example). */
  dataDir: string;
}

export interface FuzzContext {
  target: FuzzTarget;
  rng: Rng;
  /** How many inputs to try. */
  count: number;
  /** One line for the report, when something worth knowing happened (not per input). */
  note(line: string): void;
}

export interface FuzzResult {
  /** Inputs actually sent or parsed. */
  tried: number;
  /**
   * Inputs that broke a promise: for an in-process parser, a throw that is not its documented
   * error, or a hang; for a network surface, the server process exiting is detected by the runner,
   * and a surface counts here what it can see itself (an HTTP 5xx, a socket that never answers
   * after the input was refused...). Each crash should be described with note().
   */
  crashes: number;
}

export interface FuzzSurface {
  /** Short and stable: `rtmp-handshake`, `flv-tags`, `http-headers`, ... (used by --surface). */
  name: string;
  /** `parser`: runs in the fuzz process on a pure function; `network`: talks to the server. */
  kind: 'parser' | 'network';
  run(context: FuzzContext): Promise<FuzzResult>;
}
