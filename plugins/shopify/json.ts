// JSON for Shopify's REST-shaped webhook bodies, whose ids are 64-bit integers written as bare numbers
// (820982911946154508). JSON.parse would round them to the nearest double (820982911946154500) and
// name another order; here an integer beyond Number.MAX_SAFE_INTEGER is read as its exact digits.

/** JSON.parse, except that integers too large for a double come back as strings of their digits. */
export function parseJsonKeepingLargeIntegers(text: string): unknown {
  let quoted = "";
  let copiedUpTo = 0;
  let inString = false;
  for (let i = 0; i < text.length; ) {
    const char = text[i];
    if (inString) {
      if (char === "\\") i += 2;
      else {
        if (char === '"') inString = false;
        i++;
      }
      continue;
    }
    if (char === '"') {
      inString = true;
      i++;
      continue;
    }
    if (char === "-" || (char !== undefined && char >= "0" && char <= "9")) {
      let end = i + 1;
      while (end < text.length && /[0-9.eE+-]/.test(text[end] ?? "")) end++;
      const token = text.slice(i, end);
      if (/^-?\d+$/.test(token) && !Number.isSafeInteger(Number(token))) {
        quoted += `${text.slice(copiedUpTo, i)}"${token}"`;
        copiedUpTo = end;
      }
      i = end;
      continue;
    }
    i++;
  }
  // Anything malformed is left as it was, so JSON.parse reports it with its own position.
  return JSON.parse(quoted + text.slice(copiedUpTo));
}
