package dev.lamina;

import java.util.List;

/**
 * One tensor of a model file.
 *
 * @param name     tensor name, e.g. "blk.0.attn_q.weight"
 * @param type     GGUF type id
 * @param typeName name of the type, e.g. "F32", "Q4_K"
 * @param shape    sizes, innermost first (only the used dimensions)
 * @param offset   byte offset of the data in the file
 * @param bytes    size of the data in bytes
 */
public record TensorInfo(String name, int type, String typeName, List<Long> shape, long offset, long bytes) {
    public TensorInfo {
        shape = List.copyOf(shape);
    }

    /** Number of elements. */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
