package dev.lamina.tests.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lamina.Embedder;
import dev.lamina.EmbedderOptions;
import dev.lamina.GenerationOptions;
import dev.lamina.Model;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import dev.lamina.tests.TestData;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The endpoints' answers: shapes, greedy text equal to the Java API's, streams, stops, logprobs, prefix cache. */
class ServerApiTest {
    static final String PROMPT = "Once upon a time";
    static ServerHarness h;

    @BeforeAll
    static void start() {
        h = new ServerHarness(ServerHarness.config(TestData.model(ServerHarness.MODEL), 2, 256));
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    static ObjectNode completion(String prompt, int maxTokens) {
        ObjectNode b = ServerHarness.JSON.createObjectNode();
        b.put("prompt", prompt).put("max_tokens", maxTokens).put("temperature", 0);
        return b;
    }

    static ObjectNode chat(String content, int maxTokens) {
        ObjectNode b = ServerHarness.JSON.createObjectNode();
        b.putArray("messages").addObject().put("role", "user").put("content", content);
        b.put("max_tokens", maxTokens).put("temperature", 0);
        return b;
    }

    /** What `lamina run -p PROMPT -n N --temp 0` prints: the same Java API path. */
    static String greedyViaApi(String prompt, int n) {
        try (Model m = Model.load(TestData.model(ServerHarness.MODEL));
             Session s = m.newSession(SessionOptions.builder().contextLength(256).build())) {
            return s.generate(prompt, GenerationOptions.greedy().maxTokens(n)).result().text();
        }
    }

    @Test
    void healthAndModels() {
        assertEquals("ok", h.get("/health").json().get("status").asText());
        JsonNode models = h.get("/v1/models").json();
        assertEquals("list", models.get("object").asText());
        assertEquals(ServerHarness.MODEL, models.get("data").get(0).get("id").asText());
        assertEquals(200, h.get("/v1/models/" + ServerHarness.MODEL).status());
        assertEquals(404, h.get("/v1/models/other").status());
    }

    @Test
    void greedyCompletionEqualsTheJavaApi() {
        ServerHarness.Reply r = h.post("/v1/completions", completion(PROMPT, 24));
        assertEquals(200, r.status(), r.body());
        JsonNode choice = r.json().get("choices").get(0);
        assertEquals(greedyViaApi(PROMPT, 24), choice.get("text").asText());
        assertEquals("length", choice.get("finish_reason").asText());
        JsonNode usage = r.json().get("usage");
        assertEquals(24, usage.get("completion_tokens").asInt());
        assertEquals(usage.get("prompt_tokens").asInt() + 24, usage.get("total_tokens").asInt());
    }

    @Test
    void chatStreamIsWellFormedAndEqualsTheWholeAnswer() {
        ServerHarness.Reply whole = h.post("/v1/chat/completions", chat("Hello there", 12));
        assertEquals(200, whole.status(), whole.body());
        JsonNode message = whole.json().get("choices").get(0).get("message");
        assertEquals("assistant", message.get("role").asText());

        ObjectNode req = chat("Hello there", 12);
        req.put("stream", true).putObject("stream_options").put("include_usage", true);
        ServerHarness.Reply sse = h.post("/v1/chat/completions", req);
        assertEquals(200, sse.status());
        List<String> events = ServerHarness.events(sse.body());
        assertEquals("[DONE]", events.getLast());
        StringBuilder text = new StringBuilder();
        String finish = null;
        JsonNode usage = null;
        for (int i = 0; i < events.size() - 1; i++) {
            JsonNode chunk = new ServerHarness.Reply(200, events.get(i)).json();
            assertEquals("chat.completion.chunk", chunk.get("object").asText());
            if (chunk.hasNonNull("usage")) {
                usage = chunk.get("usage");
                assertEquals(i, events.size() - 2, "the usage chunk comes last");
                continue;
            }
            JsonNode c = chunk.get("choices").get(0);
            if (i == 0) {
                assertEquals("assistant", c.get("delta").get("role").asText());
            }
            text.append(c.get("delta").path("content").asText(""));
            if (!c.get("finish_reason").isNull()) {
                finish = c.get("finish_reason").asText();
            }
        }
        assertEquals(message.get("content").asText(), text.toString());
        assertEquals("length", finish);
        assertEquals(12, usage.get("completion_tokens").asInt());
    }

    @Test
    void stopStringEndsTheAnswerBeforeIt() {
        String full = h.post("/v1/completions", completion(PROMPT, 24)).json().get("choices").get(0).get("text").asText();
        String stop = full.substring(6, 9);
        ObjectNode req = completion(PROMPT, 24);
        req.put("stop", stop);
        JsonNode choice = h.post("/v1/completions", req).json().get("choices").get(0);
        assertEquals(full.substring(0, full.indexOf(stop)), choice.get("text").asText());
        assertEquals("stop", choice.get("finish_reason").asText());
        req.put("stream", true);
        StringBuilder streamed = new StringBuilder();
        for (String e : ServerHarness.events(h.post("/v1/completions", req).body())) {
            if (!e.equals("[DONE]")) {
                streamed.append(new ServerHarness.Reply(200, e).json().get("choices").get(0).get("text").asText());
            }
        }
        assertEquals(choice.get("text").asText(), streamed.toString(), "a stream never shows part of a stop string");
    }

    @Test
    void logprobsDescribeTheGreedyTokens() {
        ObjectNode req = chat("Hi", 6);
        req.put("logprobs", true).put("top_logprobs", 3);
        JsonNode choice = h.post("/v1/chat/completions", req).json().get("choices").get(0);
        JsonNode content = choice.get("logprobs").get("content");
        assertEquals(6, content.size());
        for (JsonNode t : content) {
            double lp = t.get("logprob").asDouble();
            assertTrue(lp <= 0, "a log probability is <= 0: " + lp);
            JsonNode top = t.get("top_logprobs");
            assertEquals(3, top.size());
            assertEquals(top.get(0).get("logprob").asDouble(), lp, 1e-9, "greedy picks the most likely token");
            assertTrue(top.get(0).get("logprob").asDouble() >= top.get(2).get("logprob").asDouble());
        }
    }

    @Test
    void sameSeedSameSample() {
        ObjectNode req = completion(PROMPT, 16);
        req.put("temperature", 1.0).put("seed", 7).put("min_p", 0).put("top_k", 0).put("top_p", 1);
        String a = h.post("/v1/completions", req).json().get("choices").get(0).get("text").asText();
        String b = h.post("/v1/completions", req).json().get("choices").get(0).get("text").asText();
        assertEquals(a, b);
        String greedy = h.post("/v1/completions", completion(PROMPT, 16)).json().get("choices").get(0).get("text").asText();
        req.put("temperature", 2.0);
        java.util.Set<String> texts = new java.util.HashSet<>();
        for (int seed = 1; seed <= 8; seed++) {
            req.put("seed", seed);
            texts.add(h.post("/v1/completions", req).json().get("choices").get(0).get("text").asText());
        }
        texts.remove(greedy);
        assertFalse(texts.isEmpty(), "eight seeds at temperature 2 all gave the greedy text: sampling is not applied");
    }

    @Test
    void secondTurnReusesTheCachedPrefix() {
        String longPrompt = "The quick brown fox jumps over the lazy dog. ".repeat(6);
        ServerHarness.Reply first = h.post("/v1/completions", completion(longPrompt, 8));
        ServerHarness.Reply second = h.post("/v1/completions", completion(longPrompt + "Again", 8));
        int promptTokens = second.json().get("usage").get("prompt_tokens").asInt();
        int cached = second.json().get("usage").get("prompt_tokens_details").get("cached_tokens").asInt();
        assertTrue(cached >= promptTokens / 2, "cached " + cached + " of " + promptTokens + " prompt tokens");
        ServerHarness.Reply again = h.post("/v1/completions", completion(longPrompt, 8));
        assertEquals(first.json().get("choices").get(0).get("text"), again.json().get("choices").get(0).get("text"),
                "a reused prefix gives the same greedy text");
        assertTrue(h.metric("lamina_prompt_tokens_cached_total") >= cached);
    }

    @Test
    void embeddingsEqualTheEmbedders() {
        ObjectNode req = ServerHarness.JSON.createObjectNode();
        req.putArray("input").add("first text").add("second text");
        JsonNode data = h.post("/v1/embeddings", req).json().get("data");
        assertEquals(2, data.size());
        try (Model m = Model.load(TestData.model(ServerHarness.MODEL));
             Embedder e = m.newEmbedder(EmbedderOptions.builder().normalize(true).build())) {
            float[] expected = e.embedTokens(List.of(m.tokenizer().encode("first text", m.info().addBos(), false))).get(0);
            JsonNode got = data.get(0).get("embedding");
            assertEquals(expected.length, got.size());
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], got.get(i).floatValue(), 1e-5f);
            }
        }
        assertFalse(data.get(0).get("embedding").equals(data.get(1).get("embedding")));
    }

    @Test
    void metricsAreInPrometheusFormat() {
        h.post("/v1/completions", completion(PROMPT, 2));
        String text = h.get("/metrics").body();
        for (String name : List.of("lamina_requests_total{endpoint=\"/v1/completions\",status=\"200\"}",
                "lamina_prompt_tokens_total", "lamina_generated_tokens_total", "lamina_queue_depth", "lamina_active_slots",
                "lamina_tokens_per_second", "lamina_time_to_first_token_seconds_bucket{le=\"+Inf\"}",
                "lamina_time_to_first_token_seconds_count")) {
            assertTrue(text.contains("\n" + name + " "), "missing " + name + " in\n" + text);
        }
        assertTrue(h.metric("lamina_generated_tokens_total") >= 2);
    }
}
