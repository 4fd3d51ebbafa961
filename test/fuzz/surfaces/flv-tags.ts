// ingest/flv: the tag reader, the tag classifier and the onMetaData reader, fed a real ffmpeg FLV
// mutated and delivered in random pieces. Documented error: FlvFormatError (framing lost).
import type { FuzzContext, FuzzSurface } from '../surface.ts';
import { FlvFormatError, FlvTagReader, classifyTag, isVideoKeyframeTag, readOnMetaData } from '../../../ingest/flv/index.ts';
import { flvSeed, randomPieces } from '../seeds.ts';
import { runParser } from '../parser-run.ts';

const surface: FuzzSurface = {
  name: 'flv-tags',
  kind: 'parser',
  async run(context: FuzzContext) {
    const seed = await flvSeed();
    const { rng } = context;
    return runParser(context, FlvFormatError, () => {
      // Mostly the first tags (header, metadata, codec headers: the interesting part), sometimes all.
      const base = rng.chance(0.8) ? seed.subarray(0, rng.int(13, Math.min(seed.length, 4096))) : seed;
      return rng.chance(0.05) ? rng.bytes(rng.int(0, 512)) : rng.mutate(base, rng.int(1, 16));
    }, (input) => {
      const reader = new FlvTagReader();
      for (const piece of randomPieces(input, () => rng.int(1, 2048))) {
        for (const tag of reader.push(piece)) {
          classifyTag(tag.bytes);
          isVideoKeyframeTag(tag.bytes);
          if (tag.kind === 'metadata' || tag.kind === 'script') readOnMetaData(tag.bytes);
        }
      }
    });
  },
};

export default surface;
