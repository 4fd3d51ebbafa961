// The one error type the fMP4 layer lets out, so that a caller can tell a corrupt input
// (restart the transcoder, log it) from a bug (anything else).

export class Fmp4ParseError extends Error {
  override name = 'Fmp4ParseError';
}

/** Runs a parse step and turns any stray error (a bug or an unforeseen layout) into an Fmp4ParseError. */
export function asParseError<T>(context: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof Fmp4ParseError) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new Fmp4ParseError(`${context}: ${detail}`);
  }
}
