// Written by bindings/generate.sh (not jextract): the SHA-256 of the lamina.h these bindings
// were generated from.
package dev.lamina.bindings;

public final class LaminaHeaderDigest {
    public static final String SHA256 = "c2bbd2d35898150c2c97105367cd945d657e0ab10f42d5846435a1078bdbcafb";

    private LaminaHeaderDigest() {}
}
