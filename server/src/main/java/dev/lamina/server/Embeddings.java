package dev.lamina.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lamina.Embedder;
import dev.lamina.EmbedderOptions;
import dev.lamina.Model;
import dev.lamina.SessionOptions;
import java.util.ArrayList;
import java.util.Base64;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * {@code POST /v1/embeddings}: one normalised vector per input (a string, strings, token ids or
 * arrays of token ids), pooled as the model file says. One embedder, used by one request at a time.
 */
final class Embeddings implements AutoCloseable {
    static final int MAX_INPUTS = 2048;

    private final Model model;
    private final Embedder embedder;
    private final int contextLength;
    private final ObjectMapper json;

    Embeddings(Model model, int contextLength, int threads, ObjectMapper json) {
        this.model = model;
        this.contextLength = contextLength;
        this.json = json;
        this.embedder = model.newEmbedder(EmbedderOptions.builder().normalize(true)
                .session(SessionOptions.builder().contextLength(contextLength).threads(threads).build()).build());
    }

    ObjectNode handle(RequestParser parser, JsonNode body) {
        Fields f = Fields.of(body);
        parser.checkModel(f);
        String format = f.string("encoding_format", "float");
        if (!format.equals("float") && !format.equals("base64")) {
            throw ApiError.badField("encoding_format", "'encoding_format' must be 'float' or 'base64', got '" + format + "'");
        }
        if (f.has("dimensions") && f.integer("dimensions", 1, Integer.MAX_VALUE, 0) != embedder.dimension()) {
            throw ApiError.unsupported("dimensions", "'dimensions' other than the model's " + embedder.dimension());
        }
        List<int[]> inputs = inputs(f.get("input"));
        int total = 0;
        for (int i = 0; i < inputs.size(); i++) {
            int n = inputs.get(i).length;
            if (n == 0) {
                throw ApiError.badField("input", "input " + i + " is empty");
            }
            if (n > contextLength) {
                throw new ApiError(400, "invalid_request_error", "input", "context_length_exceeded",
                        "input " + i + " has " + n + " tokens; this server embeds at most " + contextLength);
            }
            total += n;
        }
        List<float[]> vectors = embedder.embedTokens(inputs);
        ObjectNode out = json.createObjectNode();
        out.put("object", "list");
        ArrayNode data = out.putArray("data");
        for (int i = 0; i < vectors.size(); i++) {
            ObjectNode item = data.addObject();
            item.put("object", "embedding");
            item.put("index", i);
            float[] v = vectors.get(i);
            if (format.equals("base64")) {
                ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(v);
                item.put("embedding", Base64.getEncoder().encodeToString(b.array()));
            } else {
                ArrayNode e = item.putArray("embedding");
                for (float x : v) {
                    e.add(x);
                }
            }
        }
        out.put("model", parser.modelId());
        ObjectNode usage = out.putObject("usage");
        usage.put("prompt_tokens", total);
        usage.put("total_tokens", total);
        return out;
    }

    private List<int[]> inputs(JsonNode input) {
        List<int[]> out = new ArrayList<>();
        if (input == null) {
            throw ApiError.badField("input", "'input' is required");
        }
        if (input.isTextual()) {
            out.add(encode(input.textValue()));
            return out;
        }
        if (!input.isArray() || input.isEmpty()) {
            throw ApiError.badField("input", "'input' must be a string or a non-empty array of strings or token ids, got "
                    + Fields.kind(input));
        }
        if (input.size() > MAX_INPUTS) {
            throw ApiError.badField("input", "'input' may hold at most " + MAX_INPUTS + " items, got " + input.size());
        }
        if (input.get(0).isIntegralNumber()) {
            out.add(ids(input, "input"));
            return out;
        }
        for (int i = 0; i < input.size(); i++) {
            JsonNode item = input.get(i);
            if (item.isTextual()) {
                out.add(encode(item.textValue()));
            } else if (item.isArray() && !item.isEmpty()) {
                out.add(ids(item, "input[" + i + "]"));
            } else {
                throw ApiError.badField("input[" + i + "]", "input[" + i + "] must be a string or an array of token ids, got "
                        + Fields.kind(item));
            }
        }
        return out;
    }

    private int[] encode(String text) {
        return model.tokenizer().encode(text, model.info().addBos(), false);
    }

    private int[] ids(JsonNode array, String where) {
        int vocab = model.info().vocabSize();
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (int) Fields.integerValue(where + "[" + i + "]", array.get(i), 0, vocab - 1);
        }
        return ids;
    }

    @Override
    public void close() {
        embedder.close();
    }
}
