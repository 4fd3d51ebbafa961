// A WHEP viewer in Node (werift): offers to receive H.264 video and Opus audio, as a browser
// would, POSTs the offer, applies the answer and hands every received video RTP packet over.
// Loopback only: sockets bound to 127.0.0.1, no STUN server, only 127.x candidate pairs. One
// bundled transport: with a transport per m-line, werift left the unused sockets open after close.
import { RTCPeerConnection, useH264, useOPUS, type RtpPacket } from 'werift';

const GATHERING_TIMEOUT_MS = 3000;
const HTTP_TIMEOUT_MS = 20_000;
const CONNECT_TIMEOUT_MS = 15_000;

export interface WhepSession {
  /** DELETEs the session on the server (bounded) and closes the peer connection. */
  close(): Promise<void>;
}

async function localOffer(pc: RTCPeerConnection): Promise<string> {
  await pc.setLocalDescription(await pc.createOffer());
  // No trickle ICE on the server: every candidate goes in the offer.
  if (pc.iceGatheringState !== 'complete') {
    await pc.iceGatheringStateChange.watch((state) => state === 'complete', GATHERING_TIMEOUT_MS).catch(() => undefined);
  }
  return pc.localDescription!.sdp;
}

async function postOffer(url: string, offer: string): Promise<{ answer: string; location: string }> {
  const response = await fetch(url, {
    method: 'POST', headers: { 'content-type': 'application/sdp' }, body: offer, signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
  });
  const answer = await response.text();
  const location = response.headers.get('location');
  if (response.status !== 201 || !location) throw new Error(`WHEP POST ${url}: HTTP ${response.status} ${answer.slice(0, 200)}`);
  return { answer, location: new URL(location, url).href };
}

export async function openWhep(url: string, onVideoRtp: (packet: RtpPacket) => void): Promise<WhepSession> {
  const pc = new RTCPeerConnection({
    codecs: { video: [useH264()], audio: [useOPUS()] },
    // werift falls back to a public STUN server when iceServers is left out; an empty list means none,
    // so every packet of the bench stays on this machine.
    iceServers: [],
    iceUseIpv6: false,
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
    iceAdditionalHostAddresses: ['127.0.0.1'],
    bundlePolicy: 'max-bundle',
    iceFilterCandidatePair: (pair) => pair.remoteCandidate.host.startsWith('127.') && pair.localCandidate.host.startsWith('127.'),
  });
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  pc.onTrack.subscribe((track) => {
    if (track.kind === 'video') track.onReceiveRtp.subscribe((packet) => onVideoRtp(packet));
  });
  let location: string | undefined;
  const close = async () => {
    if (location) await fetch(location, { method: 'DELETE', signal: AbortSignal.timeout(5000) }).catch(() => undefined);
    await pc.close().catch(() => undefined);
  };
  try {
    const exchange = await postOffer(url, await localOffer(pc));
    location = exchange.location;
    await pc.setRemoteDescription({ type: 'answer', sdp: exchange.answer });
    if (pc.connectionState !== 'connected') {
      await pc.connectionStateChange.watch((state) => state === 'connected', CONNECT_TIMEOUT_MS);
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { close };
}
