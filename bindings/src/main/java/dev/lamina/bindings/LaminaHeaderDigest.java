// Written by bindings/generate.sh (not jextract): the SHA-256 of the lamina.h these bindings
// were generated from.
package dev.lamina.bindings;

public final class LaminaHeaderDigest {
    public static final String SHA256 = "18ffd01cbfddc769eea719ec86321e1adb7fb6efa2d1f04d0215a988d9317c3e";

    private LaminaHeaderDigest() {}
}
