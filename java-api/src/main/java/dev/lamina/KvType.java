package dev.lamina;

import static dev.lamina.bindings.lamina_h.lm_kv_type_names;

import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The type a {@link Session}'s KV cache stores keys and values in. {@link #F16} is llama.cpp's
 * default and the library's; {@link #Q8_0} takes 0.53x its memory (34 bytes per 32 values) and
 * needs a head dimension that is a multiple of 32; {@link #F32} is the exact reference at twice
 * F16's memory.
 */
public enum KvType {
    F16,
    Q8_0,
    F32;

    /** The name lm_session_params.kv_type takes ("f16", "q8_0", "f32"). */
    public String nativeName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type of a native name, ignoring case. */
    public static KvType fromName(String name) {
        for (KvType t : values()) {
            if (t.nativeName().equalsIgnoreCase(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown KV cache type '" + name + "' (known: "
                + String.join(", ", Arrays.stream(values()).map(KvType::nativeName).toList()) + ")");
    }

    /** The names the native library accepts, its default first (lm_kv_type_names). */
    public static List<String> nativeNames() {
        Native.ensureLoaded();
        try (Arena call = Arena.ofConfined()) {
            String names = Native.twoCallString(call, (buf, cap, len) -> lm_kv_type_names(buf, cap, len), null);
            return Arrays.stream(names.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        }
    }
}
