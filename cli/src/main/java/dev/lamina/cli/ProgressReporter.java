package dev.lamina.cli;

import dev.lamina.ProgressListener;
import java.io.Console;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Shows the progress of a long operation on stderr: a redrawn bar when the console is a terminal,
 * otherwise a line every 25% (so logs of scripted runs stay short).
 */
final class ProgressReporter implements ProgressListener {
    private static final int BAR_WIDTH = 40;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter err;
    private final String label;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private long lastDraw;
    private int lastQuarter = -1;
    private boolean drawn;

    ProgressReporter(PrintWriter err, String label) {
        this(err, label, isTerminal());
    }

    ProgressReporter(PrintWriter err, String label, boolean terminal) {
        this.err = err;
        this.label = label;
        this.terminal = terminal;
    }

    static boolean isTerminal() {
        Console console = System.console();
        return console != null && console.isTerminal();
    }

    @Override
    public boolean onProgress(long done, long total) {
        double fraction = total <= 0 ? 1.0 : Math.min(1.0, (double) done / total);
        if (terminal) {
            long now = System.nanoTime();
            if (done >= total || now - lastDraw >= REDRAW_NANOS) {
                lastDraw = now;
                int filled = (int) Math.round(fraction * BAR_WIDTH);
                err.printf(Locale.ROOT, "\r%s [%s%s] %3.0f%% %5.1fs", label, "#".repeat(filled),
                        " ".repeat(BAR_WIDTH - filled), fraction * 100, seconds());
                err.flush();
                drawn = true;
            }
        } else {
            int quarter = (int) (fraction * 4);
            if (quarter > lastQuarter && quarter > 0) {
                lastQuarter = quarter;
                err.printf(Locale.ROOT, "%s: %d%% (%.1fs)%n", label, quarter * 25, seconds());
                err.flush();
            }
        }
        return true;
    }

    /** Ends the bar's line (call after the operation, whether it succeeded or not). */
    void finish() {
        if (drawn) {
            err.println();
            err.flush();
        }
    }

    double seconds() {
        return (System.nanoTime() - start) / 1e9;
    }
}
