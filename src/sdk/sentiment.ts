// The hub's one sentiment scale, and its scorer. Every stored sentiment is a number in [−1, 1]
// (negative to positive) on this scale, whoever computed it, so that churn risk can average a
// customer's emails, comments and chats as one signal:
//
//     sentiment = s / √(s² + 15), rounded to 3 decimals
//
// where s is the AFINN-165 sum of the text's word valences (−5 … +5 per word; a negator such as
// "not" just before a word flips it), as the `sentiment` library computes it. The normalization is
// VADER's (Hutto & Gilbert, "VADER: A Parsimonious Rule-based Model for Sentiment Analysis of Social
// Media Text", ICWSM 2014; `normalize(score, alpha=15)` in vaderSentiment). Unlike the mean valence
// per word, it does not let a long text drown out its strong words, and it saturates for emphatic
// short ones: one mild word reads mild ("thanks", s = 2: 0.459), several strong words approach ±1
// (s = −12: −0.952). A text whose words are all outside the list scores 0; AFINN is English-only,
// so other languages mostly score 0.
import Sentiment from "sentiment";
import { z } from "zod";

/** VADER's α: s / √(s² + α) reaches ±0.5 at |s| ≈ 2.2 and ±0.9 at |s| ≈ 8. */
const ALPHA = 15;

const analyzer = new Sentiment();

/** A sentiment on the hub's scale, from −1 (negative) to 1 (positive). */
export const sentimentSchema = z
  .number()
  .min(-1, "Sentiment lies between -1 (negative) and 1 (positive).")
  .max(1, "Sentiment lies between -1 (negative) and 1 (positive).");

/**
 * The sentiment of `text` on the hub's scale, rounded to 3 decimals; undefined when the text has no
 * words (empty, or only spaces and punctuation). Deterministic: the same text always scores the same,
 * so a record scored again on a re-sync compares as unchanged.
 */
export function scoreSentiment(text: string): number | undefined {
  const { score, tokens } = analyzer.analyze(text);
  // The library's tokenizer turns a text without words into one empty token.
  if (!tokens.some((token) => token !== "")) return undefined;
  const normalized = score / Math.sqrt(score * score + ALPHA);
  // Math.round(-0.0004 * 1000) is -0; + 0 turns it into the 0 a neutral text should carry.
  return Math.round(normalized * 1000) / 1000 + 0;
}
