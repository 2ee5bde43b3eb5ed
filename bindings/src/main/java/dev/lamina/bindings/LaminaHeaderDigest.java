// Written by bindings/generate.sh (not jextract): the SHA-256 of the lamina.h these bindings
// were generated from.
package dev.lamina.bindings;

public final class LaminaHeaderDigest {
    public static final String SHA256 = "8f206ff3eec4c9bb53ff85a9aeb83c33f38422843a54e730884b731aa6e544fe";

    private LaminaHeaderDigest() {}
}
