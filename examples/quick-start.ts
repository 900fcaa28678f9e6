// The README's quick start, as written there (test/quick-start.test.ts checks that the two agree and
// runs it in Node; test/runtimes-browser.test.ts runs it in Chromium from examples/browser/quick-start.html).
import { init, Model, SimpleRNN, Dense, Adam, Rng, earlyStopping, saveToIndexedDB } from "../bindings/index.js";

await init(); // Node reads build/release.wasm; a browser fetches it beside the module

// A tiny task: is the sum of 8 numbers positive? Sequences are batch-first [N, T, D], as in Keras.
const N = 512, T = 8;
const rng = new Rng(0); // seeded: the same data on every run
const x = new Float32Array(N * T);
for (let i = 0; i < x.length; i++) x[i] = 2 * rng.nextFloat() - 1; // step t of sequence n is x[n * T + t]
rng.dispose();
const y = Int32Array.from({ length: N }, (_, n) => (x.subarray(n * T, (n + 1) * T).reduce((a, b) => a + b) > 0 ? 1 : 0));
const inputs = { shape: [N, T, 1], data: x }; // or a tf.Tensor: anything with shape and dataSync()
const labels = { shape: [N], data: y }; // one class per sequence: many-to-one

const model = new Model({
  layers: [
    new SimpleRNN({ inputSize: 1, units: 16, returnSequences: false, seed: 1 }),
    new Dense({ units: 2, seed: 2 }), // inputSize 16 taken from the layer before
  ],
  loss: "softmaxCrossEntropy",
  optimizer: new Adam({ lr: 0.01 }),
  metrics: ["accuracy"],
  batchFirst: true,
});
model.summary({ print: true }); // layers, output shapes, parameters, memory (as Keras)
const history = await model.fit(inputs, labels, {
  epochs: 60,
  batchSize: 32,
  validationSplit: 0.2, // the last 20% of the rows
  verbose: 1, // a progress bar per epoch in a terminal, a line per epoch elsewhere
  callbacks: [earlyStopping({ monitor: "valLoss", patience: 5, restoreBestWeights: true })],
});
console.log(`${history.length} epochs, validation accuracy ${history.at(-1)!.valAccuracy}`);
console.log("evaluate:", model.evaluate(inputs, labels)); // { loss, accuracy }
const probabilities = model.predict(inputs, { probabilities: true }); // { shape: [N, 2], data }

// model.save() is a Uint8Array (safetensors: exact float32 weights, optimizer state, layers, loss).
const copy = Model.load(model.save());
copy.setWeights(model.getWeights()); // Keras' get_weights / set_weights: a list in Keras layouts
if (typeof indexedDB !== "undefined") await saveToIndexedDB("sign-of-sum", model); // in a browser; loadFromIndexedDB("sign-of-sum") later
model.dispose();
copy.dispose();
console.log(`P(sum > 0) of the first sequence: ${probabilities.data[1]!.toFixed(3)}`);
