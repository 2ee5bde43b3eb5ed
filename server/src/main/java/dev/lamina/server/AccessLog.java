package dev.lamina.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.time.Instant;
import org.eclipse.jetty.server.Request;

/** One JSON line per answered request (time, client, method, path, status, duration, tokens). */
final class AccessLog {
    private final ObjectMapper json;
    private final PrintStream out;
    private final boolean enabled;

    AccessLog(ObjectMapper json, PrintStream out, boolean enabled) {
        this.json = json;
        this.out = out;
        this.enabled = enabled;
    }

    void log(ApiHandler.Exchange x) {
        if (!enabled) {
            return;
        }
        ObjectNode line = json.createObjectNode();
        line.put("time", Instant.now().toString());
        line.put("remote", Request.getRemoteAddr(x.request));
        line.put("method", x.request.getMethod());
        line.put("path", Request.getPathInContext(x.request));
        line.put("status", x.status);
        line.put("ms", (System.nanoTime() - x.startNanos) / 1_000_000.0);
        line.put("bytes_in", x.bytesIn);
        if (x.done != null) {
            line.put("prompt_tokens", x.done.promptTokens());
            line.put("cached_tokens", x.done.cachedTokens());
            line.put("completion_tokens", x.done.completionTokens());
            line.put("finish_reason", x.done.finishReason());
        }
        try {
            String s = json.writeValueAsString(line);
            synchronized (out) {
                out.println(s);
            }
        } catch (JsonProcessingException e) {
            // an ObjectNode of plain values always serialises
        }
    }
}
