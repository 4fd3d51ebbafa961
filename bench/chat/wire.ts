// The few engine.io v4 / socket.io v5 text packets the bench client speaks, over a plain
// WebSocket (transport=websocket, so no polling and no payload batching: one packet per frame).
// Writing them by hand keeps the client fleet cheap: a socket.io-client instance per viewer would
// cost the fleet more CPU than the server it measures.

/** engine.io packet types: the first character of every frame. */
export const ENGINE = { open: '0', close: '1', ping: '2', pong: '3', message: '4' } as const;
/** socket.io packet types: the second character of an engine.io message. */
const SOCKET = { connect: '0', event: '2', ack: '3', connectError: '4' } as const;

export function handshakeUrl(baseUrl: string): string {
  const url = new URL('/socket.io/', baseUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = 'EIO=4&transport=websocket';
  return url.href;
}

/** The frames of one namespace, e.g. "/chat": built once per client, compared by prefix. */
export class NamespaceWire {
  readonly connectPrefix: string;
  readonly connectErrorPrefix: string;
  readonly eventPrefix: string;
  readonly ackPrefix: string;
  /** The event prefix as bytes: event frames are recognised without decoding them to a string. */
  readonly eventPrefixBytes: Buffer;

  constructor(namespace: string) {
    // The root namespace is written without a name; any other one as "/name,".
    const name = namespace === '/' ? '' : `${namespace},`;
    this.connectPrefix = `${ENGINE.message}${SOCKET.connect}${name}`;
    this.connectErrorPrefix = `${ENGINE.message}${SOCKET.connectError}${name}`;
    this.eventPrefix = `${ENGINE.message}${SOCKET.event}${name}`;
    this.ackPrefix = `${ENGINE.message}${SOCKET.ack}${name}`;
    this.eventPrefixBytes = Buffer.from(this.eventPrefix);
  }

  isEvent(frame: Buffer): boolean {
    const prefix = this.eventPrefixBytes;
    return frame.length > prefix.length && frame.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
  }

  connect(auth: unknown): string {
    return `${this.connectPrefix}${JSON.stringify(auth)}`;
  }

  /** An event that asks for an acknowledgement with id `ackId`. */
  event(ackId: number, name: string, payload: unknown): string {
    return `${this.eventPrefix}${ackId}${JSON.stringify([name, payload])}`;
  }

  /** The id and first argument of an acknowledgement frame. */
  parseAck(frame: string): { id: number; payload: unknown } {
    const start = this.ackPrefix.length;
    let end = start;
    while (end < frame.length && frame.charCodeAt(end) >= 48 && frame.charCodeAt(end) <= 57) end++;
    const args = JSON.parse(frame.slice(end)) as unknown[];
    return { id: Number(frame.slice(start, end)), payload: args[0] };
  }

  /** The error message of a refused namespace connection. */
  parseConnectError(frame: string): string {
    try {
      const body = JSON.parse(frame.slice(this.connectErrorPrefix.length)) as { message?: string };
      return body.message ?? frame;
    } catch {
      return frame;
    }
  }
}
