// Written by bindings/generate.sh (not jextract): the SHA-256 of the lamina.h these bindings
// were generated from.
package dev.lamina.bindings;

public final class LaminaHeaderDigest {
    public static final String SHA256 = "800acbf65589969c757e3a72c68a3d3fcadd431ab744db6fb59ada884de51226";

    private LaminaHeaderDigest() {}
}
