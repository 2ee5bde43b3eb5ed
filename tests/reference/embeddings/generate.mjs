// What llama.cpp computes as embeddings: the last layer's hidden state after the final norm, for
// every position of every text in texts.txt, written as float32 rows (see README.md here).
//
//   node generate.mjs MODEL.gguf OUT.f32
//
// node-llama-cpp hands out one vector per evaluation: with the decoder files' pooling (none) it
// is the last token's. A decoder's hidden state at position i depends only on tokens 0..i, so
// evaluating every prefix of a text gives the hidden state of each of its positions.
import fs from "node:fs";
import {getLlama} from "node-llama-cpp";

const [modelPath, outPath] = process.argv.slice(2);
if (!modelPath || !outPath) {
    console.error("usage: node generate.mjs MODEL.gguf OUT.f32");
    process.exit(2);
}
const texts = fs.readFileSync(new URL("texts.txt", import.meta.url), "utf8")
    .split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"))
    .map((l) => l.trim().split(/\s+/).map(Number));

const llama = await getLlama({gpu: false, build: "never"});
const model = await llama.loadModel({modelPath, gpuLayers: 0});
const embedding = await model.createEmbeddingContext({contextSize: 64, batchSize: 64, threads: 2});
const context = embedding._llamaContext;
const sequence = embedding._sequence;
const rows = [];
for (const text of texts) {
    for (let n = 1; n <= text.length; ++n) {
        await sequence.eraseContextTokenRanges([{start: 0, end: sequence.nextTokenIndex}]);
        // Evaluated as given: no BOS or EOS is added, unlike getEmbeddingFor.
        for await (const _ of sequence.evaluate(text.slice(0, n), {_noSampling: true})) break;
        rows.push(Float32Array.from(context._ctx.getEmbedding(n)));
    }
}
const width = rows[0].length;
const out = new Float32Array(rows.length * width);
rows.forEach((r, i) => out.set(r, i * width));
fs.writeFileSync(outPath, Buffer.from(out.buffer));
console.log(`${rows.length} rows of ${width} (${texts.length} texts) -> ${outPath}`);
await embedding.dispose();
await model.dispose();
