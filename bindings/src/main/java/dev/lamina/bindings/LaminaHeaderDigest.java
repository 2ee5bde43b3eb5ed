// Written by bindings/generate.sh (not jextract): the SHA-256 of the lamina.h these bindings
// were generated from.
package dev.lamina.bindings;

public final class LaminaHeaderDigest {
    public static final String SHA256 = "227858a8c5b57047cf6925878a76bc7613463e5a93a4f195c338ffb22ee550ad";

    private LaminaHeaderDigest() {}
}
