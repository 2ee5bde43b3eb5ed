#include "tokenizer/tokenizer.h"

#include "common/error.h"
#include "gguf/gguf_file.h"
#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/spm_tokenizer.h"

namespace lamina {

std::unique_ptr<Tokenizer> Tokenizer::from_gguf(const GgufFile &file) {
    const std::string_view model = file.get_string("tokenizer.ggml.model");
    if (model == "llama") {
        return std::make_unique<SpmTokenizer>(Vocabulary(file, VocabKind::Spm, /*add_bos_default=*/true));
    }
    if (model == "gpt2") {
        // The pre-tokenizer only matters for BPE; llama.cpp ignores tokenizer.ggml.pre otherwise.
        const PreTokenizer &pre = PreTokenizer::for_name(file.get_string_or("tokenizer.ggml.pre", ""));
        Vocabulary vocab(file, VocabKind::Bpe, pre.add_bos_default(), pre.has_default_bos());
        return std::make_unique<BpeTokenizer>(file, std::move(vocab), pre);
    }
    fail(LM_ERR_UNSUPPORTED, "'" + file.name() + "': unsupported tokenizer model tokenizer.ggml.model = '" +
                                 std::string(model) + "' (supported: llama, gpt2)");
}

}  // namespace lamina
