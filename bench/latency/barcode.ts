// The frame number, drawn into the picture: a band at the top of every published frame carries
// n = round(source time × 30) as BITS black/white blocks (publishedTimeOf() in publisher.ts turns
// it into the publisher's timeline). Whatever a pipeline does to timestamps
// (re-encoding, RTP's random base, an encoder that joined late), a decoded frame still says which
// published frame it is, so its latency is decode time − the publisher's send time of frame n.
//
// Each bit is two blocks on top of each other, the bit and its inverse: a bit is read by
// comparing the two, and a frame where any pair is not clearly different (a damaged or concealed
// picture) is rejected rather than misread.

export const FRAME_RATE = 30;
/** 2^20 frames at 30 fps is over 9 hours: never wraps in a bench. */
const BITS = 20;
/** Each of the two rows, as a fraction of the frame height (32 px of 720). */
const ROW_FRACTION = 32 / 720;
/** Top block minus bottom block, on 0-255 luma, below which a bit is not trusted. */
const MIN_CONTRAST = 64;

/**
 * An ffmpeg -vf graph that stamps the barcode onto a width×height picture. The bits are computed
 * by geq on a BITS×2 picture (cheap), then scaled up without smoothing and laid over the top.
 */
export function barcodeFilter(width: number, height: number): string {
  const bit = `mod(floor(floor(T*${FRAME_RATE}+0.5)/pow(2\\,X))\\,2)`;
  const bandHeight = 2 * Math.round(height * ROW_FRACTION);
  return `split[picture][code];[code]scale=${BITS}:2,format=gray,geq=lum='255*if(eq(Y\\,0)\\,${bit}\\,1-${bit})',` +
    `scale=${width}:${bandHeight}:flags=neighbor[band];[picture][band]overlay=0:0`;
}

/** Decoders in this bench hand frames over as 8-bit gray at this size (the band stays readable). */
export const GRAY_WIDTH = 160;
export const GRAY_HEIGHT = 90;
export const GRAY_FILTER = `scale=${GRAY_WIDTH}:${GRAY_HEIGHT}:flags=area,format=gray`;

/** Mean luma of a rectangle of a GRAY_WIDTH×GRAY_HEIGHT frame. */
function mean(frame: Uint8Array, x0: number, x1: number, y0: number, y1: number): number {
  let sum = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += frame[y * GRAY_WIDTH + x];
  return sum / ((x1 - x0) * (y1 - y0));
}

/** The frame number in a decoded gray frame, or undefined when the band is not clearly readable. */
export function readBarcode(frame: Uint8Array): number | undefined {
  const blockWidth = GRAY_WIDTH / BITS;
  const rowHeight = GRAY_HEIGHT * ROW_FRACTION;
  // The middle half of each block, away from edges that scaling and compression smear.
  const rows = [0, 1].map((row) => [Math.round((row + 0.25) * rowHeight), Math.round((row + 0.75) * rowHeight)]);
  let value = 0;
  for (let bit = 0; bit < BITS; bit++) {
    const x0 = Math.round((bit + 0.25) * blockWidth);
    const x1 = Math.round((bit + 0.75) * blockWidth);
    const top = mean(frame, x0, x1, rows[0][0], rows[0][1]);
    const bottom = mean(frame, x0, x1, rows[1][0], rows[1][1]);
    if (Math.abs(top - bottom) < MIN_CONTRAST) return undefined;
    if (top > bottom) value += 2 ** bit;
  }
  return value;
}
