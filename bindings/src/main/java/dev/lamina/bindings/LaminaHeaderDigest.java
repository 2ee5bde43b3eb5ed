// Written by bindings/generate.sh (not jextract): the SHA-256 of the lamina.h these bindings
// were generated from.
package dev.lamina.bindings;

public final class LaminaHeaderDigest {
    public static final String SHA256 = "cd055989beb6a1f10a2d7bddf168def0993063ed352891e290179dd4dadc82d1";

    private LaminaHeaderDigest() {}
}
