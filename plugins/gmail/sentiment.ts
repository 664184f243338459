// The sentiment of what a customer wrote, from the `sentiment` library (the AFINN-165 word list).
// Its `comparative` score is the sum of the AFINN valences (−5 … +5 per word) divided by the number
// of words, so it lies in [−5, 5] but is usually within ±1. The hub wants [−1, 1]: tanh maps it there,
// keeping the sign and order, staying close to the comparative score for ordinary text (tanh(x) ≈ x
// for small x) and saturating smoothly for short emphatic messages ("Terrible!" reads −0.995).
import Sentiment from "sentiment";

const analyzer = new Sentiment();

/** Lines that start a quoted earlier message in a reply ("On Mon, … wrote:", Outlook's separators). */
const QUOTE_HEADER = /^(On .+wrote:|-{2,}\s*Original Message\s*-{2,}|_{5,}|From: .+)$/im;

/**
 * The part of an email body its sender wrote just now: everything before the quoted earlier message,
 * without "> " quoted lines. Scoring the quote would score the agent's own earlier words.
 */
export function ownWords(text: string): string {
  const quoteStart = text.search(QUOTE_HEADER);
  const fresh = quoteStart >= 0 ? text.slice(0, quoteStart) : text;
  return fresh
    .split("\n")
    .filter((line) => !line.startsWith(">"))
    .join("\n")
    .trim();
}

/** The sentiment of `text` in [−1, 1], rounded to 3 decimals; undefined when there are no words. */
export function sentimentOf(text: string | undefined): number | undefined {
  const words = text ? ownWords(text) : "";
  if (!words) return undefined;
  const result = analyzer.analyze(words);
  if (result.tokens.length === 0) return undefined;
  // Math.round(-0) is -0; + 0 turns it into the 0 a neutral message should carry.
  return Math.round(Math.tanh(result.comparative) * 1000) / 1000 + 0;
}
