// The sentiment of what a customer wrote in an email, on the hub's one scale (`scoreSentiment` of
// cx-hub/sdk). What is Gmail's own here is which words count: a reply quotes the thread below the
// sender's new words, and scoring the quote would score the agent's earlier words. So the plugin
// scores the sender's own words and gives the score; the hub would otherwise score the whole body.
import { scoreSentiment } from "cx-hub/sdk";

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

/** The sentiment of the sender's own words in `text`; undefined when they have no words. */
export function sentimentOf(text: string | undefined): number | undefined {
  return text ? scoreSentiment(ownWords(text)) : undefined;
}
