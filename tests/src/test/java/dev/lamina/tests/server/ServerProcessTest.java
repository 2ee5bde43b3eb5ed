package dev.lamina.tests.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.tests.TestData;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code lamina serve} as its own process: SIGTERM finishes the request in flight and exits 0; and
 * its resident memory stays flat over 5,000 requests.
 */
class ServerProcessTest {
    static final Pattern LISTENING = Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+) ");

    record Served(Process process, int port, List<String> log) {}

    static Served serve(String... extra) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xms64m", "-Xmx64m", "-XX:+AlwaysPreTouch",
                "-cp", System.getProperty("java.class.path"), "dev.lamina.cli.LaminaCommand", "serve",
                "-m", TestData.model(ServerHarness.MODEL).toString(), "--port", "0", "--ctx", "256", "--no-access-log"));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    log.add(line);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            port.completeExceptionally(new AssertionError("the server exited before listening: " + log));
        });
        try {
            return new Served(p, port.get(60, TimeUnit.SECONDS), log);
        } catch (Exception e) {
            p.destroyForcibly();
            throw new AssertionError("the server did not start: " + log, e);
        }
    }

    static long rssKb(Process p) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + p.pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new AssertionError("no VmRSS for " + p.pid());
    }

    @Test
    void sigtermFinishesInFlightAndExitsZero() throws Exception {
        Served s = serve("--shutdown-grace", "20");
        try {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<java.util.stream.Stream<String>> r = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + s.port() + "/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"Once\",\"max_tokens\":200,\"stream\":true}")).build(),
                    HttpResponse.BodyHandlers.ofLines());
            assertEquals(200, r.statusCode());
            java.util.Iterator<String> lines = r.body().iterator();
            assertTrue(lines.next().startsWith("data: "), "the stream has started");
            new ProcessBuilder("kill", "-TERM", Long.toString(s.process().pid())).start().waitFor();
            String last = "";
            while (lines.hasNext()) {
                String line = lines.next();
                if (!line.isEmpty()) {
                    last = line;
                }
            }
            assertEquals("data: [DONE]", last, "the in-flight stream completed");
            assertTrue(s.process().waitFor(60, TimeUnit.SECONDS), "the server exited");
            assertEquals(0, s.process().exitValue(), "exit status after SIGTERM; log: " + s.log());
        } finally {
            s.process().destroyForcibly();
        }
    }

    @Test
    void residentMemoryStaysFlatOver5000Requests() throws Exception {
        Served s = serve("--parallel", "4");
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build()) {
            URI uri = URI.create("http://127.0.0.1:" + s.port() + "/v1/chat/completions");
            long afterWarmup = 0;
            for (int i = 0; i < 5000; i++) {
                String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"Request " + i
                        + "\"}],\"max_tokens\":2" + (i % 2 == 0 ? ",\"stream\":true" : "") + "}";
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri)
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), r.body());
                if (i == 999) {
                    afterWarmup = rssKb(s.process());
                }
            }
            long end = rssKb(s.process());
            System.out.println("ServerProcessTest: RSS after 1,000 requests " + afterWarmup + " kB, after 5,000 " + end + " kB");
            assertTrue(end - afterWarmup < 24 * 1024, "RSS grew from " + afterWarmup + " kB to " + end + " kB");
        } finally {
            s.process().destroy();
            s.process().waitFor(30, TimeUnit.SECONDS);
            s.process().destroyForcibly();
        }
    }
}
