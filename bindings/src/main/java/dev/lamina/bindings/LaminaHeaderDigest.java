// Written by bindings/generate.sh (not jextract): the SHA-256 of the lamina.h these bindings
// were generated from.
package dev.lamina.bindings;

public final class LaminaHeaderDigest {
    public static final String SHA256 = "c593e4fa9eef5135e102cc2083e79e2faa19802f6a6a4d57f704f461e323ceea";

    private LaminaHeaderDigest() {}
}
