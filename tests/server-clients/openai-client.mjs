// Drives `lamina serve` with the official openai npm client and prints one JSON object with what
// came back; ServerOpenAiClientTest checks it. Usage: node openai-client.mjs BASE_URL API_KEY MODEL
import OpenAI from "openai";

const [baseURL, apiKey, model] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 60_000 });
const out = {};

async function expectError(name, call) {
  try {
    await call();
    out[name] = { ok: true };
  } catch (e) {
    out[name] = { status: e.status ?? null, code: e.code ?? null, param: e.param ?? null, type: e.type ?? null,
      cls: e.constructor.name, message: e.message };
  }
}

const messages = [{ role: "user", content: "Tell me a story." }];
const chat = await client.chat.completions.create({ model, messages, max_tokens: 16, temperature: 0 });
out.chat = { content: chat.choices[0].message.content, finish: chat.choices[0].finish_reason,
  usage: chat.usage, object: chat.object };

const stream = await client.chat.completions.create({ model, messages, max_tokens: 16, temperature: 0, stream: true,
  stream_options: { include_usage: true } });
let text = "", chunks = 0, finish = null, usage = null, role = null;
for await (const chunk of stream) {
  chunks++;
  if (chunk.usage) usage = chunk.usage;
  for (const c of chunk.choices) {
    if (c.delta.role) role = c.delta.role;
    if (c.delta.content) text += c.delta.content;
    if (c.finish_reason) finish = c.finish_reason;
  }
}
out.chatStream = { content: text, chunks, finish, usage, role };

const completion = await client.completions.create({ model, prompt: "Once upon a time", max_tokens: 16, temperature: 0 });
out.completion = { text: completion.choices[0].text, finish: completion.choices[0].finish_reason, usage: completion.usage };

const cstream = await client.completions.create({ model, prompt: "Once upon a time", max_tokens: 16, temperature: 0,
  stream: true });
let ctext = "";
for await (const chunk of cstream) ctext += chunk.choices[0]?.text ?? "";
out.completionStream = { text: ctext };

const emb = await client.embeddings.create({ model, input: ["first text", "second text"] });
out.embeddings = { count: emb.data.length, dims: emb.data[0].embedding.length,
  norm: Math.hypot(...emb.data[0].embedding), usage: emb.usage };

const tools = [{ type: "function", function: { name: "get_weather", description: "Weather in a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } }];
await expectError("tools", () => client.chat.completions.create({ model, messages, tools, tool_choice: "auto", max_tokens: 8 }));
await expectError("jsonSchema", () => client.chat.completions.create({ model, messages, max_tokens: 8,
  response_format: { type: "json_schema", json_schema: { name: "answer", schema: { type: "object" } } } }));

await expectError("unknownModel", () => client.chat.completions.create({ model: "no-such-model", messages, max_tokens: 4 }));
await expectError("badTemperature", () => client.chat.completions.create({ model, messages, temperature: -1, max_tokens: 4 }));
await expectError("wrongKey", () => new OpenAI({ baseURL, apiKey: apiKey + "x", maxRetries: 0 }).models.list());
const models = await client.models.list();
out.models = models.data.map((m) => m.id);

console.log(JSON.stringify(out));
