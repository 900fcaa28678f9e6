// Sets up PyTorch for the peer benchmark: checks `/usr/bin/python3 -c "import torch"`, and makes it
// run on OpenBLAS, single-threaded. Debian's python3-torch links libblas.so.3, which is the reference
// BLAS (~5 GFLOP/s) unless an optimized one is installed. If the system's libblas.so.3 is not OpenBLAS,
// this fetches Debian's libopenblas0-openmp with `apt-get download` (an `apt-get update` first if
// that fails and we are root), unpacks it with `dpkg -x` into bench/.blas/ (git-ignored) and points
// LD_LIBRARY_PATH at its openblas-openmp folder. Nothing is installed system-wide.
//
// OpenBLAS picks its kernels by CPU model at load time; a release older than the CPU falls back to
// a generic SSE3 core ("Prescott", about a quarter of the speed on an AVX-512 machine). When it does
// and the CPU has AVX-512 (or AVX2 + FMA), OPENBLAS_CORETYPE selects SkylakeX (Haswell) kernels, as a
// newer OpenBLAS would by itself. An OPENBLAS_CORETYPE already set in the environment is kept as is.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

export const PYTHON = "/usr/bin/python3";
const GENERIC_CORES = /^(prescott|katmai|coppermine|northwood|banias|core2|penryn|dunnington|nehalem|atom|unknown|generic)/i;

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 << 20, ...options });
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim();
  return { ok: r.status === 0, output, stdout: r.stdout ?? "", error: r.error };
}

/** The last line of a command's output, for one-line messages. */
const lastLine = (s) => s.split("\n").filter(Boolean).pop() ?? "";

/** The BLAS that torch maps after a matrix product, under `env` (torch_bench.py blas). */
function probeBlas(script, env) {
  const r = run(PYTHON, [script, "blas"], { env });
  if (!r.ok) throw new Error(`torch_bench.py blas failed: ${lastLine(r.output)}`);
  return JSON.parse(lastLine(r.stdout));
}

/** The folder holding libblas.so.3 under an unpacked libopenblas0-openmp, or null. */
function findOpenblasDir(root) {
  if (!existsSync(root)) return null;
  const stack = [root];
  while (stack.length) {
    const dir = stack.pop();
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) {
        if (name === "openblas-openmp" && existsSync(path.join(p, "libblas.so.3"))) return p;
        stack.push(p);
      }
    }
  }
  return null;
}

/** apt-get download + dpkg -x of libopenblas0-openmp into `root`; returns an error message or null. */
function fetchOpenblas(root, log) {
  const debs = path.join(root, "debs");
  mkdirSync(debs, { recursive: true });
  const download = () => run("apt-get", ["download", "libopenblas0-openmp"], { cwd: debs });
  log("PyTorch: fetching Debian's libopenblas0-openmp (apt-get download) into bench/.blas/");
  let r = download();
  if (!r.ok && process.getuid?.() === 0) {
    log("PyTorch: apt-get download failed; running apt-get update and trying again");
    run("apt-get", ["update"]);
    r = download();
  }
  if (!r.ok) return `apt-get download libopenblas0-openmp failed: ${lastLine(r.error?.message ?? r.output)}`;
  const deb = readdirSync(debs).filter((f) => f.startsWith("libopenblas0-openmp") && f.endsWith(".deb")).sort().pop();
  if (!deb) return "apt-get download left no libopenblas0-openmp .deb";
  const x = run("dpkg", ["-x", path.join(debs, deb), root]);
  if (!x.ok) return `dpkg -x ${deb} failed: ${lastLine(x.error?.message ?? x.output)}`;
  return null;
}

/** CPU feature flags from /proc/cpuinfo (empty off Linux). */
function cpuFlags() {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8").split("\n").find((l) => l.startsWith("flags"));
    return new Set((line ?? "").split(":")[1]?.trim().split(/\s+/) ?? []);
  } catch {
    return new Set();
  }
}

/**
 * Returns { env, blas, notes } for running torch_bench.py on OpenBLAS with one thread, or
 * { skip } with the reason PyTorch cannot be measured here.
 */
export function setupTorch({ benchDir, log }) {
  const script = path.join(benchDir, "peers", "torch_bench.py");
  if (!existsSync(PYTHON)) return { skip: `${PYTHON} not found` };
  const probe = run(PYTHON, ["-c", "import torch; print(torch.__version__)"]);
  if (!probe.ok) return { skip: `${PYTHON} -c "import torch" failed (${lastLine(probe.output) || "no output"}); Debian's python3-torch provides it` };

  const notes = [];
  const env = { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
  let blas = probeBlas(script, env);
  if (!blas.openblas) {
    const root = path.join(benchDir, ".blas");
    let dir = findOpenblasDir(root);
    if (!dir) {
      const error = fetchOpenblas(root, log);
      if (error) return { skip: `no OpenBLAS for PyTorch (${error}); the reference BLAS it would use instead is not what its users run` };
      dir = findOpenblasDir(root);
      if (!dir) return { skip: "no openblas-openmp folder in the unpacked libopenblas0-openmp" };
    }
    const ldd = run("ldd", [path.join(dir, "libopenblas.so.0")]);
    const missing = ldd.output.split("\n").filter((l) => l.includes("not found"));
    if (missing.length) return { skip: `OpenBLAS from bench/.blas needs ${missing.map((l) => l.trim().split(" ")[0]).join(", ")}, not installed` };
    env.LD_LIBRARY_PATH = [dir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(":");
    blas = probeBlas(script, env);
    if (!blas.openblas) return { skip: `LD_LIBRARY_PATH=${dir} did not make torch load OpenBLAS (it mapped ${blas.libraries.join(", ")})` };
    notes.push(`OpenBLAS from Debian's libopenblas0-openmp unpacked in ${path.relative(process.cwd(), dir)}`);
  } else {
    notes.push("the system's OpenBLAS");
  }

  if (!process.env.OPENBLAS_CORETYPE && GENERIC_CORES.test(blas.openblas.core)) {
    const flags = cpuFlags();
    const avx512 = ["avx512f", "avx512bw", "avx512dq", "avx512vl"].every((f) => flags.has(f));
    const core = avx512 ? "SkylakeX" : flags.has("avx2") && flags.has("fma") ? "Haswell" : null;
    if (core) {
      const detected = blas.openblas.core;
      env.OPENBLAS_CORETYPE = core;
      blas = probeBlas(script, env);
      notes.push(`OpenBLAS detected this CPU as ${detected} (a generic core: the CPU model is newer than the release); ` +
        `OPENBLAS_CORETYPE=${core} selects the kernels for the vector units it has`);
    }
  } else if (process.env.OPENBLAS_CORETYPE) {
    notes.push(`OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE} from the environment`);
  }
  return { env, blas, notes };
}

/** Exports W2.onnx and W5.onnx into `dir` with torch.onnx.export; returns an error message or null. */
export function exportOnnx({ benchDir, dir, env }) {
  const r = run(PYTHON, [path.join(benchDir, "peers", "torch_bench.py"), "export-onnx", dir], { env });
  return r.ok ? null : `torch.onnx.export failed: ${lastLine(r.output)}`;
}
