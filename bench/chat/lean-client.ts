// One bench viewer: a WebSocket speaking socket.io's wire format (wire.ts) to one namespace.
// It answers pings, matches acknowledgements to their requests, and hands every event frame,
// as received bytes, to its owner: the receivers only look for the probe in them (probe.ts), which
// costs far less than decoding and parsing 40,000 frames a second.
import WebSocket from 'ws';
import { ENGINE, NamespaceWire, handshakeUrl } from './wire.ts';

export interface ClientOptions {
  baseUrl: string;
  namespace: string;
  auth: unknown;
  timeoutMs: number;
  onEvent: (frame: Buffer) => void;
}

export class LeanClient {
  private readonly ws: WebSocket;
  private readonly wire: NamespaceWire;
  private readonly pending = new Map<number, (payload: unknown) => void>();
  private nextAckId = 0;
  private closed = false;

  private constructor(ws: WebSocket, wire: NamespaceWire) {
    this.ws = ws;
    this.wire = wire;
  }

  /** Opens the WebSocket and connects to the namespace; rejects on refusal, close or timeout. */
  static connect(options: ClientOptions): Promise<LeanClient> {
    const wire = new NamespaceWire(options.namespace);
    // The server declines compression unless configured for it; not offering it saves a header.
    const ws = new WebSocket(handshakeUrl(options.baseUrl), { perMessageDeflate: false });
    const client = new LeanClient(ws, wire);
    return new Promise((resolve, reject) => {
      // Aborting a handshake makes ws emit error and close again: only the first failure counts.
      let failed = false;
      const fail = (error: Error) => {
        if (failed) return;
        failed = true;
        clearTimeout(timer);
        client.close();
        reject(error);
      };
      const timer = setTimeout(() => fail(new Error(`no connection within ${options.timeoutMs} ms`)), options.timeoutMs);
      ws.on('error', fail);
      ws.on('close', () => { client.onClose(); fail(new Error('closed while connecting')); });
      ws.on('message', (data) => {
        const frame = data.toString();
        if (frame.startsWith(ENGINE.open)) ws.send(wire.connect(options.auth));
        else if (frame.startsWith(wire.connectPrefix)) { clearTimeout(timer); client.listen(options.onEvent); resolve(client); }
        else if (frame.startsWith(wire.connectErrorPrefix)) fail(new Error(wire.parseConnectError(frame)));
        else if (frame === ENGINE.ping) ws.send(ENGINE.pong);
      });
    });
  }

  /** Emits an event and waits for its acknowledgement (rejected if the socket closes first). */
  request(event: string, payload: unknown, timeoutMs: number): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('socket closed'));
    const id = this.nextAckId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.pending.delete(id); reject(new Error(`no ack to ${event} within ${timeoutMs} ms`)); }, timeoutMs);
      this.pending.set(id, (ack) => { clearTimeout(timer); resolve(ack); });
      this.ws.send(this.wire.event(id, event, payload));
    });
  }

  close(): void {
    this.closed = true;
    // terminate(): the bench tears down thousands at once and has no use for the closing handshake.
    this.ws.terminate();
  }

  get isOpen(): boolean {
    return !this.closed && this.ws.readyState === WebSocket.OPEN;
  }

  /** Once connected: the steady-state frame handler replaces the handshake's. */
  private listen(onEvent: (frame: Buffer) => void): void {
    const { ws, wire } = this;
    ws.removeAllListeners('message').removeAllListeners('error').removeAllListeners('close');
    ws.on('error', () => this.onClose());
    ws.on('close', () => this.onClose());
    ws.on('message', (data) => {
      // binaryType is the default 'nodebuffer': one Buffer per (unfragmented) frame.
      const frame = data as Buffer;
      if (wire.isEvent(frame)) { onEvent(frame); return; }
      const text = frame.toString();
      if (text === ENGINE.ping) ws.send(ENGINE.pong);
      else if (text.startsWith(wire.ackPrefix)) this.settle(text);
    });
  }

  private settle(frame: string): void {
    const { id, payload } = this.wire.parseAck(frame);
    const resolve = this.pending.get(id);
    this.pending.delete(id);
    resolve?.(payload);
  }

  private onClose(): void {
    this.closed = true;
    this.pending.clear();
  }
}
