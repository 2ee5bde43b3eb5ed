package dev.lamina.tests.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lamina.server.ServerConfig;
import dev.lamina.tests.TestData;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each bad request gets its documented error, and the server answers the next good request. */
class ServerBadRequestTest {
    static final String KEY = "test-key-123";
    static ServerHarness h;

    @BeforeAll
    static void start() {
        ServerConfig c = ServerHarness.config(TestData.model(ServerHarness.MODEL), 2, 512).withApiKey(KEY)
                .withLimits(1 << 20, 4, Duration.ofSeconds(2), Duration.ofSeconds(60));
        h = new ServerHarness(c);
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    /** After every bad request: a good one still works. */
    @AfterEach
    void serverStillServes() {
        ServerHarness.Reply r = h.post("/v1/completions", "{\"prompt\":\"Hello\",\"max_tokens\":3}");
        assertEquals(200, r.status(), r.body());
        assertEquals(3, r.json().get("usage").get("completion_tokens").asInt());
    }

    static void assertError(ServerHarness.Reply r, int status, String param, String code) {
        assertEquals(status, r.status(), r.body());
        JsonNode e = r.error();
        assertTrue(e.get("message").asText().length() > 10, "a message that says what is wrong: " + e);
        assertTrue(e.has("type") && e.has("param") && e.has("code"), "OpenAI's error shape: " + e);
        if (param != null) {
            assertEquals(param, e.get("param").asText(), e.toString());
        }
        if (code != null) {
            assertEquals(code, e.get("code").asText(), e.toString());
        }
    }

    @Test
    void malformedJson() {
        assertError(h.post("/v1/chat/completions", "{\"messages\": [}"), 400, null, null);
        assertError(h.post("/v1/chat/completions", "[1,2]"), 400, null, null);
        assertError(h.post("/v1/chat/completions", ""), 400, null, null);
    }

    @Test
    void wrongTypes() {
        assertError(h.post("/v1/completions", "{\"prompt\":\"a\",\"max_tokens\":\"ten\"}"), 400, "max_tokens", "invalid_value");
        assertError(h.post("/v1/completions", "{\"prompt\":\"a\",\"stream\":\"yes\"}"), 400, "stream", "invalid_value");
        assertError(h.post("/v1/completions", "{\"prompt\":5}"), 400, "prompt", "invalid_value");
        assertError(h.post("/v1/chat/completions", "{\"messages\":\"hi\"}"), 400, "messages", "invalid_value");
        assertError(h.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}"), 400,
                "messages[0].role", "invalid_value");
        assertError(h.post("/v1/completions", "{\"prompt\":\"a\",\"stop\":[1]}"), 400, "stop", "invalid_value");
        assertError(h.post("/v1/completions", "{\"prompt\":\"a\",\"logit_bias\":{\"999999\":1}}"), 400, "logit_bias", "invalid_value");
        assertError(h.post("/v1/embeddings", "{\"input\":{}}"), 400, "input", "invalid_value");
    }

    @Test
    void unknownModel() {
        assertError(h.post("/v1/chat/completions", "{\"model\":\"gpt-9\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"),
                404, "model", "model_not_found");
    }

    @Test
    void hugeMaxTokensAndLongPrompts() {
        assertError(h.post("/v1/completions", "{\"prompt\":\"a\",\"max_tokens\":1000000000}"), 400, "max_tokens", "invalid_value");
        assertError(h.post("/v1/completions", "{\"prompt\":\"" + "word ".repeat(1200) + "\"}"), 400, "prompt",
                "context_length_exceeded");
    }

    @Test
    void outOfRangeSampling() {
        assertError(h.post("/v1/completions", "{\"prompt\":\"a\",\"temperature\":-0.5}"), 400, "temperature", "invalid_value");
        assertError(h.post("/v1/completions", "{\"prompt\":\"a\",\"top_p\":1.5}"), 400, "top_p", "invalid_value");
        assertError(h.post("/v1/completions", "{\"prompt\":\"a\",\"n\":3}"), 400, "n", "unsupported_parameter");
    }

