// The browser example: a character-level name generator trained in the page, with a live loss
// chart and names sampled after every epoch. Training runs on the page's own thread: Model.fit
// yields to the event loop between batches, so the page keeps drawing and answering clicks.
// URL parameters: ?epochs=N (default 60), ?core=auto|plain|relaxed (default auto: init() picks the
// relaxed-SIMD build where the browser supports it), ?threads=N (init's threads; default: the
// hardware's where the page is cross-origin isolated, as `serve --isolated` serves it, else 1).
import { init, coreInfo, type Model } from "../../bindings/index.js";
import { SETTINGS, nameData, nameModel, train } from "./trainer.js";
import { NAMES_SOURCE } from "./names.js";

/** What the page exposes as `window.__wasmRnn`, for the browser test and the curious. */
export interface PageState {
  status: "loading" | "training" | "done" | "stopped" | "error";
  error: string | null;
  /** Which binary runs: "relaxed" (relaxed-SIMD FMA) or "plain" (128-bit SIMD). */
  core: "relaxed" | "plain" | null;
  epochs: number;
  batchesPerEpoch: number;
  /** The loss of every batch so far, as Model.fit reported it. */
  batchLosses: number[];
  /** The mean loss of every finished epoch. */
  epochLosses: number[];
  /** Names sampled after each finished epoch (seeded with the epoch number). */
  samples: { epoch: number; names: string[] }[];
  /** requestAnimationFrame callbacks so far, and the longest gap between two of them while training. */
  frames: number;
  longestFrameGapMs: number;
  /** Wall time of the current (or last) training run, in ms. */
  trainingMs: number;
  /** coreInfo(): the threads that train, the slices of each batch, and why workers cannot run (null: they can). */
  threads: number;
  slices: number;
  threadsUnavailable: string | null;
}

declare global {
  interface Window {
    __wasmRnn: PageState;
  }
}

const params = new URLSearchParams(location.search);
const epochs = Math.max(1, Math.floor(Number(params.get("epochs") ?? SETTINGS.epochs)) || SETTINGS.epochs);
const coreChoice = params.get("core") ?? "auto";
const threads = params.has("threads") ? Number(params.get("threads")) : undefined;

const state: PageState = {
  status: "loading", error: null, core: null, epochs, batchesPerEpoch: 0,
  batchLosses: [], epochLosses: [], samples: [], frames: 0, longestFrameGapMs: 0, trainingMs: 0,
  threads: 1, slices: 1, threadsUnavailable: null,
};
window.__wasmRnn = state;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const statusLine = $<HTMLParagraphElement>("status");
const canvas = $<HTMLCanvasElement>("chart");
const sampleList = $<HTMLOListElement>("samples");
const framesLine = $<HTMLSpanElement>("frames");
const stopButton = $<HTMLButtonElement>("stop");
const restartButton = $<HTMLButtonElement>("restart");

function setStatus(status: PageState["status"], text: string): void {
  state.status = status;
  document.body.dataset.status = status;
  statusLine.textContent = text;
  stopButton.disabled = status !== "training";
  restartButton.disabled = status === "training" || status === "loading";
}

// ---- the loss chart: a hand-drawn canvas, redrawn at most once per frame ----

let dirty = true;
let lossCeiling = 4;

function drawChart(): void {
  const dpr = window.devicePixelRatio || 1;
  const cssWidth = canvas.clientWidth;
  const cssHeight = canvas.clientHeight;
  if (canvas.width !== Math.round(cssWidth * dpr) || canvas.height !== Math.round(cssHeight * dpr)) {
    canvas.width = Math.round(cssWidth * dpr);
    canvas.height = Math.round(cssHeight * dpr);
  }
  const g = canvas.getContext("2d")!;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, cssWidth, cssHeight);
  const left = 44, right = 16, top = 12, bottom = 26;
  const w = cssWidth - left - right, h = cssHeight - top - bottom;
  const totalBatches = Math.max(1, state.epochs * state.batchesPerEpoch);
  const X = (batch: number): number => left + (batch / totalBatches) * w;
  const Y = (loss: number): number => top + h - (Math.min(loss, lossCeiling) / lossCeiling) * h;

  g.font = "12px system-ui, sans-serif";
  g.strokeStyle = "#e3e6ea";
  g.fillStyle = "#667";
  g.lineWidth = 1;
  g.textAlign = "right";
  g.textBaseline = "middle";
  for (let v = 0; v <= lossCeiling + 1e-9; v += lossCeiling <= 2 ? 0.25 : 0.5) {
    g.beginPath();
    g.moveTo(left, Y(v));
    g.lineTo(left + w, Y(v));
    g.stroke();
    if (Math.abs(v - Math.round(v)) < 1e-9 || lossCeiling <= 2) g.fillText(v.toFixed(lossCeiling <= 2 ? 2 : 0), left - 6, Y(v));
  }
  g.textAlign = "center";
  g.textBaseline = "top";
  const epochStep = state.epochs <= 10 ? 1 : state.epochs <= 40 ? 5 : 10;
  for (let e = 0; e <= state.epochs; e += epochStep) g.fillText(String(e), X(e * state.batchesPerEpoch), top + h + 6);

  // per-batch losses, thin
  g.strokeStyle = "#9db8e8";
  g.beginPath();
  state.batchLosses.forEach((loss, i) => (i === 0 ? g.moveTo(X(i + 1), Y(loss)) : g.lineTo(X(i + 1), Y(loss))));
  g.stroke();
  // epoch means, bold with dots
  g.strokeStyle = "#1f4fb4";
  g.fillStyle = "#1f4fb4";
  g.lineWidth = 2.5;
  g.beginPath();
  state.epochLosses.forEach((loss, e) => (e === 0 ? g.moveTo(X((e + 1) * state.batchesPerEpoch), Y(loss)) : g.lineTo(X((e + 1) * state.batchesPerEpoch), Y(loss))));
  g.stroke();
  for (const [e, loss] of state.epochLosses.entries()) {
    g.beginPath();
    g.arc(X((e + 1) * state.batchesPerEpoch), Y(loss), 2.5, 0, 2 * Math.PI);
    g.fill();
  }
  // axes
  g.strokeStyle = "#99a";
  g.lineWidth = 1;
  g.beginPath();
  g.moveTo(left, top);
  g.lineTo(left, top + h);
  g.lineTo(left + w, top + h);
  g.stroke();
}

