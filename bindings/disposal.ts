// What dispose() leaves behind: an object whose methods and accessors all throw a clear Error
// ("LSTM.forward: the layer has been disposed") instead of reading freed wasm memory or doing
// nothing. One mechanism for every class that owns wasm memory: its base constructor guards the
// prototype chain once, its dispose() marks the instance. A part another object disposes (a
// model's layers, optimizer and arena; a layer's own arena) cannot be disposed on its own while
// that owner lives, so a model never runs on a freed part.

const disposedObjects = new WeakSet<object>();
const guardedPrototypes = new WeakSet<object>();
const owners = new WeakMap<object, object>();

/** Marks `object` as disposed: from now on every guarded method and accessor of it throws. */
export function markDisposed(object: object): void {
  disposedObjects.add(object);
}

/** Whether `object` was disposed. */
export function isDisposed(object: object): boolean {
  return disposedObjects.has(object);
}

/**
 * Throws "<where>: the <noun> has been disposed" once `object` is disposed: for code the guard does
 * not cover, such as an async method going on after an await (the object may be disposed meanwhile).
 */
export function checkNotDisposed(object: object, where: string, noun: string): void {
  if (disposedObjects.has(object)) throw new Error(`${where}: the ${noun} has been disposed`);
}

/** Records that `owner` disposes `part` (with its own dispose): until then, `part.dispose()` alone throws. */
export function setOwner(part: object, owner: object): void {
  owners.set(part, owner);
}

/** Ends `part`'s ownership (its owner hands it back, e.g. to dispose it now). */
export function releaseOwner(part: object): void {
  owners.delete(part);
}

/** Whether `part` belongs to an owner that is not disposed. */
export function isOwned(part: object): boolean {
  const owner = owners.get(part);
  return owner !== undefined && !disposedObjects.has(owner);
}

/**
 * Throws when `part` belongs to an owner that is not disposed: "<Class>.dispose: the <noun> belongs
 * to a Model; dispose the Model, which disposes it". Called first by dispose() of every part.
 */
export function checkNotOwned(part: object, noun: string): void {
  if (isOwned(part)) {
    const name = owners.get(part)!.constructor.name;
    throw new Error(`${part.constructor.name}.dispose: the ${noun} belongs to a ${name}; dispose the ${name}, which disposes it`);
  }
}

/** `fn` as called on a disposed object: throws "<Class>.<name>: the <noun> has been disposed" (an async `fn` rejects with it). */
function guarded<F extends (this: object, ...args: never[]) => unknown>(fn: F, name: string, noun: string): F {
  const isAsync = fn.constructor.name === "AsyncFunction";
  return function (this: object, ...args: never[]): unknown {
    if (disposedObjects.has(this)) {
      const error = new Error(`${this.constructor.name}.${name}: the ${noun} has been disposed`);
      if (isAsync) return Promise.reject(error);
      throw error;
    }
    return fn.apply(this, args);
  } as F;
}

/**
 * Guards every method, getter and setter of `instance`'s class and of its ancestors up to and
 * including `base` (all but `constructor` and `dispose`, which stays callable and is a no-op the
 * second time): once `markDisposed(instance)` ran, each throws an Error naming the class, the
 * member and `noun` ("the model has been disposed"). Each prototype is patched once, by the
 * first instance built from it, so a subclass or a method added later is covered too.
 */
export function guardDisposal(instance: object, base: { prototype: object }, noun: string): void {
  for (let proto = Object.getPrototypeOf(instance) as object | null; proto !== null && !guardedPrototypes.has(proto); proto = Object.getPrototypeOf(proto) as object | null) {
    guardedPrototypes.add(proto);
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === "constructor" || name === "dispose") continue;
      const d = Object.getOwnPropertyDescriptor(proto, name)!;
      if (typeof d.value === "function") d.value = guarded(d.value, name, noun);
      if (d.get !== undefined) d.get = guarded(d.get, name, noun);
      if (d.set !== undefined) d.set = guarded(d.set, name, noun);
      Object.defineProperty(proto, name, d);
    }
    if (proto === base.prototype) break;
  }
}
