// What an RTMP command must carry before node-media-server is allowed to read it. NMS 4.4.3 trusts
// the peer: `new URL(cmdObj.tcUrl)` in onConnect and `streamName.split` in onPublish/onPlay throw
// on a missing or non-string field, and the throw used to end the whole process (issue 9).

export class RtmpProtocolError extends Error {
  readonly code = 'RTMP_PROTOCOL_ERROR';
}

const MAX_APP_LENGTH = 128;
const MAX_TC_URL_LENGTH = 2048;
/** A stream key and its optional ?query; ours are 36 characters, OBS adds nothing. */
const MAX_STREAM_NAME_LENGTH = 512;

interface ConnectCommand { cmdObj?: unknown }
interface StreamCommand { cmd?: unknown; streamName?: unknown }

export function checkConnect(command: ConnectCommand, alreadyConnected: boolean): void {
  if (alreadyConnected) throw new RtmpProtocolError('a second connect on one connection');
  const object = command.cmdObj;
  if (typeof object !== 'object' || object === null) throw new RtmpProtocolError('connect without a command object');
  const { app, tcUrl } = object as { app?: unknown; tcUrl?: unknown };
  if (typeof app !== 'string' || app.length > MAX_APP_LENGTH) throw new RtmpProtocolError('connect without a valid app');
  if (typeof tcUrl !== 'string' || tcUrl.length > MAX_TC_URL_LENGTH || !URL.canParse(tcUrl)) {
    throw new RtmpProtocolError('connect without a valid tcUrl');
  }
}

/** publish and play: after connect, once per connection, with a string stream name. */
export function checkStreamCommand(command: StreamCommand, connected: boolean, alreadyStreaming: boolean): void {
  const name = String(command.cmd);
  if (!connected) throw new RtmpProtocolError(`${name} before connect`);
  if (alreadyStreaming) throw new RtmpProtocolError(`a second publish or play on one connection`);
  const streamName = command.streamName;
  if (typeof streamName !== 'string' || streamName.length === 0 || streamName.length > MAX_STREAM_NAME_LENGTH) {
    throw new RtmpProtocolError(`${name} without a valid stream name`);
  }
}

/** Set Chunk Size: a 31-bit value, 1 or more (RTMP 1.0, 5.4.1); 0 stalls the NMS parser forever. */
export function checkChunkSize(payload: Buffer, length: number): void {
  if (length < 4) throw new RtmpProtocolError('set chunk size without a size');
  const size = payload.readUInt32BE(0);
  if (size < 1 || size > 0x7fffffff) throw new RtmpProtocolError(`set chunk size ${size}`);
}