let lastFrame = 0;
function frame(now: number): void {
  state.frames++;
  if (state.status === "training" && lastFrame > 0) state.longestFrameGapMs = Math.max(state.longestFrameGapMs, now - lastFrame);
  lastFrame = now;
  if (dirty) {
    dirty = false;
    drawChart();
  }
  framesLine.textContent = `${state.frames} frames drawn; longest gap between frames while training: ${state.longestFrameGapMs.toFixed(0)} ms`;
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);
window.addEventListener("resize", () => (dirty = true));

// ---- training ----

const data = nameData();
const known = new Set(data.names);
let model: Model | null = null;
let controller: AbortController | null = null;

function showSamples(): void {
  const items = state.samples.slice(-8).reverse().map(({ epoch, names }) => {
    const li = document.createElement("li");
    const label = document.createElement("span");
    label.className = "epoch";
    label.textContent = `epoch ${epoch + 1}`;
    li.append(label);
    for (const name of names) {
      const span = document.createElement("span");
      span.className = known.has(name) ? "name known" : "name";
      span.title = known.has(name) ? "in the training list" : "a new name";
      span.textContent = name.length === 0 ? "(empty)" : name.charAt(0).toUpperCase() + name.slice(1);
      li.append(span);
    }
    return li;
  });
  sampleList.replaceChildren(...items);
}

async function loadCore(): Promise<void> {
  // the threads builds, on shared memory, for more than one thread where the page is cross-origin isolated
  const build = threads !== undefined && threads > 1 && globalThis.crossOriginIsolated ? "-threads" : "";
  if (coreChoice === "plain") await init({ source: new URL(`../../../build/release${build}.wasm`, import.meta.url), threads });
  else if (coreChoice === "relaxed") await init({ source: new URL(`../../../build/release${build}-relaxed.wasm`, import.meta.url), threads });
  else await init({ threads });
  const info = coreInfo();
  state.core = info.relaxedSimd ? "relaxed" : "plain";
  Object.assign(state, { threads: info.threads, slices: info.slices, threadsUnavailable: info.threadsUnavailable });
}

async function run(): Promise<void> {
  model?.dispose();
  model = nameModel(data.vocab.size);
  controller = new AbortController();
  state.batchesPerEpoch = Math.ceil(data.names.length / SETTINGS.batchSize);
  state.batchLosses = [];
  state.epochLosses = [];
  state.samples = [];
  state.longestFrameGapMs = 0;
  lossCeiling = Math.ceil(Math.log(data.vocab.size) * 2) / 2; // a uniform guess over the characters
  showSamples();
  dirty = true;
  const coreName = state.core === "relaxed" ? "relaxed SIMD (FMA)" : "SIMD";
  const started = performance.now();
  /** Characters predicted per second over the first `epochsDone` epochs. */
  const rate = (epochsDone: number): string => Math.round((data.tokens * epochsDone) / (state.trainingMs / 1000)).toLocaleString("en-US");
  setStatus("training", `Training… epoch 1 of ${epochs}`);
  try {
    await train(model, data, epochs, {
      signal: controller.signal,
      onBatchEnd: ({ loss }) => {
        state.batchLosses.push(loss);
        state.trainingMs = performance.now() - started;
        dirty = true;
      },
      onEpochEnd: ({ epoch, loss }, names) => {
        state.epochLosses.push(loss);
        state.samples.push({ epoch, names });
        statusLine.textContent = `Training… epoch ${epoch + 1} of ${epochs} · loss ${loss.toFixed(3)} nats per character · `
          + `${rate(epoch + 1)} characters/s · wasm ${coreName}`;
        showSamples();
        dirty = true;
      },
    });
    state.trainingMs = performance.now() - started;
    const [first, last] = [state.epochLosses[0]!, state.epochLosses[state.epochLosses.length - 1]!];
    setStatus("done", `Done: ${epochs} epochs in ${(state.trainingMs / 1000).toFixed(1)} s · loss ${first.toFixed(3)} → ${last.toFixed(3)} `
      + `nats per character · ${rate(epochs)} characters/s · wasm ${coreName}`);
  } catch (e) {
    if (!controller.signal.aborted) throw e;
    setStatus("stopped", `Stopped after ${state.epochLosses.length} epochs · wasm ${coreName}`);
  } finally {
    state.trainingMs = performance.now() - started;
    dirty = true;
  }
}

function fail(e: unknown): void {
  state.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  setStatus("error", `Error: ${state.error}`);
}

stopButton.addEventListener("click", () => controller?.abort());
restartButton.addEventListener("click", () => void run().catch(fail));
$<HTMLElement>("corpus").textContent = `${data.names.length} names (${NAMES_SOURCE}), ${data.vocab.size - 4} letters, `
  + `Embedding(${data.vocab.size}, ${SETTINGS.embeddingSize}) → GRU(${SETTINGS.units}) → Dense(${data.vocab.size}), Adam, batches of ${SETTINGS.batchSize}`;
setStatus("loading", "Loading the wasm core…");
loadCore().then(run).catch(fail);
