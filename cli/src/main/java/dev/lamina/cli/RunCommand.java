package dev.lamina.cli;

import dev.lamina.GeneratedToken;
import dev.lamina.Generation;
import dev.lamina.GenerationOptions;
import dev.lamina.GenerationResult;
import dev.lamina.Model;
import dev.lamina.ModelOptions;
import dev.lamina.Session;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code lamina run}: generates text after a prompt and streams it to stdout. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false, defaultValueProvider = SamplerDefaults.class,
        description = {"Generates text after a prompt, streaming it to stdout as it is produced.",
                "A one-line timing summary (load time, time to first token, prompt and generation tokens/s) goes to stderr."},
        footer = {"", "Examples:",
                "  lamina run -m model.gguf -p 'Once upon a time' -n 64",
                "  lamina run -m model.gguf -p 'Once upon a time' --temp 0      (greedy)"})
final class RunCommand implements Callable<Integer> {
    @Mixin
    ModelOption model;

    @Option(names = {"-p", "--prompt"}, required = true, paramLabel = "TEXT",
            description = "The prompt. Special-token texts (e.g. <|eot_id|>) become their tokens.")
    String prompt;

    @Mixin
    SamplingOptions sampling;

    @Option(names = {"-n", "--max-tokens"}, defaultValue = "64", paramLabel = "N",
            description = "Most tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Mixin
    SessionSizeOptions sessionSize;

    @Option(names = "--verify-sha256", paramLabel = "HEX",
            description = "Load only if the file's SHA-256 is HEX (64 hex digits); a mismatch exits with status 1.")
    String verifySha256;

    @Option(names = "--no-bos",
            description = "Do not put a BOS token before the prompt (by default it is added when the model asks for it).")
    boolean noBos;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        GenerationOptions options = sampling.toGenerationOptions(maxTokens);
        ModelOptions modelOptions = model.loadOptions().expectedSha256(verifySha256).build();
        long start = System.nanoTime();
        try (Model m = Model.load(model.model, modelOptions);
             Session session = m.newSession(sessionSize.toSessionOptions())) {
            long loaded = System.nanoTime();
            long firstToken = 0;
            int[] tokens = m.tokenizer().encode(prompt, m.info().addBos() && !noBos, true);
            GenerationResult result;
            try (Generation generation = session.generate(tokens, options)) {
                for (GeneratedToken t : generation) {
                    if (firstToken == 0) {
                        firstToken = System.nanoTime();
                    }
                    out.print(t.text());
                    out.flush();
                }
                result = generation.result();
            }
            out.println();
            out.flush();
            // Time to first token counts from before the load: what a user waits for.
            String first = firstToken == 0 ? "no token" : String.format(Locale.ROOT, "first token after %.0f ms",
                    (firstToken - start) / 1e6);
            err.println(String.format(Locale.ROOT,
                    "load: %.0f ms | %s | prompt: %d tokens, %.1f t/s | generated: %d tokens, %.1f t/s | finish: %s | seed: %d",
                    (loaded - start) / 1e6, first, result.promptTokens(), result.promptTokensPerSecond(),
                    result.generatedTokens(), result.generationTokensPerSecond(), result.finishReason(), sampling.seed()));
            err.flush();
        }
        return 0;
    }
}
