// What llama.cpp computes on a synthesized tiny-gemma3 model: the logits of every prompt
// position, evaluated in one batch, written as float32 rows (see README.md in this folder).
//
//   node generate.mjs MODEL.gguf OUT.f32 [KV_TYPE]     (KV_TYPE: F16, the default, or F32)
//
// The prompt is fixed here and in tests/native/gemma3_reference_test.cpp: 48 token ids, longer
// than the model's sliding window (16), so local layers drop keys the global layers still see.
import fs from "node:fs";
import {getLlama} from "node-llama-cpp";

export const PROMPT = Array.from({length: 48}, (_, i) => 1 + ((i * 37 + 11) % 500));

const [modelPath, outPath, kvType = "F16"] = process.argv.slice(2);
if (!modelPath || !outPath || !["F16", "F32"].includes(kvType)) {
    console.error("usage: node generate.mjs MODEL.gguf OUT.f32 [F16|F32]");
    process.exit(2);
}

const llama = await getLlama({gpu: false, build: "never"});
const model = await llama.loadModel({modelPath, gpuLayers: 0});
const context = await model.createContext({
    contextSize: 128, batchSize: 128, threads: 2, flashAttention: false, sequences: 1,
    experimentalKvCacheKeyType: kvType, experimentalKvCacheValueType: kvType
});
const sequence = context.getSequence();
const nVocab = model.fileInfo.metadata.tokenizer.ggml.tokens.length;
// Every position asks for the full logits; temperature 0 leaves them as the model computed them.
const input = PROMPT.map((t) => [t, {generateNext: {logits: true, options: {temperature: 0}}}]);
const results = await sequence.controlledEvaluate(input);
const rows = new Float32Array(PROMPT.length * nVocab);
for (let i = 0; i < PROMPT.length; ++i) {
    const logits = results[i]?.next?.logits;
    if (logits == null || logits.size !== nVocab) throw new Error(`position ${i}: no full logits`);
    for (const [token, value] of logits) rows[i * nVocab + token] = value;
}
fs.writeFileSync(outPath, Buffer.from(rows.buffer));
console.log(`${PROMPT.length} rows of ${nVocab} logits (KV cache ${kvType}) -> ${outPath}`);
await context.dispose();
await model.dispose();
