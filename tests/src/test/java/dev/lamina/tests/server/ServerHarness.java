package dev.lamina.tests.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lamina.server.LaminaServer;
import dev.lamina.server.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A {@link LaminaServer} on a free loopback port, and a small HTTP/1.1 client for it. */
final class ServerHarness implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The 256-wide test model (fast to load and run). */
    static final String MODEL = "llama2-gqa256-q4_0.gguf";

    final LaminaServer server;
    final String base;
    final String apiKey;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    ServerHarness(ServerConfig config) {
        try {
            this.server = LaminaServer.start(config.withPort(0), null);
        } catch (Exception e) {
            throw new AssertionError("the server did not start: " + e, e);
        }
        this.base = "http://127.0.0.1:" + server.port();
        this.apiKey = config.apiKey();
    }

    static ServerConfig config(Path model, int parallel, int ctx) {
        return ServerConfig.defaults(model).withParallel(parallel).withContextLength(ctx).withAccessLogOff();
    }

    record Reply(int status, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (status " + status + "): " + body, e);
            }
        }

        /** The error object of an OpenAI error answer. */
        JsonNode error() {
            JsonNode e = json().get("error");
            if (e == null) {
                throw new AssertionError("no error object in: " + body);
            }
            return e;
        }
    }

    Reply get(String path) {
        return send(request(path).GET().build());
    }

    Reply post(String path, String body) {
        return send(request(path).POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build());
    }

    Reply post(String path, JsonNode body) {
        return post(path, body.toString());
    }

    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120));
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        return b;
    }

    Reply send(HttpRequest r) {
        try {
            HttpResponse<String> resp = http.send(r, HttpResponse.BodyHandlers.ofString());
            return new Reply(resp.statusCode(), resp.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The {@code data:} payloads of an SSE answer, in order, checking the framing on the way. */
    static List<String> events(String sse) {
        List<String> out = new ArrayList<>();
        for (String block : sse.split("\n\n")) {
            if (block.isBlank() || block.startsWith(":")) {
                continue;
            }
            if (!block.startsWith("data: ")) {
                throw new AssertionError("malformed SSE event: " + block);
            }
            out.add(block.substring(6));
        }
        return out;
    }

    /** A gauge or counter value from /metrics. */
    double metric(String name) {
        for (String line : get("/metrics").body().split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1));
            }
        }
        throw new AssertionError("no metric " + name);
    }

    @Override
    public void close() {
        server.shutdown();
    }
}
