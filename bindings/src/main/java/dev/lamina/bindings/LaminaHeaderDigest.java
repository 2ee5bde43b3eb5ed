// Written by bindings/generate.sh (not jextract): the SHA-256 of the lamina.h these bindings
// were generated from.
package dev.lamina.bindings;

public final class LaminaHeaderDigest {
    public static final String SHA256 = "88fafa3db6d508b00c02a5516b2eea908b46a64bba44f5aec76e1185fdf7bb2f";

    private LaminaHeaderDigest() {}
}
