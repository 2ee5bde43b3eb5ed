/**
 * Lamina: LLaMA-family inference for the JVM. Only {@code dev.lamina} (models, sessions,
 * generation) and {@code dev.lamina.template} (chat templates) are API; the bindings over the C
 * ABI, the native loader and the JSON reader are implementation and stay encapsulated.
 *
 * <p>The native library comes from a separate jar, {@code dev.lamina:lamina:<version>:<platform>}
 * (or {@code :all-platforms}); put it on the class path, or on the module path with
 * {@code --add-modules dev.lamina.natives.<platform>}. Run with
 * {@code --enable-native-access=dev.lamina}.
 */
module dev.lamina {
    exports dev.lamina;
    exports dev.lamina.template;
}
