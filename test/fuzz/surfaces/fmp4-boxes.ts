// packager/fmp4: the box reader, the init-segment and fragment readers (through the stream parser,
// as the live packager uses them), fed a real ffmpeg fragmented MP4 mutated and delivered in random
// pieces. Documented error: Fmp4ParseError, the only one that may leave packager/fmp4.
import type { FuzzContext, FuzzSurface } from '../surface.ts';
import { Fmp4ParseError, Fmp4StreamParser, codecsOf } from '../../../packager/fmp4/index.ts';
import { fmp4Seed, randomPieces } from '../seeds.ts';
import { runParser } from '../parser-run.ts';

const surface: FuzzSurface = {
  name: 'fmp4-boxes',
  kind: 'parser',
  async run(context: FuzzContext) {
    const seed = await fmp4Seed();
    const { rng } = context;
    const boxes = topLevelBoxes(seed).slice(0, 8); // ftyp, moov, then moof+mdat pairs
    return runParser(context, Fmp4ParseError, () => {
      if (rng.chance(0.05)) return rng.bytes(rng.int(0, 512));
      if (rng.chance(0.25)) return rng.mutate(seed.subarray(0, rng.int(8, Math.min(seed.length, 6000))), rng.int(1, 12));
      // Mostly: one header box mutated (the moov's tracks, a moof's trun...), the others intact.
      const headers = boxes.map((box, index) => ({ box, index })).filter(({ box }) => box.toString('latin1', 4, 8) !== 'mdat');
      const { index: target } = rng.pick(headers);
      return Buffer.concat(boxes.map((box, index) => index === target ? rng.mutate(box, rng.int(1, 8)) : box));
    }, (input) => {
      const parser = new Fmp4StreamParser({ maxBoxBytes: 4 * 1024 * 1024 });
      for (const piece of randomPieces(input, () => rng.int(1, 4096))) {
        for (const event of parser.push(piece)) {
          if (event.type === 'init') codecsOf(event.init);
        }
      }
    });
  },
};

/** The seed's top-level boxes (32-bit sizes: what ffmpeg writes for these small files). */
function topLevelBoxes(bytes: Buffer): Buffer[] {
  const boxes: Buffer[] = [];
  for (let offset = 0; offset + 8 <= bytes.length;) {
    const size = bytes.readUInt32BE(offset);
    if (size < 8) break;
    boxes.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return boxes;
}

export default surface;
