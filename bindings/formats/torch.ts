// PyTorch state dicts as torch.save writes them (the zip format of PyTorch >= 1.6):
// <archive>/data.pkl pickles a dict of tensors whose storages are persistent ids naming the
// entries <archive>/data/<key>; <archive>/byteorder (when present) says how their bytes are laid out.
import { sizeOf, type Tensor } from "../tensor.js";
import { describe, shapeString } from "../validate.js";
import { decodeFloats, toFloat32, type FloatDtype } from "./float-formats.js";
import { PickleDict, PickleGlobal, PickleObject, PickleTuple, describePickle, unpickle, type PickleValue, type UnpicklerHooks } from "./pickle.js";
import { readZipEntries } from "./zip.js";

const WHERE = "readTorchStateDict";
const PICKLE = `${WHERE}: data.pkl`;

/** A storage class of torch.save: its dtype name, element bytes, and the float format it decodes as. */
interface StorageType {
  dtype: string;
  bytes: number;
  format?: FloatDtype;
}

const STORAGE_TYPES: Readonly<Record<string, StorageType>> = {
  FloatStorage: { dtype: "float32", bytes: 4, format: "F32" },
  DoubleStorage: { dtype: "float64", bytes: 8, format: "F64" },
  HalfStorage: { dtype: "float16", bytes: 2, format: "F16" },
  BFloat16Storage: { dtype: "bfloat16", bytes: 2, format: "BF16" },
  LongStorage: { dtype: "int64", bytes: 8 },
  IntStorage: { dtype: "int32", bytes: 4 },
  ShortStorage: { dtype: "int16", bytes: 2 },
  CharStorage: { dtype: "int8", bytes: 1 },
  ByteStorage: { dtype: "uint8", bytes: 1 },
  BoolStorage: { dtype: "bool", bytes: 1 },
};

const ORDERED_DICT = "collections.OrderedDict";
const REBUILD_TENSOR = "torch._utils._rebuild_tensor_v2";
const REBUILD_PARAMETER = "torch._utils._rebuild_parameter";
const ALLOWED_GLOBALS: readonly string[] = [ORDERED_DICT, REBUILD_TENSOR, REBUILD_PARAMETER, ...Object.keys(STORAGE_TYPES).map((s) => `torch.${s}`)];

/** Key prefixes of wrappers around a module: DistributedDataParallel / DataParallel and torch.compile. */
const WRAPPER_PREFIXES = ["module.", "_orig_mod."];

/** The legacy (non-zip) torch.save format starts with its magic number, pickled as a LONG1. */
const LEGACY_MAGIC = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

class StorageRef extends PickleObject {
  constructor(readonly typeName: string, readonly key: string, readonly numel: number) {
    super();
  }

  get type(): StorageType {
    return STORAGE_TYPES[this.typeName]!;
  }
}

class TensorRef extends PickleObject {
  constructor(readonly storage: StorageRef, readonly offset: number, readonly shape: number[], readonly stride: number[]) {
    super();
  }
}

function isCount(v: PickleValue): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}

function counts(what: string, v: PickleValue): number[] {
  if (!(v instanceof PickleTuple) || !v.items.every(isCount)) {
    throw new TypeError(`${PICKLE}: a tensor's ${what} must be a tuple of non-negative integers; got ${describePickle(v)}`);
  }
  return v.items as number[];
}

function rebuildTensor(args: readonly PickleValue[]): TensorRef {
  const [storage, offset, size, stride, requiresGrad, hooks] = args;
  if ((args.length !== 6 && args.length !== 7) || !(storage instanceof StorageRef)) {
    throw new TypeError(`${PICKLE}: ${REBUILD_TENSOR} takes (storage, offset, size, stride, requires_grad, hooks[, metadata]); got ${args.length} arguments starting with ${describePickle(storage ?? null)}`);
  }
  if (!isCount(offset!)) throw new TypeError(`${PICKLE}: a tensor's storage offset must be a non-negative integer; got ${describePickle(offset!)}`);
  const shape = counts("size", size!);
  const strides = counts("stride", stride!);
  if (shape.length !== strides.length) throw new RangeError(`${PICKLE}: a tensor has size ${shapeString(shape)} but stride ${shapeString(strides)}`);
  if (typeof requiresGrad !== "boolean" || !(hooks instanceof PickleDict)) {
    throw new TypeError(`${PICKLE}: ${REBUILD_TENSOR} needs a boolean requires_grad and a dict of hooks; got ${describePickle(requiresGrad!)} and ${describePickle(hooks!)}`);
  }
  return new TensorRef(storage, offset, shape, strides);
}

