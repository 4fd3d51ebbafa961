// The sweep of unfinished uploads: an upload not completed within uploads.unfinishedExpirySeconds
// loses its reservation (its quota is free again) and its partial file and state. Partial files that
// have no reservation at all (an upload cancelled by a crash, or made before reservations existed)
// go too once they have not changed for as long.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { uploads } from '../../db/index.ts';

/** The folders of unfinished uploads under data/uploads (tus, PeerTube resumable, re-uploads, multipart bodies). */
const UNFINISHED_FOLDERS = ['tus', 'resumable', 'replace', 'multipart'] as const;
/** Our upload ids (32 hex digits), and their state files. */
const UPLOAD_FILE = /^([a-f0-9]{32})(\.json)?$/;

/** How often the sweep runs: often enough that an upload outlives its expiry by a small fraction of it. */
export function sweepIntervalMs(expirySeconds: number): number {
  return Math.min(60_000, Math.max(1000, (expirySeconds * 1000) / 4));
}

function removeUpload(uploadsDir: string, folder: string, id: string): void {
  if (!(UNFINISHED_FOLDERS as readonly string[]).includes(folder) || !UPLOAD_FILE.test(id)) return;
  rmSync(join(uploadsDir, folder, id), { force: true });
  rmSync(join(uploadsDir, folder, `${id}.json`), { force: true });
}

/** Deletes what expired; returns how many uploads went. */
export async function sweepUploadFolders(pool: pg.Pool, uploadsDir: string, expirySeconds: number): Promise<number> {
  const expired = await uploads.takeExpiredReservations(pool);
  for (const row of expired) removeUpload(uploadsDir, row.folder, row.upload_id);
  let strays = 0;
  const before = Date.now() - expirySeconds * 1000;
  for (const folder of UNFINISHED_FOLDERS) {
    // Listed before the reservations are read: a file's reservation is made before the file, so
    // every file listed here that has one is in the set.
    let names: string[];
    try {
      names = readdirSync(join(uploadsDir, folder));
    } catch {
      continue;
    }
    const reserved = await uploads.reservedIds(pool, folder);
    for (const name of names) {
      const id = UPLOAD_FILE.exec(name)?.[1];
      if (!id || reserved.has(id)) continue;
      const path = join(uploadsDir, folder, name);
      const changed = (() => { try { return statSync(path).mtimeMs; } catch { return Date.now(); } })();
      if (changed < before) {
        rmSync(path, { force: true });
        strays++;
      }
    }
  }
  return expired.length + strays;
}
