// Written by bindings/generate.sh (not jextract): the SHA-256 of the lamina.h these bindings
// were generated from.
package dev.lamina.bindings;

public final class LaminaHeaderDigest {
    public static final String SHA256 = "ea2680e1759a3b138cd697e4f25c19fd90776b40748cecbdc73669f18620738d";

    private LaminaHeaderDigest() {}
}
