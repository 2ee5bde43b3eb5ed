package dev.lamina.cli;

import dev.lamina.Embedder;
import dev.lamina.EmbedderOptions;
import dev.lamina.Model;
import dev.lamina.Pooling;
import dev.lamina.SessionOptions;
import dev.lamina.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code lamina embed}: one embedding vector per text. */
@Command(name = "embed", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Prints one embedding per text: the model's last hidden states after the final",
                "norm, pooled per text. Texts come from -p (repeatable) or, without -p, one per line",
                "of standard input; they are embedded together, --batch texts per native batch."},
        footer = {"", "Examples:",
                "  lamina embed -m model.gguf -p 'first text' -p 'second text' --normalize",
                "  lamina embed -m model.gguf --pooling mean --json < documents.txt"})
final class EmbedCommand implements Callable<Integer> {
    @Mixin
    ModelOption model;

    @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT", description = "A text to embed; repeatable.")
    List<String> prompts = new ArrayList<>();

    @Option(names = "--pooling", paramLabel = "HOW", defaultValue = "model",
            description = "mean, cls, last, or model: the file's pooling_type, last for decoders (default: ${DEFAULT-VALUE}).")
    String pooling;

    @Option(names = "--normalize", description = "Scale each vector to unit length (L2).")
    boolean normalize;

    @Option(names = "--json", description = "Print a JSON array of {index, text, embedding} instead of one line of numbers per text.")
    boolean json;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "16",
            description = "Texts per native batch, 1..64 (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = {"-c", "--ctx-size"}, paramLabel = "N", defaultValue = "0",
            description = "Context length: a text may have this many tokens (default: the model's, at most 4096).")
    int contextLength;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", defaultValue = "0",
            description = "Threads (default: all CPUs).")
    int threads;

    @Spec
    CommandSpec spec;

    /** Standard input; tests replace it. */
    InputStream stdin = System.in;

    @Override
    public Integer call() throws IOException {
        Pooling how = switch (pooling.toLowerCase(Locale.ROOT)) {
            case "mean" -> Pooling.MEAN;
            case "cls" -> Pooling.CLS;
            case "last" -> Pooling.LAST;
            case "model" -> Pooling.MODEL;
            default -> throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--pooling '" + pooling + "' is not mean, cls, last or model");
        };
        if (batch < 1 || batch > 64) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--batch must be 1..64, was " + batch);
        }
        List<String> texts = new ArrayList<>(prompts);
        if (texts.isEmpty()) {
            BufferedReader in = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.isEmpty()) texts.add(line);
            }
        }
        if (texts.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "no text to embed: give -p TEXT or lines on standard input");
        }
        SessionOptions session = SessionOptions.builder().contextLength(contextLength).threads(threads).build();
        EmbedderOptions options = EmbedderOptions.builder().pooling(how).normalize(normalize).textsPerBatch(batch)
                .session(session).build();
        PrintWriter out = spec.commandLine().getOut();
        try (Model m = Model.load(model.model, model.loadOptions().build());
             Embedder embedder = m.newEmbedder(options)) {
            long start = System.nanoTime();
            List<float[]> vectors = embedder.embed(texts);
            double seconds = (System.nanoTime() - start) / 1e9;
            if (json) {
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < texts.size(); i++) {
                    Map<String, Object> item = new LinkedHashMap<>();
                    item.put("index", (long) i);
                    item.put("text", texts.get(i));
                    List<Object> values = new ArrayList<>();
                    for (float v : vectors.get(i)) values.add((double) v);
                    item.put("embedding", values);
                    items.add(item);
                }
                out.println(Json.write(items));
            } else {
                for (float[] v : vectors) {
                    StringBuilder line = new StringBuilder();
                    for (int d = 0; d < v.length; d++) line.append(d == 0 ? "" : " ").append(v[d]);
                    out.println(line);
                }
            }
            out.flush();
            spec.commandLine().getErr().printf(Locale.ROOT, "embedded %d texts (%d dimensions) in %.3f s: %.1f texts/s%n",
                    texts.size(), embedder.dimension(), seconds, texts.size() / seconds);
        }
        return 0;
    }
}
