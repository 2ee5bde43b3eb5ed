package dev.lamina.tests.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lamina.tests.TestData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The official {@code openai} npm package against the server: chat (whole and streamed),
 * completions, embeddings, models, and its error classes for tools / json_schema (refused by this
 * build), an unknown model, a bad value and a wrong key. The package is installed from the npm
 * registry into tests/server-clients by this test when it is missing ({@code npm ci}).
 */
class ServerOpenAiClientTest {
    static final String KEY = "sk-lamina-test";

    static Path clients() {
        Path dir = Path.of(System.getProperty("lamina.server.clients", "server-clients")).toAbsolutePath();
        if (!Files.isRegularFile(dir.resolve("openai-client.mjs"))) {
            throw new AssertionError("the openai client script is missing in " + dir);
        }
        return dir;
    }

    static String run(Path dir, List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out;
        try (var in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed (exit " + p.exitValue() + "):\n" + text);
        }
        return text;
    }

    static void installOpenAi(Path dir) throws IOException, InterruptedException {
        if (!Files.isDirectory(dir.resolve("node_modules/openai"))) {
            run(dir, List.of("npm", "ci", "--no-audit", "--no-fund"), 600);
        }
    }

    @Test
    void officialClientTalksToTheServer() throws Exception {
        Path dir = clients();
        installOpenAi(dir);
        try (ServerHarness h = new ServerHarness(
                ServerHarness.config(TestData.model(ServerHarness.MODEL), 2, 256).withApiKey(KEY))) {
            String out = run(dir, List.of("node", "openai-client.mjs", h.base + "/v1", KEY, ServerHarness.MODEL), 300);
            String last = out.strip().lines().reduce((a, b) -> b).orElse("");
            JsonNode r = ServerHarness.JSON.readTree(last);

            String chat = r.get("chat").get("content").asText();
            assertEquals("chat.completion", r.get("chat").get("object").asText());
            assertEquals(16, r.get("chat").get("usage").get("completion_tokens").asInt());
            assertEquals(chat, r.get("chatStream").get("content").asText(), "streamed text equals the whole answer");
            assertEquals("assistant", r.get("chatStream").get("role").asText());
            assertEquals("length", r.get("chatStream").get("finish").asText());
            assertEquals(16, r.get("chatStream").get("usage").get("completion_tokens").asInt());

            String viaJava = ServerApiTest.greedyViaApi("Once upon a time", 16);
            assertEquals(viaJava, r.get("completion").get("text").asText(), "greedy text equals the Java API's");
            assertEquals(viaJava, r.get("completionStream").get("text").asText());

            assertEquals(2, r.get("embeddings").get("count").asInt());
            assertEquals(1.0, r.get("embeddings").get("norm").asDouble(), 1e-3);
            assertTrue(r.get("embeddings").get("dims").asInt() > 0);

            assertEquals(400, r.get("tools").get("status").asInt(), r.get("tools").toString());
            assertEquals("unsupported_parameter", r.get("tools").get("code").asText());
            assertEquals(400, r.get("jsonSchema").get("status").asInt());
            assertEquals("BadRequestError", r.get("jsonSchema").get("cls").asText());
            assertEquals(404, r.get("unknownModel").get("status").asInt());
            assertEquals("NotFoundError", r.get("unknownModel").get("cls").asText());
            assertEquals(400, r.get("badTemperature").get("status").asInt());
            assertEquals("temperature", r.get("badTemperature").get("param").asText());
            assertEquals(401, r.get("wrongKey").get("status").asInt());
            assertEquals("AuthenticationError", r.get("wrongKey").get("cls").asText());
            assertEquals(ServerHarness.MODEL, r.get("models").get(0).asText());
        }
    }
}
