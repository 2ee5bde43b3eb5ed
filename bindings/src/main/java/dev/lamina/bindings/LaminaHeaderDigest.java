// Written by bindings/generate.sh (not jextract): the SHA-256 of the lamina.h these bindings
// were generated from.
package dev.lamina.bindings;

public final class LaminaHeaderDigest {
    public static final String SHA256 = "836de43334e0f92e3627ea8467d32e833bf91ece5bf5db630a2675b117156ae8";

    private LaminaHeaderDigest() {}
}
