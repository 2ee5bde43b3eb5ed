package dev.lamina.cli;

import dev.lamina.BatchSession;
import dev.lamina.BatchSessionOptions;
import dev.lamina.KvType;
import dev.lamina.Model;
import dev.lamina.Sequence;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code lamina bench -s N}: the tg test with N sequences decoded together through
 * {@link BatchSession}, each step one native decode for all of them. Rates are aggregate: tokens of
 * all sequences per second.
 */
final class BatchBench {
    private final Model model;
    private final int sequences;
    private final int threads;
    private final KvType kvType;
    private final int repetitions;

    BatchBench(Model model, int sequences, int threads, KvType kvType, int repetitions) {
        this.model = model;
        this.sequences = sequences;
        this.threads = threads;
        this.kvType = kvType;
        this.repetitions = repetitions;
    }

    /**
     * tgN with N sequences: n steps of one token per sequence (each the greedy pick of its logits),
     * after each one's depth.
     */
    List<Double> generate(int[] filler, int depth, int first, int n) {
        return measure(filler, depth, depth + n + 1, seqs -> {
            BatchSession batch = seqs.get(0).batchSession();
            for (Sequence s : seqs) {
                s.append(first);
            }
            int tokens = 0;
            for (int i = 0; i < n; i++) {
                tokens += batch.step();
                if (i + 1 < n) {
                    for (Sequence s : seqs) {
                        s.append(s.argmax());
                    }
                }
            }
            return tokens;
        });
    }

    private interface Body {
        int run(List<Sequence> sequences);
    }

    /**
     * One warm-up run, then the repetitions, each on fresh sequences holding just the depth's filler
     * (evaluated untimed, all sequences in one step); aggregate tokens/s per repetition.
     */
    private List<Double> measure(int[] filler, int depth, int perSequence, Body body) {
        int cells = Math.max(sequences * perSequence, 16);
        BatchSessionOptions.Builder options = BatchSessionOptions.builder().maxSequences(sequences)
                .contextLength(cells).batchSize(cells).threads(threads);
        if (kvType != null) {
            options.kvType(kvType);
        }
        List<Double> samples = new ArrayList<>(repetitions);
        try (BatchSession batch = model.newBatchSession(options.build())) {
            for (int r = -1; r < repetitions; r++) {
                List<Sequence> seqs = new ArrayList<>(sequences);
                for (int i = 0; i < sequences; i++) {
                    seqs.add(batch.newSequence());
                }
                if (depth > 0) {
                    for (Sequence s : seqs) {
                        s.append(filler);
                    }
                    batch.step();
                }
                long start = System.nanoTime();
                int tokens = body.run(seqs);
                long elapsed = System.nanoTime() - start;
                if (r >= 0) {
                    samples.add(tokens / (elapsed / 1e9));
                }
                seqs.forEach(Sequence::close);
            }
        }
        return samples;
    }
}
