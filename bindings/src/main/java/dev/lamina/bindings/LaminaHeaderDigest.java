// Written by bindings/generate.sh (not jextract): the SHA-256 of the lamina.h these bindings
// were generated from.
package dev.lamina.bindings;

public final class LaminaHeaderDigest {
    public static final String SHA256 = "3b12af98fa482073d3f309f1e5a8e2da9bb79b08579d61953a47b52d80d7b13f";

    private LaminaHeaderDigest() {}
}
