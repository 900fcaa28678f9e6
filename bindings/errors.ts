// Errors as the user sees them: every message starts with the public function the user called.
// The library's helpers and constructors label their own messages ("LSTM: units must be ...",
// "readSafetensors: the header ...", "Model.loadStateDict: dict[...] ..."); a public entry that
// calls them on the user's behalf (Model.load building layers from a file, Model.fromStateDict
// loading a dict) re-labels what they throw with its own name and where in its input they were.

/** A library label at the start of a message: "LSTM: ", "Model.loadStateDict: ", "readSafetensors: ". */
const LABEL = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*: /;
/** The name a message starts with, as in "units must be ..." or "layers[1].inputSize must ...". */
const LEADING_NAME = /^[A-Za-z_$][\w$]*(?=[.[ ])/;

/** Where inside the public function's input a helper was working, for `labelErrors`. */
export interface ErrorContext {
  /** The path of the value the helper checked, e.g. "model.layers[1].options" (default: none). */
  path?: string;
  /**
   * Keys of the object at `path`: a message that starts with one of them ("units must be ...")
   * is joined as "model.layers[1].options.units must be ..."; any other as "<path>: <message>".
   */
  keys?: readonly string[];
}

/**
 * The message of a TypeError or RangeError thrown by a library helper on behalf of the public
 * function `where`: its own label replaced by `where` and the context's path. Null for errors
 * that are not the library's validation errors (they pass unchanged) and for messages that
 * already start with `where`.
 */
function relabelledMessage(where: string, error: unknown, context: ErrorContext): string | null {
  if (!(error instanceof TypeError || error instanceof RangeError)) return null;
  const label = LABEL.exec(error.message);
  if (label === null || label[0] === `${where}: `) return null;
  const rest = error.message.slice(label[0].length);
  const { path, keys = [] } = context;
  if (path === undefined || path === "") return `${where}: ${rest}`;
  const name = LEADING_NAME.exec(rest)?.[0];
  return name !== undefined && keys.includes(name) ? `${where}: ${path}.${rest}` : `${where}: ${path}: ${rest}`;
}

/**
 * Runs `body` on behalf of the public function `where`: a TypeError or RangeError that a helper
 * or another entry of the library throws with its own label comes out as the same class of error
 * labelled `where` (with the context's path), the original as its `cause`. Anything else passes
 * unchanged.
 */
export function labelErrors<T>(where: string, body: () => T, context: ErrorContext = {}): T {
  try {
    return body();
  } catch (e) {
    const message = relabelledMessage(where, e, context);
    if (message === null) throw e;
    throw new (e instanceof RangeError ? RangeError : TypeError)(message, { cause: e });
  }
}