    @Test
    void notYetSupportedFieldsAreRefusedNotIgnored() {
        String messages = "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]";
        assertError(h.post("/v1/chat/completions", "{" + messages + ",\"response_format\":{\"type\":\"json_object\"}}"), 400,
                "response_format", "unsupported_parameter");
        assertError(h.post("/v1/chat/completions", "{" + messages
                + ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"a\",\"schema\":{}}}}"), 400,
                "response_format", "unsupported_parameter");
        assertError(h.post("/v1/chat/completions", "{" + messages
                + ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],\"tool_choice\":\"auto\"}"), 400,
                "tools", "unsupported_parameter");
        assertError(h.post("/v1/chat/completions", "{" + messages
                + ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],\"tool_choice\":\"required\"}"), 400,
                "tool_choice", "unsupported_parameter");
        assertError(h.post("/v1/chat/completions", "{" + messages
                + ",\"tools\":[{\"type\":\"function\"}]}"), 400, "tools[0].function.name", "invalid_value");
        assertError(h.post("/v1/chat/completions", "{" + messages + ",\"response_format\":{\"type\":\"yaml\"}}"), 400,
                "response_format.type", "invalid_value");
    }

    @Test
    void authentication() {
        HttpRequest noKey = HttpRequest.newBuilder(java.net.URI.create(h.base + "/v1/models")).GET().build();
        assertError(h.send(noKey), 401, null, "invalid_api_key");
        HttpRequest wrong = HttpRequest.newBuilder(java.net.URI.create(h.base + "/v1/models"))
                .header("Authorization", "Bearer " + KEY + "x").GET().build();
        assertError(h.send(wrong), 401, null, "invalid_api_key");
        assertEquals(200, h.send(HttpRequest.newBuilder(java.net.URI.create(h.base + "/health")).GET().build()).status(),
                "/health needs no key");
    }

    @Test
    void notFoundAndWrongMethod() {
        assertError(h.get("/v1/nothing"), 404, null, "not_found");
        assertError(h.get("/v1/chat/completions"), 405, null, "method_not_allowed");
    }

    @Test
    void bodyOverTheLimit() {
        String big = "{\"prompt\":\"" + "a".repeat(10 << 20) + "\"}";
        assertError(h.post("/v1/completions", big), 413, null, "request_too_large");
    }

    @Test
    void slowBodyTimesOut() throws IOException {
        try (Socket s = new Socket("127.0.0.1", h.server.port())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long start = System.nanoTime();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            // Trickle a byte every 300 ms from another thread, as a slowloris client does.
            Thread trickle = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 60; i++) {
                        Thread.sleep(300);
                        out.write(' ');
                        out.flush();
                    }
                } catch (IOException | InterruptedException e) {
                    // the server closed the connection: expected
                }
            });
            String status = in.readLine();
            trickle.interrupt();
            assertTrue(status != null && status.contains(" 408"), "status line: " + status);
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(seconds < 10, "answered after the 2 s body timeout, not after the body: " + seconds + " s");
        }
    }

    @Test
    void fullQueueIs503() throws Exception {
        ServerConfig c = ServerHarness.config(TestData.model(ServerHarness.MODEL), 1, 512)
                .withLimits(1 << 20, 0, Duration.ofSeconds(5), Duration.ofSeconds(60));
        try (ServerHarness one = new ServerHarness(c)) {
            var busy = one.http.sendAsync(one.request("/v1/completions")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"Once\",\"max_tokens\":500,\"temperature\":0}"))
                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (one.metric("lamina_active_slots") < 1 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            ServerHarness.Reply r = one.post("/v1/completions", "{\"prompt\":\"Hi\",\"max_tokens\":2}");
            assertError(r, 503, null, "queue_full");
            assertEquals(200, busy.get().statusCode());
            assertEquals(200, one.post("/v1/completions", "{\"prompt\":\"Hi\",\"max_tokens\":2}").status());
        }
    }

    @Test
    void clientDisconnectMidStreamFreesTheSlot() throws Exception {
        for (int round = 0; round < 3; round++) {
            try (Socket s = new Socket("127.0.0.1", h.server.port())) {
                String body = "{\"prompt\":\"Once upon a time\",\"max_tokens\":480,\"stream\":true}";
                s.getOutputStream().write(("POST /v1/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY
                        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                        .getBytes(StandardCharsets.US_ASCII));
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                int dataLines = 0;
                String line;
                while (dataLines < 3 && (line = in.readLine()) != null) {
                    if (line.startsWith("data: ")) {
                        dataLines++;
                    }
                }
                assertEquals(3, dataLines);
            }
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (h.metric("lamina_active_slots") > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0.0, h.metric("lamina_active_slots"), "the disconnected streams' slots are free again");
        assertTrue(h.metric("lamina_generated_tokens_total") < 3 * 480 / 2,
                "generation stopped when the clients left, not after 480 tokens each");
    }
}
