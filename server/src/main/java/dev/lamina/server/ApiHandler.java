package dev.lamina.server;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;

/**
 * Routes the OpenAI endpoints, checks the API key, reads and parses bodies, and answers: JSON, or
 * server-sent events for {@code stream: true}. Every failure becomes OpenAI's error JSON with its
 * status; an unexpected exception is a 500 and the server goes on. Runs on virtual threads: it
 * blocks while a request waits for the scheduler.
 */
final class ApiHandler extends Handler.Abstract {
    /** How often a waiting stream sends an SSE comment (also how soon a vanished client is noticed). */
    private static final long KEEPALIVE_MILLIS = 2000;

    private final ServerConfig config;
    private final ObjectMapper json;
    private final RequestParser parser;
    private final Scheduler scheduler;
    private final Embeddings embeddings;
    private final Responses responses;
    private final Metrics metrics;
    private final AccessLog log;
    private final byte[] apiKey;
    private volatile boolean shuttingDown;

    ApiHandler(ServerConfig config, ObjectMapper json, RequestParser parser, Scheduler scheduler, Embeddings embeddings,
               Responses responses, Metrics metrics, AccessLog log) {
        this.config = config;
        this.json = json;
        this.parser = parser;
        this.scheduler = scheduler;
        this.embeddings = embeddings;
        this.responses = responses;
        this.metrics = metrics;
        this.log = log;
        this.apiKey = config.apiKey() == null ? null : config.apiKey().getBytes(StandardCharsets.UTF_8);
    }

    void shuttingDown() {
        shuttingDown = true;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        Exchange x = new Exchange(request, response, callback);
        try {
            route(x);
        } catch (ApiError e) {
            x.error(e);
        } catch (Throwable e) {
            x.error(new ApiError(500, "server_error", null, null, "internal error: " + e));
        } finally {
            metrics.request(x.endpoint, x.status);
            log.log(x);
        }
        return true;
    }

    private void route(Exchange x) throws IOException, InterruptedException {
        String path = Request.getPathInContext(x.request);
        String method = x.request.getMethod();
        x.endpoint = switch (path) {
            case "/health", "/metrics", "/v1/models", "/v1/chat/completions", "/v1/completions", "/v1/embeddings" -> path;
            default -> path.startsWith("/v1/models/") ? "/v1/models/{id}" : "other";
        };
        switch (path) {
            case "/health" -> {
                requireMethod(x, "GET");
                ObjectNode body = json.createObjectNode().put("status", shuttingDown ? "shutting_down" : "ok");
                x.json(shuttingDown ? 503 : 200, body);
                return;
            }
            case "/metrics" -> {
                requireMethod(x, "GET");
                x.text(200, "text/plain; version=0.0.4; charset=utf-8", metrics.render());
                return;
            }
            default -> { }
        }
        if (!path.startsWith("/v1/")) {
            throw notFound(path);
        }
        authenticate(x);
        switch (path) {
            case "/v1/models" -> {
                requireMethod(x, "GET");
                ObjectNode list = json.createObjectNode().put("object", "list");
                list.putArray("data").add(modelObject());
                x.json(200, list);
            }
            case "/v1/chat/completions" -> {
                requireMethod(x, "POST");
                generate(x, parser.chat(body(x)));
            }
            case "/v1/completions" -> {
                requireMethod(x, "POST");
                generate(x, parser.completion(body(x)));
            }
            case "/v1/embeddings" -> {
                requireMethod(x, "POST");
                x.json(200, embeddings.handle(parser, body(x)));
            }
            default -> {
                if (path.startsWith("/v1/models/")) {
                    requireMethod(x, "GET");
                    String id = path.substring("/v1/models/".length());
                    if (!id.equals(parser.modelId())) {
                        throw new ApiError(404, "invalid_request_error", "model", "model_not_found",
                                "The model '" + id + "' does not exist; this server serves '" + parser.modelId() + "'");
                    }
                    x.json(200, modelObject());
                } else {
                    throw notFound(path);
                }
            }
        }
    }

    private ObjectNode modelObject() {
        ObjectNode m = json.createObjectNode();
        m.put("id", parser.modelId());
        m.put("object", "model");
        m.put("created", 0);
        m.put("owned_by", "lamina");
        return m;
    }

    private static ApiError notFound(String path) {
        return new ApiError(404, "invalid_request_error", null, "not_found", "no endpoint at " + path);
    }

    private static void requireMethod(Exchange x, String method) {
        if (!x.request.getMethod().equals(method)) {
            x.response.getHeaders().put(HttpHeader.ALLOW, method);
            throw new ApiError(405, "invalid_request_error", null, "method_not_allowed",
                    x.request.getMethod() + " is not allowed here; use " + method);
        }
    }

    /** Bearer key check in constant time (the comparison does not stop at the first wrong byte). */
    private void authenticate(Exchange x) {
        if (apiKey == null) {
            return;
        }
        String header = x.request.getHeaders().get(HttpHeader.AUTHORIZATION);
        byte[] given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? header.substring(7).strip().getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (!MessageDigest.isEqual(given, apiKey)) {
            throw new ApiError(401, "invalid_request_error", null, "invalid_api_key",
                    header == null ? "Missing API key: send 'Authorization: Bearer <key>'" : "Incorrect API key provided");
        }
    }

