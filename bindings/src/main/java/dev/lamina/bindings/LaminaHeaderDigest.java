// Written by bindings/generate.sh (not jextract): the SHA-256 of the lamina.h these bindings
// were generated from.
package dev.lamina.bindings;

public final class LaminaHeaderDigest {
    public static final String SHA256 = "056f0fb875823b549148fa13e3aaeca510239f6377cc9876d0bd06b40bed7f7a";

    private LaminaHeaderDigest() {}
}
