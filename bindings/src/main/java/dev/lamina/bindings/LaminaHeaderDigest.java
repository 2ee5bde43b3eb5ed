// Written by bindings/generate.sh (not jextract): the SHA-256 of the lamina.h these bindings
// were generated from.
package dev.lamina.bindings;

public final class LaminaHeaderDigest {
    public static final String SHA256 = "bd990b63925133b4f227b77d421afc95d4d8ebbc4451e9ffa476dc3cf10414ac";

    private LaminaHeaderDigest() {}
}
