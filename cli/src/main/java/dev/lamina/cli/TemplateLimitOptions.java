package dev.lamina.cli;

import dev.lamina.template.RenderOptions;
import dev.lamina.template.TemplateLimits;
import picocli.CommandLine.Option;

/**
 * The bounds on one chat-template render, shared by {@code template} and {@code chat} (a picocli
 * mixin): a template comes from the model file and may loop or grow values without end.
 */
final class TemplateLimitOptions {
    @Option(names = "--template-max-ops", paramLabel = "N",
            description = "Most statements, loop iterations, expressions and calls one template render may run"
                    + " (TemplateLimits.maxOperations, default: " + TemplateLimits.DEFAULT_MAX_OPERATIONS + ").")
    long maxOperations = TemplateLimits.DEFAULT_MAX_OPERATIONS;

    @Option(names = "--template-max-output", paramLabel = "CHARS",
            description = "Most characters a template render may output (TemplateLimits.maxOutputChars, default: "
                    + TemplateLimits.DEFAULT_MAX_OUTPUT_CHARS + ").")
    long maxOutputChars = TemplateLimits.DEFAULT_MAX_OUTPUT_CHARS;

    @Option(names = "--template-max-value", paramLabel = "N",
            description = "Most characters (or items) of any string (or list) a template builds"
                    + " (TemplateLimits.maxValueSize, default: " + TemplateLimits.DEFAULT_MAX_VALUE_SIZE + ").")
    long maxValueSize = TemplateLimits.DEFAULT_MAX_VALUE_SIZE;

    @Option(names = "--template-max-depth", paramLabel = "N",
            description = "Deepest nesting of macro calls in a template (TemplateLimits.maxDepth, default: "
                    + TemplateLimits.DEFAULT_MAX_DEPTH + ").")
    int maxDepth = TemplateLimits.DEFAULT_MAX_DEPTH;

    /** The limits as given; an invalid value is reported as a bad option. */
    TemplateLimits toLimits() {
        return new TemplateLimits(maxOperations, maxOutputChars, maxValueSize, maxDepth);
    }

    RenderOptions.Builder applyTo(RenderOptions.Builder options) {
        return options.limits(toLimits());
    }
}
