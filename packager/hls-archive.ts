// When a live ends, its final playlists (with ENDLIST) go to disk next to the segments, so that
// the session's URLs keep answering once the in-memory packager is gone.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LiveHls } from './hls/index.ts';
import { MASTER_PLAYLIST_NAME, MEDIA_PLAYLIST_NAME } from './hls/index.ts';

export async function writeEndedPlaylists(output: LiveHls, outputDir: string): Promise<void> {
  const master = output.masterPlaylist();
  if (!master) return; // nothing was ever packaged
  await Promise.all(output.indexes.map((index) =>
    writeFile(join(outputDir, String(index), MEDIA_PLAYLIST_NAME), output.rendition(index).playlist({}))));
  await writeFile(join(outputDir, MASTER_PLAYLIST_NAME), master);
}
