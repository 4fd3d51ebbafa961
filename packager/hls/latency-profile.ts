// What each of PeerTube's latency modes means for the packager. The same numbers feed ffmpeg
// (keyframe interval = segmentSeconds, -frag_duration = partSeconds) and the playlists.

/** PeerTube's numbering (`latencyMode` in its API): 1 default, 2 high latency, 3 small latency. */
const LatencyMode = { DEFAULT: 1, HIGH_LATENCY: 2, SMALL_LATENCY: 3 } as const;
export type LatencyMode = (typeof LatencyMode)[keyof typeof LatencyMode];

export interface LatencyProfile {
  /** LL-HLS (parts, preload hints, blocking reload, delta updates) or a plain live playlist. */
  lowLatency: boolean;
  /** Segment target; ffmpeg must force a keyframe this often. */
  segmentSeconds: number;
  /** Part target; ffmpeg's -frag_duration in seconds. In plain mode, fragments are internal only. */
  partSeconds: number;
  /** How far behind the live edge an LL player sits (PART-HOLD-BACK). Raised to 3 × PART-TARGET if lower. */
  partHoldBackSeconds: number;
  /** How far behind a player without LL support sits (HOLD-BACK). Raised to 3 × TARGETDURATION if lower. */
  holdBackSeconds: number;
  /** Complete segments listed in each media playlist: the live window a player can seek in. */
  playlistSegments: number;
}

const PROFILES: Record<LatencyMode, LatencyProfile> = {
  [LatencyMode.DEFAULT]: {
    lowLatency: true,
    // 2 s segments: a keyframe every 2 s costs little bitrate and keeps segment requests rare.
    segmentSeconds: 2,
    // Six parts per segment: a third of a second, within the 200–330 ms that LL-HLS deployments use,
    // with a third fewer requests than small latency's quarter-second parts.
    partSeconds: 1 / 3,
    // Six parts, twice the spec's recommended minimum of three: the "safer" default rides out an
    // encoder or network hiccup of a part or two without a stall.
    partHoldBackSeconds: 2,
    // The spec's minimum, 3 × target duration, for players that ignore parts.
    holdBackSeconds: 6,
    // 20 s of window; with CAN-SKIP-UNTIL at 12 s, delta updates leave out the oldest ~8 s.
    playlistSegments: 10,
  },
  [LatencyMode.SMALL_LATENCY]: {
    lowLatency: true,
    // 1 s segments keep the 3-target-duration part window and the keyframe wait short.
    segmentSeconds: 1,
    // Quarter-second parts: the finest grain ffmpeg's fragmenting keeps near its target.
    partSeconds: 0.25,
    // Exactly three parts, the spec's recommended minimum: lowest latency (~1 s), least slack.
    partHoldBackSeconds: 0.75,
    holdBackSeconds: 3,
    // 12 s of window; CAN-SKIP-UNTIL is 6 s, so delta updates halve the playlist.
    playlistSegments: 12,
  },
  [LatencyMode.HIGH_LATENCY]: {
    lowLatency: false,
    // Apple's authoring guidance for regular live HLS: 6 s segments, the most robust on poor networks.
    segmentSeconds: 6,
    // Not advertised; one-second fragments keep moof overhead low and a segment still closes
    // the moment its successor's keyframe arrives.
    partSeconds: 1,
    // Unused without parts.
    partHoldBackSeconds: 0,
    // Three segments behind the edge, the spec's minimum and what players do anyway.
    holdBackSeconds: 18,
    // 36 s of window: the hold-back plus three segments to seek in.
    playlistSegments: 6,
  },
};

function isLatencyMode(value: unknown): value is LatencyMode {
  return value === 1 || value === 2 || value === 3;
}

/** The profile of a latency mode; throws on a number outside PeerTube's three (a caller bug). */
export function latencyProfile(mode: 1 | 2 | 3): LatencyProfile {
  if (!isLatencyMode(mode)) throw new RangeError(`unknown latency mode ${String(mode)} (expected 1, 2 or 3)`);
  return { ...PROFILES[mode] };
}
