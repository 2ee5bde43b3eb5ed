package dev.lamina.cli;

import dev.lamina.SessionOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Threads, context length and KV cache type of a generating session, shared by {@code run} and {@code chat} (a picocli mixin). */
final class SessionSizeOptions {
    @Option(names = {"-t", "--threads"}, defaultValue = "0", paramLabel = "N",
            description = "Worker threads; 0 = all online CPUs (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = {"-c", "--ctx"}, defaultValue = "0", paramLabel = "N",
            description = "Context length in tokens; 0 = the model's training context, at most 4096 (default: ${DEFAULT-VALUE}).")
    int contextLength;

    @Mixin
    KvTypeOption kvType;

    SessionOptions toSessionOptions() {
        return kvType.applyTo(SessionOptions.builder().contextLength(contextLength).threads(threads)).build();
    }
}
