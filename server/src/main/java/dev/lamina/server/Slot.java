package dev.lamina.server;

import dev.lamina.Sequence;
import dev.lamina.SequenceSampler;
import dev.lamina.TokenStreamDecoder;
import java.util.Arrays;

/**
 * One of the scheduler's {@code --parallel} places: a sequence of the batch session, the tokens it
 * holds (kept after a request ends, for the prefix cache), and the request it runs now, if any.
 * Only the scheduler thread touches it.
 */
final class Slot {
    final int index;
    /** Null until first used, or after a failure closed it. */
    Sequence sequence;
    /** The sequence's tokens: [0, evaluated) are in the KV cache, [evaluated, total) are queued. */
    int[] tokens = new int[256];
    int evaluated;
    int total;
    /** Admission order of its last request; the least recently used free slot is taken first. */
    long lastUsed;

    Job job;
    SequenceSampler sampler;
    TokenStreamDecoder decoder;
    StopMatcher stop;
    /** Prompt tokens in the sequence (reused or queued) so far. */
    int fed;
    /** Prompt tokens that came from the prefix cache. */
    int reused;
    int generated;
    boolean firstToken;

    Slot(int index) {
        this.index = index;
    }

    boolean busy() {
        return job != null;
    }

    boolean prefilling() {
        return job != null && fed < job.request.prompt().length;
    }

    /** Queues tokens on the sequence and records them. */
    void queue(int[] ids, int from, int to) {
        int n = to - from;
        if (total + n > tokens.length) {
            tokens = Arrays.copyOf(tokens, Math.max(total + n, tokens.length * 2));
        }
        System.arraycopy(ids, from, tokens, total, n);
        total += n;
        if (n == 1) {
            sequence.append(ids[from]);
        } else {
            sequence.append(Arrays.copyOfRange(ids, from, to));
        }
    }

    void queue(int token) {
        if (total == tokens.length) {
            tokens = Arrays.copyOf(tokens, tokens.length * 2);
        }
        tokens[total++] = token;
        sequence.append(token);
    }

    /** How many leading tokens of {@code prompt} this slot's cache holds. */
    int commonPrefix(int[] prompt) {
        int n = Math.min(evaluated, prompt.length);
        int i = 0;
        while (i < n && tokens[i] == prompt[i]) {
            i++;
        }
        return i;
    }

    /** Keeps the first {@code keep} cached tokens, dropping the rest and anything queued. */
    void keep(int keep) {
        sequence.clearQueue();
        sequence.truncate(keep);
        evaluated = keep;
        total = keep;
    }

    /** Takes another slot's first {@code length} tokens (their cells are shared, not copied). */
    void forkFrom(Slot other, int length) {
        if (sequence != null) {
            sequence.close();
        }
        sequence = other.sequence.fork(length);
        if (tokens.length < length) {
            tokens = new int[Math.max(length, tokens.length * 2)];
        }
        System.arraycopy(other.tokens, 0, tokens, 0, length);
        evaluated = length;
        total = length;
    }
}
