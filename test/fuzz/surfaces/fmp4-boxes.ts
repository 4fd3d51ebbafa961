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
    return runParser(context, Fmp4ParseError, () => {
      const base = rng.chance(0.7) ? seed.subarray(0, rng.int(8, Math.min(seed.length, 6000))) : seed;
      return rng.chance(0.05) ? rng.bytes(rng.int(0, 512)) : rng.mutate(base, rng.int(1, 12));
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

export default surface;
