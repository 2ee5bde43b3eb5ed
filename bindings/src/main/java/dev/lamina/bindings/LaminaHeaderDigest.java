// Written by bindings/generate.sh (not jextract): the SHA-256 of the lamina.h these bindings
// were generated from.
package dev.lamina.bindings;

public final class LaminaHeaderDigest {
    public static final String SHA256 = "72b7902a441dc97884cfc0f391848f3fdf6cc9ce762382585fb2fe9e5014c263";

    private LaminaHeaderDigest() {}
}
