package dev.lamina.tests.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.server.LoadClient;
import dev.lamina.tests.TestData;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * 32 concurrent streaming clients against --parallel 8 for a bounded time (8 s in CI, 20 s
 * otherwise): no errors, every stream complete and well formed (LoadClient checks the framing).
 * Throughput is measured by scripts/bench-server.sh, not asserted here.
 */
class ServerLoadTest {
    @Test
    void thirtyTwoStreamingClients() {
        int seconds = "true".equals(System.getenv("CI")) ? 8 : 20;
        try (ServerHarness h = new ServerHarness(ServerHarness.config(TestData.model(ServerHarness.MODEL), 8, 256))) {
            LoadClient.Result r = LoadClient.run(URI.create(h.base), null, ServerHarness.MODEL, 32,
                    Duration.ofSeconds(seconds), 32);
            System.out.println("ServerLoadTest: " + r);
            assertEquals(0, r.errors(), "failures: " + r.failures());
            assertTrue(r.requests() >= 32, r.toString());
            assertTrue(r.completionTokens() > 0, r.toString());
            assertEquals(0.0, h.metric("lamina_active_slots"));
            assertEquals(0.0, h.metric("lamina_queue_depth"));
        }
    }
}
