// Simple tokenizers that turn text into the token lists a Vocabulary is built from.
import { checkOptionKeys, checkBoolean, describe } from "../validate.js";

/** Options of `tokenizeWords`. */
export interface TokenizeWordsOptions {
  /** Lowercase the text first (String.prototype.toLowerCase, locale-independent); default false. */
  lowercase?: boolean;
}

/**
 * A word: letters, combining marks and digits, with inner apostrophes ("don't", "l'eau"); or one
 * character that is neither such a character nor white space (punctuation, symbols).
 */
const WORD = /[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}\p{N}]+)*|[^\s\p{L}\p{M}\p{N}]/gu;

function checkText(where: string, text: unknown): string {
  if (typeof text !== "string") throw new TypeError(`${where}: text must be a string; got ${describe(text)}`);
  return text;
}

/** The characters of `text` as tokens, one per Unicode code point (an emoji stays whole). */
export function tokenizeChars(text: string): string[] {
  return Array.from(checkText("tokenizeChars", text));
}

/**
 * The words and punctuation marks of `text`, matched by
 * `/[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}\p{N}]+)*|[^\s\p{L}\p{M}\p{N}]/gu`: runs of letters,
 * marks and digits (joined by inner apostrophes), and every other non-space character alone.
 * `tokenizeWords("Don't stop, 2 go!")` is `["Don't", "stop", ",", "2", "go", "!"]`.
 */
export function tokenizeWords(text: string, options: TokenizeWordsOptions = {}): string[] {
  const where = "tokenizeWords";
  checkText(where, text);
  checkOptionKeys(where, options, ["lowercase"]);
  const lowercase = checkBoolean(where, "lowercase", options.lowercase ?? false);
  return (lowercase ? text.toLowerCase() : text).match(WORD) ?? [];
}
