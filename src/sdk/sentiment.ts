// The hub's one sentiment scale: a number from −1 (negative) to 1 (positive).
import { z } from "zod";

/** A sentiment on the hub's scale, from −1 (negative) to 1 (positive). */
export const sentimentSchema = z
  .number()
  .min(-1, "Sentiment lies between -1 (negative) and 1 (positive).")
  .max(1, "Sentiment lies between -1 (negative) and 1 (positive).");
