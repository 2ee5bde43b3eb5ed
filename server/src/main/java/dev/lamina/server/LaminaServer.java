package dev.lamina.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lamina.Model;
import dev.lamina.ModelOptions;
import dev.lamina.template.ChatTemplate;
import java.util.concurrent.Executors;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * {@code lamina serve}: one model, a continuous-batching {@link Scheduler}, an embedder, and a Jetty
 * server on virtual threads answering OpenAI's HTTP API. {@link #start} loads and binds;
 * {@link #shutdown} stops gracefully.
 */
public final class LaminaServer implements AutoCloseable {
    /** Used when the model file has no chat template (llama-server's fallback too). */
    static final String CHATML = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private final ServerConfig config;
    private final Model model;
    private final Scheduler scheduler;
    private final Embeddings embeddings;
    private final ApiHandler handler;
    private final Server jetty;
    private final ServerConnector connector;
    private final int contextLength;
    private boolean stopped;

    private LaminaServer(ServerConfig config, ChatTemplate template) throws Exception {
        this.config = config;
        this.model = Model.load(config.model(), ModelOptions.builder().build());
        try {
            int train = model.info().trainContextLength();
            this.contextLength = config.contextLength() > 0 ? config.contextLength()
                    : Math.min(train > 0 ? train : 4096, 4096);
            ObjectMapper json = new ObjectMapper();
            ChatTemplate t = template != null ? template : model.chatTemplate().orElseGet(() -> ChatTemplate.parse(CHATML));
            RequestParser parser = new RequestParser(model, t, config.modelId(), contextLength, json);
            Metrics metrics = new Metrics();
            this.scheduler = new Scheduler(model, config.parallel(), contextLength, config.batchTokens(), config.threads(),
                    config.kvType(), config.maxQueue(), config.requestTimeout(), metrics);
            this.embeddings = new Embeddings(model, contextLength, config.threads(), json);
            this.handler = new ApiHandler(config, json, parser, scheduler, embeddings,
                    new Responses(json, model.tokenizer(), config.modelId()), metrics,
                    new AccessLog(json, System.err, config.accessLog()));

            QueuedThreadPool pool = new QueuedThreadPool();
            pool.setName("lamina-http");
            pool.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
            this.jetty = new Server(pool);
            HttpConfiguration http = new HttpConfiguration();
            http.setSendServerVersion(false);
            http.setSendDateHeader(false);
            this.connector = new ServerConnector(jetty, new HttpConnectionFactory(http));
            connector.setHost(config.host());
            connector.setPort(config.port());
            // A silent connection closes after this; never before a request could have finished.
            connector.setIdleTimeout(config.requestTimeout().plus(config.bodyTimeout()).toMillis());
            jetty.addConnector(connector);
            // Graceful: on stop, new requests get 503 while in-flight ones finish (up to the grace).
            jetty.setHandler(new GracefulHandler(handler));
            jetty.setStopTimeout(Math.max(1, config.shutdownGrace().toMillis()));
            jetty.start();
        } catch (Exception | Error e) {
            closeQuietly();
            throw e;
        }
    }

    /** Loads the model and starts serving; {@code template} replaces the model's chat template if not null. */
    public static LaminaServer start(ServerConfig config, ChatTemplate template) throws Exception {
        // Jetty logs through SLF4J; without a provider SLF4J would print a warning at every start.
        if (System.getProperty("slf4j.internal.verbosity") == null) {
            System.setProperty("slf4j.internal.verbosity", "ERROR");
        }
        return new LaminaServer(config, template);
    }

    /** The bound port (the chosen one when the config asked for 0). */
    public int port() {
        return connector.getLocalPort();
    }

    /** The per-request context length in use. */
    public int contextLength() {
        return contextLength;
    }

    public ServerConfig config() {
        return config;
    }

    /**
     * Stops accepting requests (503), lets in-flight ones finish within the grace period, cancels
     * what is left, then frees the model. Idempotent.
     */
    public synchronized void shutdown() {
        if (stopped) {
            return;
        }
        stopped = true;
        handler.shuttingDown();
        scheduler.stopAccepting();
        Thread jettyStop = Thread.ofPlatform().name("lamina-http-stop").start(() -> {
            try {
                jetty.stop();
            } catch (Exception e) {
                System.err.println("lamina serve: stopping the HTTP server: " + e);
            }
        });
        long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
        while (scheduler.inFlight() > 0 && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        scheduler.close();
        try {
            jettyStop.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly();
    }

    @Override
    public void close() {
        shutdown();
    }

    private void closeQuietly() {
        if (scheduler != null) {
            scheduler.close();
        }
        try {
            if (jetty != null && !jetty.isStopped()) {
                jetty.stop();
            }
        } catch (Exception ignored) {
            // closing anyway
        }
        try {
            if (embeddings != null) {
                embeddings.close();
            }
        } catch (RuntimeException ignored) {
            // closing anyway
        }
        model.close();
    }
}
