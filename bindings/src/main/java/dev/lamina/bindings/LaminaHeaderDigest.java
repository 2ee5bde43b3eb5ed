// Written by bindings/generate.sh (not jextract): the SHA-256 of the lamina.h these bindings
// were generated from.
package dev.lamina.bindings;

public final class LaminaHeaderDigest {
    public static final String SHA256 = "d645578eb602a971e8f69b7738997e2f72a899c2ab7a50688d3be819695679d2";

    private LaminaHeaderDigest() {}
}
