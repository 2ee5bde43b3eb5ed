package dev.lamina.cli;

import dev.lamina.KvType;
import dev.lamina.SessionOptions;
import java.util.Iterator;
import picocli.CommandLine.Option;

/** The KV cache type of a session, shared by {@code run}, {@code chat} and {@code logits} (a picocli mixin). */
final class KvTypeOption {
    @Option(names = "--kv-type", paramLabel = "TYPE", converter = Converter.class, completionCandidates = Names.class,
            description = "KV cache type: ${COMPLETION-CANDIDATES} (default: the library's, the first listed).")
    KvType kvType;

    SessionOptions.Builder applyTo(SessionOptions.Builder builder) {
        return kvType == null ? builder : builder.kvType(kvType);
    }

    static final class Converter implements picocli.CommandLine.ITypeConverter<KvType> {
        @Override
        public KvType convert(String value) {
            return KvType.fromName(value);
        }
    }

    /** The names of lm_kv_type_names, read when help is rendered. */
    static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            try {
                return KvType.nativeNames().iterator();
            } catch (RuntimeException | LinkageError e) {
                return java.util.List.of("(unavailable: " + LaminaCommand.oneLine(e) + ")").iterator();
            }
        }
    }
}
