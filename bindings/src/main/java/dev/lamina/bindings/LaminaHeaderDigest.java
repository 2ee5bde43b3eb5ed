// Written by bindings/generate.sh (not jextract): the SHA-256 of the lamina.h these bindings
// were generated from.
package dev.lamina.bindings;

public final class LaminaHeaderDigest {
    public static final String SHA256 = "ce07124d80d5a2e1eadd30c6570521af567436cd1f69adc636e17fd0634e4487";

    private LaminaHeaderDigest() {}
}
