package dev.lamina.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code -m FILE} option every command shares. */
final class ModelOption {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE",
            description = "The GGUF model file.")
    Path model;
}