    private JsonNode body(Exchange x) throws InterruptedException {
        byte[] bytes = BodyReader.read(x.request, config.maxBodyBytes(), config.bodyTimeout().toNanos());
        x.bytesIn = bytes.length;
        try {
            JsonNode node = json.readTree(bytes);
            if (node == null || node.isMissingNode()) {
                throw ApiError.badRequest("the request body is empty; send a JSON object");
            }
            return node;
        } catch (JacksonException e) {
            throw ApiError.badRequest("the request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiError.badRequest("the request body could not be read: " + e.getMessage());
        }
    }

    // ---- generation ----------------------------------------------------------------------------------

    private void generate(Exchange x, GenerateRequest r) throws IOException, InterruptedException {
        Job job = scheduler.submit(r);
        String id = (r.chat() ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
        long created = System.currentTimeMillis() / 1000;
        try {
            if (r.stream()) {
                stream(x, r, job, id, created);
            } else {
                whole(x, r, job, id, created);
            }
        } finally {
            job.cancel(); // a no-op once finished; frees the slot if the client went away
        }
    }

    private void whole(Exchange x, GenerateRequest r, Job job, String id, long created) throws IOException, InterruptedException {
        StringBuilder text = new StringBuilder();
        List<TokenLogprob> logprobs = r.logprobs() ? new ArrayList<>() : null;
        while (true) {
            Job.Event e = job.next(KEEPALIVE_MILLIS);
            switch (e) {
                case null -> { }
                case Job.Piece p -> {
                    text.append(p.text());
                    if (logprobs != null && p.logprob() != null) {
                        logprobs.add(p.logprob());
                    }
                }
                case Job.Failed f -> throw f.error();
                case Job.Done d -> {
                    x.done = d;
                    checkEnded(d);
                    x.json(200, responses.complete(r, id, created, text.toString(), d, logprobs));
                    return;
                }
            }
        }
    }

    private void stream(Exchange x, GenerateRequest r, Job job, String id, long created) throws InterruptedException {
        x.status = 200;
        x.response.setStatus(200);
        x.response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        x.response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        StringBuilder held = new StringBuilder();
        try {
            if (r.chat()) {
                x.event(responses.chunk(r, id, created, null, true, null, null));
            }
            while (true) {
                Job.Event e = job.next(KEEPALIVE_MILLIS);
                switch (e) {
                    case null -> x.write(": keep-alive\n\n", false);
                    case Job.Piece p -> {
                        if (r.toolFormat() != null) {
                            held.append(p.text()); // sent split into content and calls at the end
                        } else if (!p.text().isEmpty() || p.logprob() != null) {
                            x.event(responses.chunk(r, id, created, p.text(), false, null,
                                    p.logprob() == null ? null : List.of(p.logprob())));
                        }
                    }
                    case Job.Failed f -> {
                        x.event(Responses.error(json, f.error()));
                        x.write("data: [DONE]\n\n", true);
                        x.callback.succeeded();
                        return;
                    }
                    case Job.Done d -> {
                        x.done = d;
                        try {
                            checkEnded(d);
                        } catch (ApiError err) {
                            x.event(Responses.error(json, err));
                            x.write("data: [DONE]\n\n", true);
                            x.callback.succeeded();
                            return;
                        }
                        if (r.toolFormat() != null) {
                            x.event(responses.toolReplyChunk(r, id, created, Responses.toolReply(r, held.toString()),
                                    d.finishReason()));
                        } else {
                            x.event(responses.chunk(r, id, created, r.chat() ? null : "", false, d.finishReason(), null));
                        }
                        if (r.includeUsage()) {
                            x.event(responses.usageChunk(r, id, created, d));
                        }
                        x.write("data: [DONE]\n\n", true);
                        x.callback.succeeded();
                        return;
                    }
                }
            }
        } catch (IOException e) {
            // The client went away: free its slot now (finally in generate) and drop the exchange.
            x.status = 499;
            x.failed = true;
            x.callback.failed(e);
        }
    }

    /** Ends that are errors for the client: a timeout (504) and a shutdown that cancelled the job (503). */
    private void checkEnded(Job.Done d) {
        if (d.finishReason().equals("timeout")) {
            throw new ApiError(504, "timeout", null, "request_timeout",
                    "the generation ran longer than the server's limit of " + config.requestTimeout().toSeconds() + " s");
        }
        if (d.finishReason().equals("cancelled")) {
            throw new ApiError(503, "server_error", null, "shutting_down", "the request was cancelled: the server is shutting down");
        }
    }

    /** One request and its answer, with what the access log reports. */
    final class Exchange {
        final Request request;
        final Response response;
        final Callback callback;
        final long startNanos = System.nanoTime();
        String endpoint = "other";
        int status = 0;
        long bytesIn;
        Job.Done done;
        boolean failed;
        private boolean committed;

        Exchange(Request request, Response response, Callback callback) {
            this.request = request;
            this.response = response;
            this.callback = callback;
        }

        void json(int code, JsonNode body) throws IOException {
            text(code, "application/json", json.writeValueAsString(body));
        }

        void text(int code, String contentType, String body) throws IOException {
            status = code;
            response.setStatus(code);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
            write(body, true);
            callback.succeeded();
        }

        void event(JsonNode body) throws IOException {
            write("data: " + json.writeValueAsString(body) + "\n\n", false);
        }

        void write(String s, boolean last) throws IOException {
            committed = true;
            try (Blocker.Callback cb = Blocker.callback()) {
                response.write(last, ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)), cb);
                cb.block();
            }
        }

        void error(ApiError e) {
            if (failed) {
                return;
            }
            status = e.status();
            if (committed) {
                // Headers are out (a stream): nothing sensible to add; end the exchange.
                failed = true;
                callback.failed(e);
                return;
            }
            try {
                if (e.status() == 503) {
                    response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
                }
                if (e.status() == 408 || e.status() == 413) {
                    // The rest of the body is not read: the connection cannot carry another request.
                    response.getHeaders().put(HttpHeader.CONNECTION, "close");
                }
                json(e.status(), Responses.error(json, e));
            } catch (IOException io) {
                failed = true;
                callback.failed(io);
            }
        }
    }
}
