// pp/tg tokens per second of llama.cpp on a GGUF through node-llama-cpp's bundled build:
//   npm install && node llama-bench.mjs FILE THREADS N_PROMPT N_GEN REPS
// pp: one call evaluating N_PROMPT tokens; tg: N_GEN calls of one token each (each call also
// costs node-llama-cpp's own ~10 ms, measure it on a tiny model such as stories260K). The first
// repetition is a warm-up.
import {getLlama} from "node-llama-cpp";
const [file, threads, np, nt, reps] = [process.argv[2], +process.argv[3], +process.argv[4], +process.argv[5], +process.argv[6]];
const llama = await getLlama({gpu: false, build: "never"});
const model = await llama.loadModel({modelPath: file, gpuLayers: 0});
const ctx = await model.createContext({contextSize: 1024, batchSize: 512, threads, flashAttention: false});
const seq = ctx.getSequence();
const toks = Array.from({length: np}, (_, i) => 100 + (i * 37) % 400  /* ids valid in any vocabulary of 512+ */);
const mean = a => a.reduce((x, y) => x + y, 0) / a.length;
const pp = [], tg = [];
for (let r = 0; r <= reps; r++) {
  await seq.clearHistory();
  let t0 = performance.now();
  await seq.evaluateWithoutGeneratingNewTokens(toks);
  const ppt = np / ((performance.now() - t0) / 1000);
  await seq.clearHistory();
  await seq.evaluateWithoutGeneratingNewTokens([1]);
  t0 = performance.now();
  for (let i = 0; i < nt; i++) await seq.evaluateWithoutGeneratingNewTokens([200 + i]);
  const tgt = nt / ((performance.now() - t0) / 1000);
  if (r > 0) { pp.push(ppt); tg.push(tgt); }
}
console.log(`llama.cpp(node-llama-cpp ${llama.llamaCppRelease?.release ?? "?"}) ${file.split("/").pop()} t=${threads} pp${np} ${mean(pp).toFixed(2)} tg${nt} ${mean(tg).toFixed(2)} cpu=${llama.cpuMathCores ?? ""}`);
process.exit(0);
