// Relaxed SIMD: the feature probe, the core init() picks, and the relaxed core's results. Node 20
// validates relaxed SIMD only with --experimental-wasm-relaxed-simd, so the tests run short child
// processes of this Node with and without the flag.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { availableParallelism } from "node:os";
import type { CoreInfo } from "../bindings/index.js";
import { RELAXED_SIMD_PROBE, relaxedSimdSupported } from "../bindings/features.js";

const FLAG = "--experimental-wasm-relaxed-simd";
/** The package root: dist/test/ -> ../../ holds build/ and dist/. */
const root = new URL("../../", import.meta.url);
const plainWasm = new URL("build/release.wasm", root);
const relaxedWasm = new URL("build/release-relaxed.wasm", root);
const nodeMajor = Number(process.versions.node.split(".")[0]);

/** Runs an ES module script in a child `node [flags] --input-type=module -e script` at the package root. */
function runNode(flags: string[], script: string, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...flags, "--input-type=module", "-e", script],
      { cwd: fileURLToPath(root), env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stdout}\n${stderr}`)) : resolve(stdout)),
    );
  });
}

/** What a child sees: the probe, the real binaries' validation, the core init() picks and explicit sources. */
interface ChildReport {
  probe: boolean;
  relaxedBinaryValid: boolean;
  plainBinaryValid: boolean;
  picked: CoreInfo;
  explicitPlain: boolean;
  explicitRelaxed: boolean | string;
}

const REPORT_SCRIPT = `
import { readFile } from "node:fs/promises";
const { relaxedSimdSupported } = await import("./dist/bindings/features.js");
const { init, coreInfo } = await import("./dist/bindings/index.js");
const plain = await readFile("build/release.wasm");
const relaxed = await readFile("build/release-relaxed.wasm");
const report = {
  probe: relaxedSimdSupported(),
  relaxedBinaryValid: WebAssembly.validate(relaxed),
  plainBinaryValid: WebAssembly.validate(plain),
};
await init();
report.picked = coreInfo();
await init(plain);
report.explicitPlain = coreInfo().relaxedSimd;
try {
  await init(relaxed);
  report.explicitRelaxed = coreInfo().relaxedSimd;
} catch (e) {
  report.explicitRelaxed = String(e.message);
}
console.log(JSON.stringify(report));
`;

/** The threads init() runs by default in Node: the hardware's, at most 4. */
const defaultThreads = Math.min(4, availableParallelism());

const relaxedFields = ({ relaxedSimd, relaxedSimdSupported }: CoreInfo): Partial<CoreInfo> => ({ relaxedSimd, relaxedSimdSupported });
const threadFields = ({ threads, slices, threadsUnavailable }: CoreInfo): Partial<CoreInfo> => ({ threads, slices, threadsUnavailable });

async function report(flags: string[]): Promise<ChildReport> {
  return JSON.parse(await runNode(flags, REPORT_SCRIPT)) as ChildReport;
}

describe("relaxed SIMD (two release binaries)", function () {
  this.timeout(60_000);

  it("the probe is a valid module once relaxed_madd is swapped for plain SIMD", () => {
    // First splat -> 4 nops and f32x4.relaxed_madd (0xfd 0x105) -> f32x4.add (0xfd 0xe4): same length.
    const control = RELAXED_SIMD_PROBE.slice();
    const at = control.findIndex((_, i) => control[i] === 0xfd && control[i + 1] === 0x85 && control[i + 2] === 0x02);
    assert.ok(at > 0, "the probe holds f32x4.relaxed_madd");
    control.set([0xfd, 0xe4, 0x01], at);
    control.set([0x01, 0x01, 0x01, 0x01], 24);
    assert.equal(WebAssembly.validate(control), true);
  });

  it("in this process, the probe agrees with validating the relaxed binary", async () => {
    assert.equal(relaxedSimdSupported(), WebAssembly.validate(await readFile(relaxedWasm)));
    assert.equal(WebAssembly.validate(await readFile(plainWasm)), true);
  });

  it(`without ${FLAG}: probe, init() and explicit sources`, async () => {
    const r = await report([]);
    if (nodeMajor === 20) assert.equal(r.probe, false, "Node 20 has no relaxed SIMD without the flag");
    assert.equal(r.probe, r.relaxedBinaryValid, "the probe predicts whether the relaxed binary validates");
    assert.equal(r.plainBinaryValid, true);
    assert.deepEqual(relaxedFields(r.picked), { relaxedSimd: r.probe, relaxedSimdSupported: r.probe });
    assert.deepEqual(threadFields(r.picked), { threads: defaultThreads, slices: defaultThreads, threadsUnavailable: null }, "init() runs the default threads");
    assert.equal(r.explicitPlain, false);
    if (r.probe) assert.equal(r.explicitRelaxed, true);
    else assert.match(String(r.explicitRelaxed), /no relaxed SIMD.*release\.wasm/);
  });

  it(`with ${FLAG}: probe, init() and explicit sources`, async function () {
    if (nodeMajor !== 20) this.skip(); // the flag is Node 20's (V8 11.3); later versions ship the feature
    const r = await report([FLAG]);
    assert.equal(r.probe, true);
    assert.equal(r.relaxedBinaryValid, true);
    assert.deepEqual(relaxedFields(r.picked), { relaxedSimd: true, relaxedSimdSupported: true });
    assert.deepEqual(threadFields(r.picked), { threads: defaultThreads, slices: defaultThreads, threadsUnavailable: null }, "init() runs the default threads");
    assert.equal(r.explicitPlain, false, "init(source) loads the source given, not the detected one");
    assert.equal(r.explicitRelaxed, true);
  });

  it("the relaxed core passes the gemm sweep and the PyTorch parity tests", async function () {
    if (nodeMajor !== 20 && !relaxedSimdSupported()) this.skip();
    // Mocha in the child, with the relaxed core instantiated first (no setup hook: it would load release.wasm).
    const script = `
      import { readFile } from "node:fs/promises";
      import Mocha from "mocha";
      const { init, coreInfo } = await import("./dist/bindings/index.js");
      await init(await readFile("build/release-relaxed.wasm"));
      if (!coreInfo().relaxedSimd) throw new Error("the relaxed core is not running");
      const mocha = new Mocha({ reporter: "dot", timeout: 60000 });
      for (const f of ["gemm", "parity", "lstm"]) mocha.addFile("dist/test/" + f + ".test.js");
      await mocha.loadFilesAsync();
      mocha.run((failures) => { process.exitCode = failures ? 1 : 0; });
    `;
    const out = await runNode(nodeMajor === 20 ? [FLAG] : [], script);
    assert.match(out, /\d+ passing/);
    assert.doesNotMatch(out, /failing/);
  });
});
