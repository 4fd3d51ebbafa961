// Reading a number from a socket event's payload. Number() is not safe on what a client sends:
// an object whose own toString or valueOf is not a function makes it throw (found by the
// chat-events fuzz surface), and then the event answered an internal error.

/** A number or a numeric string as a number; anything else is NaN. */
export function numberField(value: unknown): number {
  return typeof value === 'number' || typeof value === 'string' ? Number(value) : Number.NaN;
}
