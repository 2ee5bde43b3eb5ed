package dev.lamina.server;

import dev.lamina.BatchSession;
import dev.lamina.BatchSessionOptions;
import dev.lamina.CancelledException;
import dev.lamina.KvType;
import dev.lamina.Model;
import dev.lamina.SequenceSampler;
import dev.lamina.Tokenizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Continuous batching: one thread steps every active request together on one {@link BatchSession}.
 * Each step evaluates one token for every generating slot plus chunks of pending prompts, up to
 * {@code batchTokens} in one forward pass; requests join and leave between steps. A cancelled
 * request (client gone) leaves its slot before the next step, and stops a step that is evaluating
 * its prompt at once. A new request starts from the longest prefix of its prompt that any slot's
 * cache holds (its own slot's by truncation, another's by forking the shared cells).
 */
final class Scheduler implements AutoCloseable {
    private final Model model;
    private final Tokenizer tokenizer;
    private final BatchSession batch;
    private final int contextLength;
    private final int batchTokens;
    private final int capacity;
    private final long timeoutNanos;
    private final Metrics metrics;
    private final Slot[] slots;
    private final LinkedBlockingDeque<Job> queue = new LinkedBlockingDeque<>();
    /** Jobs accepted and not finished (queued + running). */
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger active = new AtomicInteger();
    private final Thread thread;
    private volatile boolean accepting = true;
    private volatile boolean closed;
    private long admissions;

    /**
     * @param contextLength tokens per request; the cache holds {@code parallel} times as many
     * @param maxQueue      jobs that may wait for a slot beyond the {@code parallel} running
     */
    Scheduler(Model model, int parallel, int contextLength, int batchTokens, int threads, KvType kvType,
              int maxQueue, Duration requestTimeout, Metrics metrics) {
        this.model = model;
        this.tokenizer = model.tokenizer();
        this.contextLength = contextLength;
        this.batchTokens = batchTokens;
        this.capacity = parallel + maxQueue;
        this.timeoutNanos = requestTimeout.toNanos();
        this.metrics = metrics;
        BatchSessionOptions.Builder options = BatchSessionOptions.builder().maxSequences(parallel)
                .contextLength(contextLength * parallel).batchSize(batchTokens).threads(threads);
        if (kvType != null) {
            options.kvType(kvType);
        }
        this.batch = model.newBatchSession(options.build());
        this.slots = new Slot[parallel];
        for (int i = 0; i < parallel; i++) {
            slots[i] = new Slot(i);
        }
        metrics.gauges(queue::size, active::get);
        this.thread = Thread.ofPlatform().name("lamina-scheduler").daemon(true).unstarted(this::loop);
        thread.start();
    }

    /**
     * Queues a request.
     *
     * @throws ApiError 503 when the queue is full or the server is shutting down
     */
    Job submit(GenerateRequest request) {
        if (!accepting) {
            throw new ApiError(503, "server_error", null, "shutting_down", "The server is shutting down");
        }
        if (inFlight.incrementAndGet() > capacity) {
            inFlight.decrementAndGet();
            throw new ApiError(503, "server_error", null, "queue_full",
                    "The server is busy: " + slots.length + " requests are running and the queue is full; retry later");
        }
        Job job = new Job(request, timeoutNanos);
        queue.add(job);
        return job;
    }

    /** Requests accepted and not finished. */
    int inFlight() {
        return inFlight.get();
    }

    /** Refuses new requests from now on (503); running and queued ones go on. */
    void stopAccepting() {
        accepting = false;
    }

    /** Cancels everything, stops the thread and frees the batch session. Idempotent. */
    @Override
    public void close() {
        accepting = false;
        closed = true;
        batch.cancel();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        batch.close();
    }

    // ---- the scheduler thread ----------------------------------------------------------------------