/** The allow-list of torch.load(weights_only=True) that a dict of float tensors needs. */
function stateDictHooks(): UnpicklerHooks {
  const storages = new Map<string, StorageRef>();
  return {
    checkGlobal(g: PickleGlobal): void {
      if (!ALLOWED_GLOBALS.includes(g.path)) {
        throw new TypeError(`${PICKLE} references the global ${g.path}, which is not allowed; a weights-only load accepts ${ALLOWED_GLOBALS.join(", ")}`);
      }
    },
    reduce(callable: PickleGlobal, args: PickleTuple): PickleValue {
      if (callable.path === ORDERED_DICT && args.items.length === 0) return new PickleDict();
      if (callable.path === REBUILD_TENSOR) return rebuildTensor(args.items);
      const [data, requiresGrad, hooks] = args.items;
      if (callable.path === REBUILD_PARAMETER && args.items.length === 3 && data instanceof TensorRef && typeof requiresGrad === "boolean" && hooks instanceof PickleDict) {
        return data;
      }
      throw new TypeError(`${PICKLE} calls ${callable.path} with ${describePickle(args)}, which a state dict does not need`);
    },
    persistentLoad(pid: PickleValue): PickleValue {
      const [tag, type, key, location, numel] = pid instanceof PickleTuple ? pid.items : [];
      if (!(pid instanceof PickleTuple) || pid.items.length !== 5 || tag !== "storage" || !(type instanceof PickleGlobal) || !(type.name in STORAGE_TYPES)
        || typeof key !== "string" || typeof location !== "string" || !isCount(numel!)) {
        throw new TypeError(`${PICKLE}: a persistent id must be ("storage", storage type, key, location, numel); got ${describePickle(pid)}`);
      }
      const known = storages.get(key);
      if (known === undefined) {
        const storage = new StorageRef(type.name, key, numel);
        storages.set(key, storage);
        return storage;
      }
      if (known.typeName !== type.name || known.numel !== numel) {
        throw new RangeError(`${PICKLE}: storage ${JSON.stringify(key)} is both ${known.numel} x ${known.typeName} and ${numel} x ${type.name}`);
      }
      return known;
    },
    build(target: PickleValue, state: PickleValue): void {
      // A state dict's OrderedDict carries its modules' versions in a _metadata attribute; it is dropped.
      if (!(target instanceof PickleDict)) {
        throw new TypeError(`${PICKLE}: BUILD sets the state ${describePickle(state)} of ${describePickle(target)}; only a dict's attributes (_metadata) are accepted`);
      }
    },
  };
}

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

function checkContainer(bytes: Uint8Array): void {
  if (startsWith(bytes, ZIP_MAGIC)) return;
  if (startsWith(bytes, LEGACY_MAGIC)) {
    throw new TypeError(`${WHERE}: this is the legacy torch.save format (PyTorch < 1.6, or _use_new_zipfile_serialization=False), which is not read; load it in PyTorch and torch.save it again`);
  }
  const head = Array.from(bytes.subarray(0, 4), (b) => `0x${b.toString(16).padStart(2, "0")}`).join(" ");
  throw new RangeError(`${WHERE}: not a torch.save archive: expected a zip file starting with 0x50 0x4b 0x03 0x04 ("PK"); got ${bytes.length === 0 ? "an empty file" : head}`);
}

