package dev.lamina.cli;

import dev.lamina.json.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Prints benchmark rows as llama-bench does: a Markdown table, or JSON. */
final class BenchReport {
    private BenchReport() {}

    /** withKvType: a type_k column, which llama-bench too prints only when -ctk was given. */
    static void table(PrintWriter out, List<BenchResult> rows, boolean withLoop, boolean withKvType) {
        List<String[]> cells = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("model", "size", "params", "backend", "threads"));
        if (withKvType) {
            header.add("type_k");
        }
        if (withLoop) {
            header.add("loop");
        }
        header.addAll(List.of("test", "t/s"));
        cells.add(header.toArray(String[]::new));
        for (BenchResult r : rows) {
            List<String> c = new ArrayList<>(List.of(r.modelType(), size(r.sizeBytes()), params(r.params()),
                    "CPU (" + r.cpuVariant() + ")", Integer.toString(r.threads())));
            if (withKvType) {
                c.add(r.kvType());
            }
            if (withLoop) {
                c.add(r.loop());
            }
            c.add(r.test());
            c.add(String.format(Locale.ROOT, "%.2f ± %.2f", r.mean(), r.stddev()));
            cells.add(c.toArray(String[]::new));
        }
        int[] width = new int[header.size()];
        for (String[] row : cells) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        // Text columns left-aligned, numbers right-aligned (as llama-bench).
        boolean[] right = new boolean[header.size()];
        for (int i = 0; i < header.size(); i++) {
            String h = header.get(i);
            right[i] = h.equals("size") || h.equals("params") || h.equals("threads") || h.equals("test") || h.equals("t/s");
        }
        printRow(out, cells.get(0), width, right);
        StringBuilder rule = new StringBuilder("|");
        for (int i = 0; i < width.length; i++) {
            rule.append(right[i] ? " " + "-".repeat(width[i] - 1) + ": |" : " " + "-".repeat(width[i]) + " |");
        }
        out.println(rule);
        for (int i = 1; i < cells.size(); i++) {
            printRow(out, cells.get(i), width, right);
        }
    }

    private static void printRow(PrintWriter out, String[] row, int[] width, boolean[] right) {
        StringBuilder sb = new StringBuilder("|");
        for (int i = 0; i < row.length; i++) {
            String fmt = right[i] ? "%" + width[i] + "s" : "%-" + width[i] + "s";
            sb.append(' ').append(String.format(Locale.ROOT, fmt, row[i])).append(" |");
        }
        out.println(sb);
    }

    static void json(PrintWriter out, List<BenchResult> rows) {
        List<Map<String, Object>> list = rows.stream().map(BenchResult::toJson).toList();
        out.println(Json.write(list));
    }

    static String size(long bytes) {
        double mib = bytes / (1024.0 * 1024.0);
        return mib >= 1024 ? String.format(Locale.ROOT, "%.2f GiB", mib / 1024) : String.format(Locale.ROOT, "%.2f MiB", mib);
    }

    static String params(long n) {
        if (n >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.2f B", n / 1e9);
        }
        if (n >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.2f M", n / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f K", n / 1e3);
    }

    /** llama.cpp's general.file_type numbering (LLAMA_FTYPE_*) → name, for the model column. */
    static String fileTypeName(int fileType) {
        return switch (fileType) {
            case 0 -> "F32";
            case 1 -> "F16";
            case 2 -> "Q4_0";
            case 3 -> "Q4_1";
            case 7 -> "Q8_0";
            case 8 -> "Q5_0";
            case 9 -> "Q5_1";
            case 10 -> "Q2_K";
            case 11 -> "Q3_K_S";
            case 12 -> "Q3_K_M";
            case 13 -> "Q3_K_L";
            case 14 -> "Q4_K_S";
            case 15 -> "Q4_K_M";
            case 16 -> "Q5_K_S";
            case 17 -> "Q5_K_M";
            case 18 -> "Q6_K";
            case 32 -> "BF16";
            case -1 -> "?";
            default -> "ftype " + fileType;
        };
    }
}
