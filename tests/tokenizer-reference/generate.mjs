// Writes reference.txt: the token ids llama.cpp gives every input of the conformance test under
// every pre-tokenizer name Lamina supports. Each name's vocabulary is the shared
// ggml-vocab-qwen2.gguf (byte-level BPE) with only tokenizer.ggml.pre rewritten, by Lamina's own
// GGUF writer (lamina_relabel_vocab). Texts are tokenized without BOS and without parsing special
// tokens. llama.cpp comes prebuilt with node-llama-cpp (package.json pins the version).
//
//   node generate.mjs BUILD_DIR [SHARED_DIR]      (SHARED_DIR defaults to $LAMINA_TEST_DATA or ../shared)
import {execFileSync} from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {fileURLToPath} from "node:url";
import {getLlama, LlamaLogLevel} from "node-llama-cpp";

const here = path.dirname(fileURLToPath(import.meta.url));
const [buildDir, sharedArg] = process.argv.slice(2);
if (!buildDir) {
    console.error("usage: node generate.mjs BUILD_DIR [SHARED_DIR]");
    process.exit(2);
}
const shared = sharedArg ?? process.env.LAMINA_TEST_DATA ?? path.resolve(here, "../../../shared");
const relabel = path.resolve(buildDir, "tests/native/lamina_relabel_vocab");
const baseVocab = path.join(shared, "vocab/ggml-vocab-qwen2.gguf");

// The inputs, in the order the test reads them: the shared *.inp files (llama.cpp's
// test-tokenizer-0 format), then texts.txt (one JSON string a line).
function readInp(file) {
    const raw = fs.readFileSync(file, "utf8");
    const sep = "\n__ggml_vocab_test__\n";
    const inputs = [];
    for (let pos = 0; pos < raw.length;) {
        const next = raw.indexOf(sep, pos);
        if (next < 0) {
            inputs.push(raw.slice(pos));
            break;
        }
        inputs.push(raw.slice(pos, next));
        pos = next + sep.length;
    }
    return inputs;
}
const sources = [
    {name: "vocab/ggml-vocab-qwen2.gguf.inp", texts: readInp(path.join(shared, "vocab/ggml-vocab-qwen2.gguf.inp"))},
    {name: "vocab/ggml-vocab-llama3.gguf.inp", texts: readInp(path.join(shared, "vocab/ggml-vocab-llama3.gguf.inp"))},
    {
        name: "texts.txt",
        texts: fs.readFileSync(path.join(here, "texts.txt"), "utf8").split("\n")
            .filter((line) => line.startsWith("\"")).map((line) => JSON.parse(line)),
    },
];
const texts = sources.flatMap((s) => s.texts);

const names = execFileSync(relabel, ["--names"], {encoding: "utf8"}).split("\n").filter((n) => n !== "");
const llama = await getLlama({gpu: false, build: "never", logLevel: LlamaLogLevel.disabled});
const nodeLlamaCppVersion = JSON.parse(
    fs.readFileSync(path.join(here, "node_modules/node-llama-cpp/package.json"), "utf8")).version;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lamina-pretok-"));
const lines = [
    "# llama.cpp's token ids for the conformance inputs under each pre-tokenizer Lamina supports:",
    "# ggml-vocab-qwen2.gguf with tokenizer.ggml.pre set to the name, no BOS, special tokens not parsed.",
    "# One block per distinct result: 'pre' and the names giving it, then one row per input:",
    "# '= ids', or '~' for the same ids as that input's row in the block before. 'unknown' names a",
    "# pre-tokenizer the llama.cpp build refused to load. Written by generate.mjs (README.md).",
    `llama.cpp node-llama-cpp ${nodeLlamaCppVersion} llama.cpp ${llama.llamaCppRelease.release}`,
    ...sources.map((s) => `inputs ${s.name} ${s.texts.length}`),
];
const unknown = [];
const results = new Map();  // ids rows (joined) -> names giving exactly those rows for every input
try {
    for (const name of names) {
        const file = path.join(tmp, "vocab.gguf");
        execFileSync(relabel, [baseVocab, file, name]);
        let model;
        try {
            model = await llama.loadModel({modelPath: file, vocabOnly: true});
        } catch (e) {
            // llama.cpp refuses a pre-tokenizer it does not know: no reference for that name.
            unknown.push(name);
            continue;
        }
        const rows = texts.map((text) => model.tokenize(text, false).join(" "));
        await model.dispose();
        const key = rows.join("\n");
        if (!results.has(key)) results.set(key, {names: [], rows});
        results.get(key).names.push(name);
    }
} finally {
    fs.rmSync(tmp, {recursive: true, force: true});
}
// One block per distinct result, naming every pre-tokenizer that gives it; a row "~" repeats
// the same input's row of the block before.
let previous = null;
for (const {names: blockNames, rows} of results.values()) {
    lines.push(`pre ${blockNames.join(" ")}`);
    rows.forEach((row, i) => lines.push(previous !== null && previous[i] === row ? "~" : `= ${row}`.trimEnd()));
    previous = rows;
}
for (const name of unknown) lines.push(`unknown ${name}`);
fs.writeFileSync(path.join(here, "reference.txt"), lines.join("\n") + "\n");
console.log(`${names.length - unknown.length} pre-tokenizers, ${texts.length} inputs each` +
            (unknown.length ? `; llama.cpp does not know: ${unknown.join(", ")}` : ""));
