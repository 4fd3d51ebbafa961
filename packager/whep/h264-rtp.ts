// Recognises the RTP packet that starts an H.264 keyframe (RFC 6184 payloads), so that a new
// WHEP viewer's first video packet is one its decoder can start from.

const NAL_IDR = 5;
const NAL_SPS = 7;
const STAP_A = 24;
const FU_A = 28;

/** True for a packet holding an SPS or the first fragment of an IDR slice. */
export function startsKeyframe(payload: Buffer): boolean {
  if (payload.length < 2) return false;
  const type = payload[0] & 0x1f;
  if (type === NAL_SPS || type === NAL_IDR) return true;
  if (type === FU_A) return (payload[1] & 0x80) !== 0 && (payload[1] & 0x1f) === NAL_IDR;
  if (type === STAP_A) {
    // Aggregated NAL units: 16-bit size, then the unit.
    for (let offset = 1; offset + 2 < payload.length;) {
      const size = payload.readUInt16BE(offset);
      const inner = payload[offset + 2] & 0x1f;
      if (inner === NAL_SPS || inner === NAL_IDR) return true;
      offset += 2 + size;
    }
  }
  return false;
}
