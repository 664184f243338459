// Row ids: UUID version 7 (RFC 9562), as the `uuid` package's v7 makes them, without its garbage.
// The package builds each id from a fresh 16-byte array of random bytes, another for the id's bytes,
// and twenty short strings it then joins and lower-cases: about 1 KB of garbage per id, 140 MB in a
// CDNOW sync (a customer, two identities, an interaction and a score per buyer or order), where the
// young-generation collections it triggers copy the batch in flight each time. Here the hex digits are
// written into one scratch buffer and read out as a single 36-character string.
//
// Same layout and the same guarantee as the package: 48 bits of Unix milliseconds, then a 32-bit
// counter seeded at random in each new millisecond and incremented within it (a counter that wraps
// moves the time on by a millisecond), then random bits; so the ids one process makes sort in the
// order it made them. The time is the machine's (Date.now, as the package reads it): it orders ids in
// the index, it is not a business time, so it takes no Clock.
import { randomFillSync } from "node:crypto";

/** Random bytes drawn in bulk: an id takes 6, or 10 in a new millisecond. */
const random = Buffer.alloc(4096);
let next = random.length;

/** The two lower-case hex digits of each byte, as character codes. */
const HEX = new Uint8Array(512);
for (let byte = 0; byte < 256; byte++) {
  const digits = byte.toString(16).padStart(2, "0");
  HEX[2 * byte] = digits.charCodeAt(0);
  HEX[2 * byte + 1] = digits.charCodeAt(1);
}
/** Where each of the id's 16 bytes goes in its text (8-4-4-4-12 digits, dashes between). */
const AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const text = Buffer.alloc(36, "-".charCodeAt(0));

/**
 * A generator of UUID v7s with its own last millisecond and counter, reading the time from `now`.
 * The process has one (uuidv7); tests make their own, so that what other ids were made before in the
 * same process (and at what real time) cannot move theirs.
 */
export function createUuidV7(now: () => number = Date.now): () => string {
  let lastMs = Number.NEGATIVE_INFINITY;
  let counter = 0;
  return () => {
    if (next > random.length - 10) {
      randomFillSync(random);
      next = 0;
    }
    const ms = now();
    if (ms > lastMs) {
      const seed = random.readUInt32BE(next);
      counter = ((seed >>> 24) << 23) | (seed & 0xffffff);
      lastMs = ms;
      next += 4;
    } else {
      counter = (counter + 1) | 0;
      if (counter === 0) lastMs++;
    }
    const id = uuidv7Text(lastMs, counter, random, next);
    next += 6;
    return id;
  };
}

/** A new UUID v7, in its canonical lower-case text: the process's generator, on the machine's time. */
export const uuidv7: () => string = createUuidV7();

/**
 * The text of the UUID v7 of `msecs`, `counter` and the 6 random bytes at `random[offset]`: the bytes
 * `uuid`'s v7({ msecs, seq: counter, random }) makes when its random bytes 10 to 15 are these.
 */
export function uuidv7Text(msecs: number, counter: number, random: Uint8Array, offset: number): string {
  put(0, (msecs / 0x10000000000) & 0xff);
  put(1, (msecs / 0x100000000) & 0xff);
  put(2, (msecs / 0x1000000) & 0xff);
  put(3, (msecs / 0x10000) & 0xff);
  put(4, (msecs / 0x100) & 0xff);
  put(5, msecs & 0xff);
  put(6, 0x70 | ((counter >>> 28) & 0x0f));
  put(7, (counter >>> 20) & 0xff);
  put(8, 0x80 | ((counter >>> 14) & 0x3f));
  put(9, (counter >>> 6) & 0xff);
  put(10, ((counter << 2) & 0xff) | ((random[offset] as number) & 0x03));
  for (let byte = 11; byte < 16; byte++) put(byte, random[offset + byte - 10] as number);
  return text.toString("latin1", 0, 36);
}

function put(byte: number, value: number): void {
  const at = AT[byte] as number;
  text[at] = HEX[2 * value] as number;
  text[at + 1] = HEX[2 * value + 1] as number;
}
