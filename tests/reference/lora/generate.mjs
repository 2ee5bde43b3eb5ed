// What llama.cpp computes on a model with LoRA adapters applied: the logits of every prompt
// position, evaluated in one batch, written as float32 rows (see README.md in this folder).
//
//   node generate.mjs MODEL.gguf OUT.f32 ADAPTER.gguf:SCALE [ADAPTER.gguf:SCALE ...]
//
// The prompt is fixed here and in tests/native/lora_adapter_test.cpp: 32 token ids of
// stories260K's 512-token vocabulary. The KV cache is F32, as the F32 base model's test runs.
import fs from "node:fs";
import {getLlama} from "node-llama-cpp";

export const PROMPT = Array.from({length: 32}, (_, i) => 1 + ((i * 37 + 11) % 500));

const [modelPath, outPath, ...adapterArgs] = process.argv.slice(2);
const adapters = adapterArgs.map((arg) => {
    const colon = arg.lastIndexOf(":");
    const scale = Number(arg.slice(colon + 1));
    if (colon < 0 || !Number.isFinite(scale)) throw new Error(`'${arg}': expected ADAPTER.gguf:SCALE`);
    return {filePath: arg.slice(0, colon), scale};
});
if (!modelPath || !outPath || adapters.length === 0) {
    console.error("usage: node generate.mjs MODEL.gguf OUT.f32 ADAPTER.gguf:SCALE [ADAPTER.gguf:SCALE ...]");
    process.exit(2);
}

const llama = await getLlama({gpu: false, build: "never"});
const model = await llama.loadModel({modelPath, gpuLayers: 0});
const context = await model.createContext({
    contextSize: 64, batchSize: 64, threads: 2, flashAttention: false, sequences: 1,
    experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32",
    lora: {adapters}
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
console.log(`${PROMPT.length} rows of ${nVocab} logits with ${adapterArgs.join(", ")} -> ${outPath}`);
await context.dispose();
await model.dispose();
