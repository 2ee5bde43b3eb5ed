// Written by bindings/generate.sh (not jextract): the SHA-256 of the lamina.h these bindings
// were generated from.
package dev.lamina.bindings;

public final class LaminaHeaderDigest {
    public static final String SHA256 = "456a0660aa0128a436a6867aa6d8bee9c35b907824e01d68bf311deaf666feea";

    private LaminaHeaderDigest() {}
}
