// The one source of "now". Every path that depends on the time takes a Clock, so tests and scheduled
// jobs can move it, and no answer depends on the time of day a test happens to run.

/** Returns the current instant. */
export type Clock = () => Date;

/** The machine's clock: what the server runs on. */
export const systemClock: Clock = () => new Date();