    private void loop() {
        List<Slot> stepping = new ArrayList<>(slots.length);
        try {
            while (!closed) {
                admit();
                reap();
                if (active.get() == 0) {
                    Job next = queue.pollFirst(50, TimeUnit.MILLISECONDS);
                    if (next != null) {
                        queue.addFirst(next);
                    }
                    continue;
                }
                stepping.clear();
                fill(stepping);
                if (stepping.isEmpty()) {
                    continue;
                }
                try {
                    batch.step();
                } catch (CancelledException e) {
                    continue; // a job was cancelled mid-step (or shutdown): reap() runs next
                } catch (RuntimeException e) {
                    failAll(stepping, e);
                    continue;
                } finally {
                    for (Slot s : stepping) {
                        s.job.onCancel(null);
                    }
                }
                for (Slot s : stepping) {
                    s.evaluated = s.total;
                    if (!s.prefilling()) {
                        produce(s);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            System.err.println("lamina serve: the scheduler stopped: " + e);
            e.printStackTrace();
        } finally {
            for (Slot s : slots) {
                if (s.busy()) {
                    finish(s, "cancelled");
                }
            }
            Job j;
            while ((j = queue.poll()) != null) {
                j.emit(new Job.Done("cancelled", j.request.prompt().length, 0, 0));
                inFlight.decrementAndGet();
            }
        }
    }

    /** Moves queued jobs into free slots, reusing the longest cached prefix of each prompt. */
    private void admit() {
        while (!queue.isEmpty()) {
            Slot free = null;
            for (Slot s : slots) {
                if (!s.busy() && (free == null || s.lastUsed < free.lastUsed)) {
                    free = s;
                }
            }
            if (free == null) {
                return;
            }
            Job job = queue.poll();
            if (job == null) {
                return;
            }
            if (job.isCancelled()) {
                job.emit(new Job.Done("cancelled", job.request.prompt().length, 0, 0));
                inFlight.decrementAndGet();
                continue;
            }
            start(pick(free, job.request.prompt()), job);
        }
    }

    /** The free slot to use: the one whose own cache shares most with the prompt, else {@code lru}. */
    private Slot pick(Slot lru, int[] prompt) {
        Slot best = lru;
        int bestLength = lru.sequence == null ? 0 : lru.commonPrefix(prompt);
        for (Slot s : slots) {
            if (!s.busy() && s.sequence != null) {
                int n = s.commonPrefix(prompt);
                if (n > bestLength) {
                    best = s;
                    bestLength = n;
                }
            }
        }
        return best;
    }

    private void start(Slot slot, Job job) {
        int[] prompt = job.request.prompt();
        int own = slot.sequence == null ? 0 : slot.commonPrefix(prompt);
        Slot donor = null;
        int donated = own;
        for (Slot s : slots) {
            if (s != slot && s.sequence != null) {
                int n = s.commonPrefix(prompt);
                if (n > donated) {
                    donor = s;
                    donated = n;
                }
            }
        }
        // The prompt's last token is always evaluated: its logits give the first answer token.
        int reuse = Math.min(donated, prompt.length - 1);
        try {
            if (slot.sequence == null) {
                slot.sequence = batch.newSequence();
                slot.evaluated = slot.total = 0;
            }
            if (donor != null && reuse > own) {
                slot.forkFrom(donor, reuse);
            } else {
                slot.keep(Math.min(own, reuse));
            }
            slot.job = job;
            slot.sampler = new SequenceSampler(model, job.request.sampling(), prompt);
        } catch (RuntimeException e) {
            slot.job = null;
            resetSequence(slot);
            job.emit(new Job.Failed(new ApiError(500, "server_error", null, null,
                    "could not start the generation: " + e.getMessage())));
            inFlight.decrementAndGet();
            return;
        }
        // Tool-call markers can be control tokens: a tools answer keeps them for the parser.
        slot.decoder = tokenizer.streamDecoder(job.request.toolFormat() != null);
        slot.stop = new StopMatcher(job.request.stop());
        slot.fed = slot.evaluated;
        slot.reused = slot.evaluated;
        slot.generated = 0;
        slot.firstToken = true;
        slot.lastUsed = ++admissions;
        active.incrementAndGet();
    }

    /** Ends cancelled and timed-out jobs before the next step. */
    private void reap() {
        long now = System.nanoTime();
        for (Slot s : slots) {
            if (!s.busy()) {
                continue;
            }
            if (s.job.isCancelled() || closed) {
                finish(s, "cancelled");
            } else if (now - s.job.deadlineNanos >= 0) {
                finish(s, "timeout");
            }
        }
    }

    /** Queues this step's tokens: the sampled token of each generating slot, then prompt chunks. */
    private void fill(List<Slot> stepping) {
        int budget = batchTokens;
        for (Slot s : slots) {
            if (s.busy() && s.sequence.queued() > 0) {
                budget -= s.sequence.queued(); // a generated token, or a chunk a cancelled step left queued
                stepping.add(s);
            }
        }
        for (Slot s : slots) {
            if (budget <= 0) {
                break;
            }
            if (s.prefilling() && s.sequence.queued() == 0) {
                int[] prompt = s.job.request.prompt();
                int n = Math.min(budget, prompt.length - s.fed);
                s.queue(prompt, s.fed, s.fed + n);
                s.fed += n;
                budget -= n;
                stepping.add(s);
            }
        }
        for (Slot s : stepping) {
            if (s.sequence.queued() > 1) {
                s.job.onCancel(batch::cancel); // a long prompt chunk: stop the whole step at once
            }
        }
    }

    /** Samples the next token of a slot whose prompt is evaluated, and delivers it. */
    private void produce(Slot s) {
        Job job = s.job;
        GenerateRequest r = job.request;
        if (s.firstToken) {
            s.firstToken = false;
            metrics.timeToFirstToken(System.nanoTime() - job.createdNanos);
            metrics.prompt(r.prompt().length, s.reused);
        }
        int token = s.sampler.sample(s.sequence);
        TokenLogprob logprob = r.logprobs() ? TokenLogprob.of(s.sequence.logitsSegment(), token, r.topLogprobs()) : null;
        if (tokenizer.isEndOfGeneration(token)) {
            finish(s, "stop");
            return;
        }
        s.generated++;
        metrics.generated(1);
        String text = s.stop.offer(s.decoder.decode(token));
        job.emit(new Job.Piece(text, logprob));
        if (s.stop.stopped()) {
            finish(s, "stop");
        } else if (s.generated >= r.maxTokens() || s.total + 1 > contextLength) {
            finish(s, "length");
        } else {
            s.queue(token);
        }
    }

    /** Delivers the held-back text and the end, frees the slot (its cache stays for later prompts). */
    private void finish(Slot s, String reason) {
        Job job = s.job;
        if (!reason.equals("cancelled") && !reason.equals("timeout") && !s.stop.stopped()) {
            String rest = s.stop.offer(s.decoder.finish());
            rest += s.stop.stopped() ? "" : s.stop.flush();
            if (!rest.isEmpty()) {
                job.emit(new Job.Piece(rest, null));
            }
        }
        job.emit(new Job.Done(reason, job.request.prompt().length, s.generated, s.reused));
        release(s);
    }

    private void failAll(List<Slot> stepping, RuntimeException e) {
        ApiError error = new ApiError(500, "server_error", null, null, "the evaluation failed: " + e.getMessage());
        for (Slot s : stepping) {
            if (s.busy()) {
                s.job.emit(new Job.Failed(error));
                release(s);
                resetSequence(s);
            }
        }
    }

    private void release(Slot s) {
        if (s.sampler != null) {
            s.sampler.close();
            s.sampler = null;
        }
        if (s.sequence != null && !s.sequence.isClosed()) {
            s.sequence.clearQueue();
        }
        s.total = s.evaluated;
        s.job = null;
        active.decrementAndGet();
        inFlight.decrementAndGet();
    }

    private static void resetSequence(Slot s) {
        if (s.sequence != null) {
            try {
                s.sequence.close();
            } catch (RuntimeException ignored) {
                // the batch session is closing
            }
            s.sequence = null;
        }
        s.evaluated = s.total = 0;
        Arrays.fill(s.tokens, 0);
    }
}
