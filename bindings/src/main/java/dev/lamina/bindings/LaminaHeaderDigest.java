// Written by bindings/generate.sh (not jextract): the SHA-256 of the lamina.h these bindings
// were generated from.
package dev.lamina.bindings;

public final class LaminaHeaderDigest {
    public static final String SHA256 = "5b05f2d42110afcb2c55928549a30de216b9af9f3a7ab09e44f42bd685115f30";

    private LaminaHeaderDigest() {}
}