/** The archive's folder ("<archive>/") holding data.pkl. */
function archivePrefix(entries: Map<string, Uint8Array>): string {
  const pickles = [...entries.keys()].filter((name) => /^[^/]*\/data\.pkl$/.test(name));
  if (pickles.length !== 1) {
    throw new RangeError(`${WHERE}: expected one <archive>/data.pkl entry in the zip archive; got ${pickles.length === 0 ? "none" : pickles.join(", ")}`);
  }
  const prefix = pickles[0]!.slice(0, -"data.pkl".length);
  if (entries.has(`${prefix}constants.pkl`) || [...entries.keys()].some((name) => name.startsWith(`${prefix}code/`))) {
    throw new TypeError(`${WHERE}: this is a TorchScript archive (torch.jit.save); save the module's state_dict() with torch.save instead`);
  }
  return prefix;
}

/** Whether the storages are little-endian (the byteorder entry; absent means little). */
function isLittleEndian(entries: Map<string, Uint8Array>, prefix: string): boolean {
  const entry = entries.get(`${prefix}byteorder`);
  if (entry === undefined) return true;
  const order = new TextDecoder().decode(entry);
  if (order !== "little" && order !== "big") throw new RangeError(`${WHERE}: the byteorder entry must say "little" or "big"; got ${JSON.stringify(order.slice(0, 16))}`);
  return order === "little";
}

function checkVersion(entries: Map<string, Uint8Array>, prefix: string): void {
  const entry = entries.get(`${prefix}version`) ?? entries.get(`${prefix}.data/version`);
  if (entry === undefined) return;
  const text = new TextDecoder().decode(entry);
  if (!/^\d+\s*$/.test(text)) throw new RangeError(`${WHERE}: the version entry must hold a format version number; got ${JSON.stringify(text.slice(0, 16))}`);
}

/** `key` without leading "module." / "_orig_mod." prefixes, repeatedly and in any order. */
function stripWrapperPrefixes(key: string): string {
  let name = key;
  for (let p = WRAPPER_PREFIXES.find((w) => name.startsWith(w)); p !== undefined; p = WRAPPER_PREFIXES.find((w) => name.startsWith(w))) {
    name = name.slice(p.length);
  }
  if (name === "") throw new RangeError(`${WHERE}: key ${JSON.stringify(key)} is empty once its wrapper prefixes are stripped`);
  return name;
}

function isRowMajor(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expected) return false;
    expected *= shape[d]!;
  }
  return true;
}

/** The `numel` elements of the strided view (offset, shape, stride) of `src`, in row-major order. */
function gather(src: Float32Array | Float64Array, offset: number, shape: readonly number[], stride: readonly number[], numel: number): Float32Array | Float64Array {
  if (isRowMajor(shape, stride)) return src.slice(offset, offset + numel);
  const out = src instanceof Float64Array ? new Float64Array(numel) : new Float32Array(numel);
  const index = shape.map(() => 0);
  let at = offset;
  for (let i = 0; i < numel; i++) {
    out[i] = src[at]!;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d]! < shape[d]!) {
        at += stride[d]!;
        break;
      }
      index[d] = 0;
      at -= (shape[d]! - 1) * stride[d]!;
    }
  }
  return out;
}

/** Reads the tensors of a state dict, decoding each storage once. */
class TensorReader {
  private readonly decoded = new Map<string, Float32Array | Float64Array>();

  constructor(private readonly entries: Map<string, Uint8Array>, private readonly prefix: string, private readonly littleEndian: boolean, private readonly fileBytes: number) {}

  private storageValues(name: string, storage: StorageRef, format: FloatDtype): Float32Array | Float64Array {
    const cached = this.decoded.get(storage.key);
    if (cached !== undefined) return cached;
    const what = `storage ${JSON.stringify(storage.key)} of tensor ${JSON.stringify(name)}`;
    const entry = this.entries.get(`${this.prefix}data/${storage.key}`);
    if (entry === undefined) throw new RangeError(`${WHERE}: ${what} has no entry ${this.prefix}data/${storage.key} in the archive`);
    const bytes = storage.numel * storage.type.bytes;
    if (entry.length !== bytes) {
      throw new RangeError(`${WHERE}: ${what} claims ${storage.numel} ${storage.type.dtype} elements (${bytes} bytes) but its entry holds ${entry.length} bytes`);
    }
    const values = decodeFloats(entry, format, this.littleEndian);
    this.decoded.set(storage.key, values);
    return values;
  }

