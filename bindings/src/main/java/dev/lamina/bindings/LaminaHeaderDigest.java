// Written by bindings/generate.sh (not jextract): the SHA-256 of the lamina.h these bindings
// were generated from.
package dev.lamina.bindings;

public final class LaminaHeaderDigest {
    public static final String SHA256 = "5ff846a96921a2fe0d8bcc07e0beb551bc3e2cdd775c058e7b50a1068e91d1d9";

    private LaminaHeaderDigest() {}
}
