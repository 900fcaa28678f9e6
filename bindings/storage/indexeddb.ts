// A model in the browser's IndexedDB: the bytes of `model.save()` stored under a name, read back
// and checked by `Model.load` (checksum, schema) like any model file. One object store, "models",
// in the database "wasm-rnn"; each record is { name, bytes, savedAt }.
import { Model } from "../model.js";
import { labelErrors } from "../errors.js";
import { checkOptionKeys, checkBoolean, describe } from "../validate.js";

const DATABASE = "wasm-rnn";
const STORE = "models";

/** A model stored by `saveToIndexedDB`. */
export interface StoredModelInfo {
  /** The name it is stored under. */
  name: string;
  /** Bytes of the stored model file. */
  bytes: number;
  /** When it was stored (ISO 8601). */
  savedAt: string;
}

/** What one record of the store holds. */
interface StoredModel extends StoredModelInfo {
  file: Uint8Array;
}

/** The runtime's IndexedDB factory; an Error naming `where` where there is none (Node, Cloudflare Workers). */
function indexedDbOf(where: string): IDBFactory {
  const factory = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (factory === undefined) {
    throw new Error(`${where}: this runtime has no IndexedDB (globalThis.indexedDB is undefined); store the bytes of model.save() yourself (a file in Node, KV or R2 in a Worker)`);
  }
  return factory;
}

/** Throws unless `name` is a non-empty string. */
function checkName(where: string, name: unknown): string {
  if (typeof name !== "string" || name.length === 0) throw new TypeError(`${where}: name must be a non-empty string; got ${describe(name)}`);
  return name;
}

/** Resolves with a request's result; rejects with an Error naming `where` and the request's error. */
function settled<T>(where: string, request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(new Error(`${where}: IndexedDB: ${request.error?.message ?? "the request failed"}`, { cause: request.error }));
  });
}

/** Opens the database (creating its store on first use). */
async function openDatabase(where: string): Promise<IDBDatabase> {
  const request = indexedDbOf(where).open(DATABASE, 1);
  request.onupgradeneeded = () => {
    request.result.createObjectStore(STORE, { keyPath: "name" });
  };
  return await settled(where, request);
}

/** Runs `body` on the store in one transaction and resolves once the transaction has completed (the data is durable). */
async function inStore<T>(where: string, mode: IDBTransactionMode, body: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDatabase(where);
  try {
    const transaction = db.transaction(STORE, mode);
    const done = new Promise<void>((resolve, reject) => {
      transaction.oncomplete = () => resolve();
      transaction.onabort = () => reject(new Error(`${where}: IndexedDB: ${transaction.error?.message ?? "the transaction was aborted"}`, { cause: transaction.error }));
    });
    const result = await settled(where, body(transaction.objectStore(STORE)));
    await done;
    return result;
  } finally {
    db.close();
  }
}

/**
 * Stores `model.save(options)` in IndexedDB under `name` (replacing what was there), as tf.io's
 * "indexeddb://" URLs do in TF.js. `{ includeOptimizer: false }` stores a model to serve, without
 * the optimizer's state. Resolves once the data is written.
 */
export async function saveToIndexedDB(name: string, model: Model, options: { includeOptimizer?: boolean } = {}): Promise<StoredModelInfo> {
  const where = "saveToIndexedDB";
  checkName(where, name);
  if (!(model instanceof Model)) throw new TypeError(`${where}: model must be a Model; got ${describe(model)}`);
  checkOptionKeys(where, options, ["includeOptimizer"]);
  const includeOptimizer = checkBoolean(where, "includeOptimizer", options.includeOptimizer ?? true);
  const file = labelErrors(where, () => model.save({ includeOptimizer }));
  const record: StoredModel = { name, file, bytes: file.length, savedAt: new Date().toISOString() };
  await inStore(where, "readwrite", (store) => store.put(record));
  return { name, bytes: record.bytes, savedAt: record.savedAt };
}

/** The model stored under `name` by `saveToIndexedDB`, checked and rebuilt by Model.load; a RangeError when there is none. */
export async function loadFromIndexedDB(name: string): Promise<Model> {
  const where = "loadFromIndexedDB";
  checkName(where, name);
  const record = await inStore(where, "readonly", (store) => store.get(name) as IDBRequest<StoredModel | undefined>);
  if (record === undefined) throw new RangeError(`${where}: no model named "${name}" in IndexedDB (database "${DATABASE}")`);
  return labelErrors(where, () => Model.load(record.file), { path: `the model stored as "${name}"` });
}

/** Deletes the model stored under `name`; resolves to whether there was one. */
export async function removeFromIndexedDB(name: string): Promise<boolean> {
  const where = "removeFromIndexedDB";
  checkName(where, name);
  // one transaction: its requests run in order, and deleting a missing name does nothing
  const found = await inStore(where, "readwrite", (store) => {
    const count = store.count(name);
    store.delete(name);
    return count;
  });
  return found > 0;
}