  /** The float32 values of tensor `name`. */
  read(name: string, t: TensorRef, format: FloatDtype): Float32Array {
    const values = this.storageValues(name, t.storage, format);
    const numel = sizeOf(t.shape);
    const view = `tensor ${JSON.stringify(name)} (offset ${t.offset}, size ${shapeString(t.shape)}, stride ${shapeString(t.stride)})`;
    if (numel > this.fileBytes) {
      throw new RangeError(`${WHERE}: ${view} has ${numel} elements, more than the file's ${this.fileBytes} bytes can hold`);
    }
    const last = numel === 0 ? -1 : t.offset + t.shape.reduce((sum, n, d) => sum + (n - 1) * t.stride[d]!, 0);
    if (last >= t.storage.numel) {
      throw new RangeError(`${WHERE}: ${view} reaches element ${last} of its storage, which has ${t.storage.numel}`);
    }
    return toFloat32(WHERE, `tensor ${JSON.stringify(name)}`, gather(values, t.offset, t.shape, t.stride, numel));
  }
}

/**
 * Reads a state dict saved by `torch.save(module.state_dict(), path)` (the zip format of
 * PyTorch >= 1.6): float32, float64, float16 and bfloat16 tensors, any strides and storage
 * offsets, as row-major float32 copies. Keys lose leading "module." (DistributedDataParallel)
 * and "_orig_mod." (torch.compile) prefixes. 0-dim integer and bool tensors (BatchNorm's
 * num_batches_tracked) are skipped; integer tensors with dimensions are refused.
 *
 * The pickle is read by a restricted unpickler accepting what torch.load(weights_only=True)
 * accepts for such a dict; any other global (os.system, builtins.eval, ...) is refused by name
 * before a single tensor is built. The legacy non-zip format, compressed entries, CRC mismatches,
 * truncated or corrupt archives and sizes the file cannot back are RangeError/TypeError.
 */
export function readTorchStateDict(bytes: Uint8Array): Record<string, Tensor> {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${WHERE}: bytes must be a Uint8Array; got ${describe(bytes)}`);
  checkContainer(bytes);
  const entries = readZipEntries(WHERE, bytes);
  const prefix = archivePrefix(entries);
  const littleEndian = isLittleEndian(entries, prefix);
  checkVersion(entries, prefix);
  const root = unpickle(PICKLE, entries.get(`${prefix}data.pkl`)!, stateDictHooks());
  if (!(root instanceof PickleDict)) throw new TypeError(`${PICKLE} holds ${describePickle(root)}; expected a state dict (a dict of tensors)`);
  const reader = new TensorReader(entries, prefix, littleEndian, bytes.length);
  const tensors = new Map<string, Tensor>();
  const sources = new Map<string, string>();
  for (const [key, value] of root.entries) {
    if (typeof key !== "string") throw new TypeError(`${PICKLE}: state dict keys must be strings; got ${describePickle(key)}`);
    if (!(value instanceof TensorRef)) {
      throw new TypeError(`${PICKLE}: the value of ${JSON.stringify(key)} is ${describePickle(value)}; expected a tensor (save module.state_dict() itself)`);
    }
    const { dtype, format } = value.storage.type;
    if (format === undefined) {
      if (value.shape.length === 0) continue;
      throw new TypeError(`${WHERE}: tensor ${JSON.stringify(key)} has dtype ${dtype}; only float32, float64, float16 and bfloat16 tensors are read (0-dim integer tensors such as num_batches_tracked are skipped)`);
    }
    const name = stripWrapperPrefixes(key);
    if (sources.has(name)) throw new RangeError(`${WHERE}: keys ${JSON.stringify(sources.get(name))} and ${JSON.stringify(key)} both name ${JSON.stringify(name)} once their wrapper prefixes are stripped`);
    sources.set(name, key);
    tensors.set(name, { shape: [...value.shape], data: reader.read(key, value, format) });
  }
  return Object.fromEntries(tensors);
}
