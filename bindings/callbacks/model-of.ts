// The model a built-in callback was given by fit's setModel: used outside fit, a callback has none.
import type { FitModel } from "./callback.js";

/** `model`, or an Error saying that callback `where` runs only inside fit. */
export function modelOf(where: string, model: FitModel | null): FitModel {
  if (model === null) throw new Error(`${where}: the callback has no model; pass it to fit in the callbacks option`);
  return model;
}
