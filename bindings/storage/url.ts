// A model file fetched from a URL (a CDN, the page's own server, an R2 bucket): the response
// checked (HTTP status, and the bytes' SHA-256 when the caller knows it), then the bytes checked
// and rebuilt by Model.load (checksum, schema). Nothing is built from a file that fails a check.
import { Model } from "../model.js";
import { labelErrors } from "../errors.js";
import { checkOptionKeys, describe } from "../validate.js";

/** Options of `loadFromUrl`. */
export interface LoadFromUrlOptions {
  /** The fetch to use (default: globalThis.fetch), e.g. one that adds credentials. */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  /** Passed to fetch: headers, credentials, an AbortSignal, ... */
  init?: RequestInit;
  /** The SHA-256 of the file as 64 hex digits: the bytes must match it (as Subresource Integrity does). */
  sha256?: string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/i;

/** The SHA-256 of `bytes` as lowercase hex. */
async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Fetches the model file at `url` (written by `model.save()`) and rebuilds it with Model.load.
 * Rejects with an Error when the response is not 2xx, a RangeError when the bytes fail their
 * SHA-256 (`sha256`) or the file's own checks; a TypeError for bad arguments.
 */
export async function loadFromUrl(url: string | URL, options: LoadFromUrlOptions = {}): Promise<Model> {
  const where = "loadFromUrl";
  if (typeof url !== "string" && !(url instanceof URL)) throw new TypeError(`${where}: url must be a string or a URL; got ${describe(url)}`);
  checkOptionKeys(where, options, ["fetch", "init", "sha256"]);
  const fetcher = options.fetch ?? (globalThis as { fetch?: LoadFromUrlOptions["fetch"] }).fetch;
  if (typeof fetcher !== "function") throw new TypeError(`${where}: fetch must be a function (this runtime has no globalThis.fetch); got ${describe(fetcher)}`);
  const { sha256 } = options;
  if (sha256 !== undefined && (typeof sha256 !== "string" || !SHA256_HEX.test(sha256))) {
    throw new TypeError(`${where}: sha256 must be 64 hex digits; got ${describe(sha256)}`);
  }
  const address = String(url);
  const response = await fetcher(address, options.init);
  if (!response.ok) throw new Error(`${where}: ${address} answered HTTP ${response.status} ${response.statusText}`.trimEnd());
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (sha256 !== undefined) {
    const actual = await sha256Hex(bytes);
    if (actual !== sha256.toLowerCase()) throw new RangeError(`${where}: the ${bytes.length} bytes from ${address} have SHA-256 ${actual}; expected ${sha256.toLowerCase()}`);
  }
  return labelErrors(where, () => Model.load(bytes), { path: address });
}
