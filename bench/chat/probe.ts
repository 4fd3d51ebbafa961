// What a bench message carries in its text, so that any receiver can time it without a lookup:
// the phase (warm-up or measured), the sender, a sequence number and the send time.
// "bench|m|12|345|1764441234567.123": plain ASCII, nothing JSON would escape, far from any limit.

/** Milliseconds on one clock shared by every process of the bench on this machine. */
export const now = () => performance.timeOrigin + performance.now();

export type Phase = 'w' | 'm';

export interface Probe { phase: Phase; sender: number; seq: number; sentAt: number }

const MARK = 'bench|';
const MARK_BYTES = Buffer.from(MARK);
const QUOTE = 0x22;

export const probeText = (phase: Phase, sender: number, seq: number, sentAt: number) =>
  `${MARK}${phase}|${sender}|${seq}|${sentAt.toFixed(3)}`;

/** The probe inside a raw event frame, or undefined when there is none. */
export function findProbe(frame: Buffer): Probe | undefined {
  const start = frame.indexOf(MARK_BYTES);
  if (start < 0) return undefined;
  // The text ends at its closing JSON quote; only the probe's few ASCII bytes are decoded.
  const end = frame.indexOf(QUOTE, start);
  const [, phase, sender, seq, sentAt] = frame.toString('latin1', start, end < 0 ? undefined : end).split('|');
  if (phase !== 'w' && phase !== 'm') return undefined;
  return { phase, sender: Number(sender), seq: Number(seq), sentAt: Number(sentAt) };
}
