package dev.lamina.server;

import java.util.List;

/**
 * Finds stop strings in text that arrives in pieces, holding back the tail that could still become
 * one, so a stream never shows part of a stop string. Not thread-safe (the scheduler's).
 */
final class StopMatcher {
    private final List<String> stops;
    private final StringBuilder pending = new StringBuilder();
    private boolean stopped;

    StopMatcher(List<String> stops) {
        this.stops = stops;
    }

    /** Adds a piece; returns the text that is safe to deliver now ("" while it may be a stop's start). */
    String offer(String piece) {
        if (stopped) {
            return "";
        }
        pending.append(piece);
        int cut = -1;
        for (String s : stops) {
            int i = pending.indexOf(s);
            if (i >= 0 && (cut < 0 || i < cut)) {
                cut = i;
            }
        }
        if (cut >= 0) {
            stopped = true;
            String out = pending.substring(0, cut);
            pending.setLength(0);
            return out;
        }
        int keep = 0;
        for (String s : stops) {
            keep = Math.max(keep, overlap(s));
        }
        String out = pending.substring(0, pending.length() - keep);
        pending.delete(0, pending.length() - keep);
        return out;
    }

    /** Whether a stop string was found (generation must end). */
    boolean stopped() {
        return stopped;
    }

    /** The held-back text, at the end of a generation that did not stop on a stop string. */
    String flush() {
        String out = pending.toString();
        pending.setLength(0);
        return out;
    }

    /** The longest suffix of the pending text that is a proper prefix of {@code stop}. */
    private int overlap(String stop) {
        int max = Math.min(stop.length() - 1, pending.length());
        for (int n = max; n > 0; n--) {
            if (pending.toString().regionMatches(pending.length() - n, stop, 0, n)) {
                return n;
            }
        }
        return 0;
    }
}
