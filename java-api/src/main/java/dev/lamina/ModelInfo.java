package dev.lamina;

/**
 * Fixed facts about a loaded model (every field of {@code lm_model_info}).
 *
 * @param architecture  {@code general.architecture}, e.g. "llama"
 * @param name          {@code general.name}, or ""
 * @param ggufVersion   the GGUF format version of the file
 * @param fileType      {@code general.file_type} in llama.cpp's numbering, -1 if absent
 * @param vocabSize     number of tokens in the vocabulary
 * @param trainContextLength context length the model was trained with
 * @param embeddingLength width of the residual stream
 * @param layerCount    number of transformer blocks
 * @param headCount     attention heads
 * @param kvHeadCount   key/value heads (less than headCount for grouped-query attention)
 * @param feedForwardLength hidden width of the feed-forward network
 * @param headDim       width of one attention head
 * @param expertCount   experts per layer, 0 for dense models
 * @param expertUsedCount experts used per token
 * @param ropeFreqBase  rotary embedding base frequency
 * @param rmsNormEps    epsilon of the RMS norms
 * @param bos           beginning-of-sequence token, -1 if none
 * @param eos           end-of-sequence token, -1 if none
 * @param eot           end-of-turn token, -1 if none
 * @param parameterCount total number of weights
 * @param tensorBytes   size of all tensor data in bytes
 * @param tensorCount   number of tensors
 * @param metadataCount number of metadata entries
 * @param addBos        whether the vocabulary asks for BOS at the start of a prompt
 * @param vocabOnly     whether only the vocabulary was loaded
 * @param repackedMatrices weight matrices held in the interleaved layout ({@link ModelOptions#repackWeights()})
 * @param repackedBytes the memory those take (outside the Java heap)
 */
public record ModelInfo(
        String architecture,
        String name,
        int ggufVersion,
        int fileType,
        int vocabSize,
        int trainContextLength,
        int embeddingLength,
        int layerCount,
        int headCount,
        int kvHeadCount,
        int feedForwardLength,
        int headDim,
        int expertCount,
        int expertUsedCount,
        float ropeFreqBase,
        float rmsNormEps,
        int bos,
        int eos,
        int eot,
        long parameterCount,
        long tensorBytes,
        long tensorCount,
        long metadataCount,
        boolean addBos,
        boolean vocabOnly,
        int repackedMatrices,
        long repackedBytes) {
}
