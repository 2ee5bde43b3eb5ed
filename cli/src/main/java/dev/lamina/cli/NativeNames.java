package dev.lamina.cli;

import dev.lamina.ModelWriter;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;

/**
 * The names the native library accepts, as picocli completion candidates so that --help lists
 * them ("${COMPLETION-CANDIDATES}"). Read lazily, when help is rendered.
 */
final class NativeNames {
    private NativeNames() {}

    /** The file types of lm_file_type_names. */
    static final class FileTypes implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return read(ModelWriter::fileTypeNames).iterator();
        }
    }

    /** The model shapes of lm_model_shape_names. */
    static final class Shapes implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return read(ModelWriter::shapeNames).iterator();
        }
    }

    private static List<String> read(Supplier<List<String>> names) {
        try {
            return names.get();
        } catch (RuntimeException | LinkageError e) {
            // Help must still render when the native library cannot load.
            return List.of("(unavailable: " + LaminaCommand.oneLine(e) + ")");
        }
    }
}
