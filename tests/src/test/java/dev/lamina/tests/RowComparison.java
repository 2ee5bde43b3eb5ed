package dev.lamina.tests;

/** Relative error and cosine similarity of logit rows (the tolerances of ../shared/README.md). */
record RowComparison(double relativeError, double cosine) {
    /** Quantized weights: relative error ≤ 5e-2 and cosine ≥ 0.999 per row. */
    static final double QUANT_RELATIVE_ERROR = 5e-2;
    static final double QUANT_COSINE = 0.999;

    static RowComparison of(float[] ours, float[] reference) {
        double dot = 0;
        double a = 0;
        double b = 0;
        for (int i = 0; i < reference.length; i++) {
            dot += (double) ours[i] * reference[i];
            a += (double) ours[i] * ours[i];
            b += (double) reference[i] * reference[i];
        }
        double cosine = dot / Math.sqrt(a * b);
        return new RowComparison(TestData.relativeError(ours, reference), Double.isNaN(cosine) ? -1 : cosine);
    }

    /** The worst error and the worst cosine over all rows. */
    static RowComparison worst(float[][] ours, float[][] reference) {
        double error = 0;
        double cosine = 1;
        for (int r = 0; r < reference.length; r++) {
            RowComparison c = of(ours[r], reference[r]);
            error = Math.max(error, c.relativeError);
            cosine = Math.min(cosine, c.cosine);
        }
        return new RowComparison(error, cosine);
    }

    boolean withinQuantTolerance() {
        return relativeError <= QUANT_RELATIVE_ERROR && cosine >= QUANT_COSINE;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "relative error %.3e, cosine %.6f", relativeError, cosine);
    }
}
