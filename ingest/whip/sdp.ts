// The little SDP work WHIP needs besides werift's: checking an offer before anything is
// allocated, choosing the one H.264 format to accept, and describing the loopback RTP that
// ffmpeg reads.

export interface OfferedCodec {
  payloadType: number;
  /** The fmtp line's value, '' when none. */
  parameters: string;
  channels?: number;
}

export interface OfferSummary {
  /** The H.264 format to accept (the publisher's own preference among packetization-mode 1). */
  h264: OfferedCodec | undefined;
  opus: OfferedCodec | undefined;
  /** Why the offer cannot be answered, if it cannot. */
  problem: string | undefined;
}

interface Section { kind: string; lines: string[] }

function sections(sdp: string): { session: string[]; media: Section[] } {
  const session: string[] = [];
  const media: Section[] = [];
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('m=')) media.push({ kind: line.slice(2).split(' ')[0], lines: [line] });
    else if (media.length > 0) media[media.length - 1].lines.push(line);
    else session.push(line);
  }
  return { session, media };
}

function codecsIn(section: Section, name: string): OfferedCodec[] {
  const found: OfferedCodec[] = [];
  for (const line of section.lines) {
    const match = /^a=rtpmap:(\d+) ([^/\s]+)\/\d+(?:\/(\d+))?/.exec(line);
    if (!match || match[2].toLowerCase() !== name.toLowerCase()) continue;
    const payloadType = Number(match[1]);
    const fmtp = section.lines.find((candidate) => candidate.startsWith(`a=fmtp:${payloadType} `));
    found.push({
      payloadType,
      parameters: fmtp ? fmtp.slice(`a=fmtp:${payloadType} `.length).trim() : '',
      channels: match[3] ? Number(match[3]) : undefined,
    });
  }
  return found;
}

function isSending(section: Section): boolean {
  return !section.lines.some((line) => line === 'a=recvonly' || line === 'a=inactive') && !/^m=\S+ 0 /.test(section.lines[0]);
}

/** Checks a WHIP offer: it must carry H.264 video (Opus audio is optional) and ICE/DTLS credentials. */
export function summarizeOffer(sdp: string): OfferSummary {
  if (!sdp.startsWith('v=0')) return { h264: undefined, opus: undefined, problem: 'the body is not an SDP offer' };
  const { session, media } = sections(sdp);
  const video = media.find((section) => section.kind === 'video' && isSending(section));
  const audio = media.find((section) => section.kind === 'audio' && isSending(section));
  const h264Formats = video ? codecsIn(video, 'H264') : [];
  const h264 = h264Formats.find((codec) => /packetization-mode=1/.test(codec.parameters)) ?? h264Formats[0];
  const opus = audio ? codecsIn(audio, 'opus')[0] : undefined;
  const all = [...session, ...media.flatMap((section) => section.lines)];
  let problem: string | undefined;
  if (!video) problem = 'the offer has no video to send; WHIP ingest needs H.264 video';
  else if (!h264) problem = 'the offer has no H.264 video; set the encoder to H.264 (x264, NVENC, ...)';
  else if (!all.some((line) => line.startsWith('a=ice-ufrag:'))) problem = 'the offer has no ICE credentials';
  else if (!all.some((line) => line.startsWith('a=fingerprint:'))) problem = 'the offer has no DTLS fingerprint';
  return { h264, opus, problem };
}

export interface LoopbackStream {
  /** Even port: RTP there, RTCP on port + 1. */
  port: number;
  payloadType: number;
  parameters: string;
}

/** The SDP ffmpeg reads to receive the forwarded RTP on loopback (no encryption, no ICE). */
export function loopbackSdp(video: LoopbackStream, audio: LoopbackStream | undefined): string {
  const lines = [
    'v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=whip', 'c=IN IP4 127.0.0.1', 't=0 0',
    `m=video ${video.port} RTP/AVP ${video.payloadType}`,
    `a=rtpmap:${video.payloadType} H264/90000`,
  ];
  if (video.parameters) lines.push(`a=fmtp:${video.payloadType} ${video.parameters}`);
  if (audio) {
    lines.push(`m=audio ${audio.port} RTP/AVP ${audio.payloadType}`, `a=rtpmap:${audio.payloadType} opus/48000/2`);
    if (audio.parameters) lines.push(`a=fmtp:${audio.payloadType} ${audio.parameters}`);
  }
  return lines.join('\r\n') + '\r\n';
}
