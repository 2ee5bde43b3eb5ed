package dev.lamina.cli;

import dev.lamina.KvType;
import dev.lamina.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Runs lamina_bench_native (the same benchmark through the C API) and reads its JSON rows. */
final class NativeBench {
    private NativeBench() {}

    @SuppressWarnings("unchecked")
    static List<BenchResult> run(Path exe, List<Path> models, List<Integer> threads, List<Integer> prompt,
                                 List<Integer> gen, List<Integer> depth, List<Integer> sequences, List<KvType> kvTypes,
                                 int repetitions,
                                 boolean noRepack)
            throws IOException, InterruptedException {
        if (!Files.isExecutable(exe)) {
            throw new IllegalArgumentException("--compare-native: " + exe + " is not an executable file "
                    + "(build it with: cmake --build BUILD_DIR --target lamina_bench_native)");
        }
        List<String> command = new ArrayList<>(List.of(exe.toString(),
                "-m", join(models), "-t", join(threads), "-p", join(prompt), "-n", join(gen),
                "-d", join(depth), "-s", join(sequences), "-r", Integer.toString(repetitions), "--json"));
        if (kvTypes != null && !kvTypes.isEmpty()) {
            command.addAll(List.of("-ctk", kvTypes.stream().map(KvType::nativeName).collect(Collectors.joining(","))));
        }
        if (noRepack) {
            command.add("--no-repack");
        }
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = process.waitFor();
        if (code != 0) {
            throw new IllegalStateException("--compare-native: " + String.join(" ", command) + " exited with " + code);
        }
        List<BenchResult> rows = new ArrayList<>();
        for (Object o : (List<Object>) Json.parse(stdout.strip())) {
            rows.add(BenchResult.fromJson((Map<String, Object>) o));
        }
        return rows;
    }

    private static String join(List<?> values) {
        return values.stream().map(Object::toString).collect(Collectors.joining(","));
    }
}
