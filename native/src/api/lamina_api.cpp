// The C ABI (lamina.h) over the C++ core. Every function body runs inside abi_guard.
#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>

#include "api/abi_guard.h"
#include "api/handles.h"
#include "common/sha256.h"
#include "cpu/kernels.h"
#include "lamina.h"
#include "runtime/kv_cache.h"
#include "runtime/session_state.h"
#include "sampling/grammar/json_schema_grammar.h"

namespace lamina {
const char *last_error_cstr();
}

using namespace lamina;

namespace {

template <size_t N>
void copy_fixed(char (&dst)[N], std::string_view src) {
    const size_t n = std::min(N - 1, src.size());
    std::memcpy(dst, src.data(), n);
    dst[n] = '\0';
}

// Checks the file against an expected digest before anything else reads it.
void verify_sha256(const char *path, std::string expected) {
    bool hex = expected.size() == 64;
    for (char &c : expected) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        hex = hex && std::isxdigit(static_cast<unsigned char>(c));
    }
    if (!hex) {
        fail(LM_ERR_INVALID_ARGUMENT, "lm_model_load: expected_sha256 must be 64 hex digits, got '" + expected + "'");
    }
    const std::string actual = file_sha256(path);
    if (actual != expected) {
        fail(LM_ERR_BAD_FORMAT, std::string("'") + path + "' does not match its expected SHA-256: expected " +
                                    expected + ", file has " + actual);
    }
}

const Model &model_of(const lm_model *m, const char *fn) { return *require(m, fn, "model")->impl; }
Session &session_of(lm_session *s, const char *fn) { return *require(s, fn, "session")->impl; }
const Session &session_of(const lm_session *s, const char *fn) { return *require(s, fn, "session")->impl; }

const GgufKv &kv_at(const lm_model *model, int64_t index, const char *fn) {
    const GgufFile &f = model_of(model, fn).file();
    if (index < 0 || index >= static_cast<int64_t>(f.metadata().size())) {
        fail(LM_ERR_INVALID_ARGUMENT, std::string(fn) + ": index " + std::to_string(index) + " is out of range (" +
                                          std::to_string(f.metadata().size()) + " metadata entries)");
    }
    return f.metadata()[index];
}

}  // namespace

extern "C" {

LM_API const char *lm_last_error(void) { return last_error_cstr(); }

LM_API const char *lm_status_name(lm_status status) {
    switch (status) {
        case LM_OK: return "LM_OK";
        case LM_ERR_INVALID_ARGUMENT: return "LM_ERR_INVALID_ARGUMENT";
        case LM_ERR_IO: return "LM_ERR_IO";
        case LM_ERR_BAD_FORMAT: return "LM_ERR_BAD_FORMAT";
        case LM_ERR_UNSUPPORTED: return "LM_ERR_UNSUPPORTED";
        case LM_ERR_OUT_OF_MEMORY: return "LM_ERR_OUT_OF_MEMORY";
        case LM_ERR_CONTEXT_FULL: return "LM_ERR_CONTEXT_FULL";
        case LM_ERR_BUFFER_TOO_SMALL: return "LM_ERR_BUFFER_TOO_SMALL";
        case LM_ERR_BUSY: return "LM_ERR_BUSY";
        case LM_ERR_INTERNAL: return "LM_ERR_INTERNAL";
        case LM_ERR_CANCELLED: return "LM_ERR_CANCELLED";
    }
    return "LM_ERR_UNKNOWN";
}

LM_API const char *lm_version(void) { return LAMINA_VERSION; }

LM_API const char *lm_header_digest(void) { return LAMINA_HEADER_SHA256; }

LM_API const char *lm_cpu_variant(void) { return cpu::variant_name(cpu::active_variant()); }

LM_API const char *lm_type_name(int32_t type) {
    const TypeGeometry g = type >= 0 ? type_geometry(static_cast<uint32_t>(type)) : TypeGeometry{nullptr, 0, 0};
    return g.name != nullptr ? g.name : "unknown";
}

// ---- model -------------------------------------------------------------------------------

LM_API lm_model_params lm_model_default_params(void) {
    lm_model_params p{};
    p.expected_sha256 = nullptr;
    p.vocab_only = false;
    p.repack_weights = true;
    return p;
}

LM_API lm_status lm_file_sha256(const char *path, char *buf, size_t capacity, size_t *out_len) {
    return abi_guard("lm_file_sha256", [&] {
        require(path, "lm_file_sha256", "path");
        copy_out(file_sha256(path), buf, capacity, out_len, "lm_file_sha256");
    });
}

LM_API lm_status lm_model_load(const char *path, lm_model_params params, lm_model **out_model) {
    return abi_guard("lm_model_load", [&] {
        require(out_model, "lm_model_load", "out_model");
        *out_model = nullptr;
        require(path, "lm_model_load", "path");
        if (params.expected_sha256 != nullptr) verify_sha256(path, params.expected_sha256);
        auto model = std::make_unique<lm_model>();
        model->impl = Model::load(path, params.vocab_only, params.repack_weights);
        *out_model = model.release();
    });
}

LM_API void lm_model_free(lm_model *model) { delete model; }

LM_API lm_status lm_model_n_worker_threads(const lm_model *model, int32_t *out_threads) {
    return abi_guard("lm_model_n_worker_threads", [&] {
        require(model, "lm_model_n_worker_threads", "model");
        *require(out_threads, "lm_model_n_worker_threads", "out_threads") = model->threads->capacity();
    });
}

LM_API lm_status lm_model_decode_weight_bytes(const lm_model *model, uint64_t *out_bytes) {
    return abi_guard("lm_model_decode_weight_bytes", [&] {
        const Model &m = model_of(model, "lm_model_decode_weight_bytes");
        *require(out_bytes, "lm_model_decode_weight_bytes", "out_bytes") = m.decode_weight_bytes();
    });
}

LM_API lm_status lm_model_kv_bytes_per_token(const lm_model *model, const char *kv_type, uint64_t *out_bytes) {
    return abi_guard("lm_model_kv_bytes_per_token", [&] {
        const ModelHparams &hp = model_of(model, "lm_model_kv_bytes_per_token").hparams();
        const GgmlType type = parse_kv_type(kv_type);
        const KvCache::KvWidths widths = KvCache::widths_of(hp);
        KvCache::check_type(type, widths);
        *require(out_bytes, "lm_model_kv_bytes_per_token", "out_bytes") =
            KvCache::kv_bytes_per_token(type, widths, hp.n_layer);
    });
}

LM_API lm_status lm_model_mha_kv_bytes_per_token(const lm_model *model, const char *kv_type, uint64_t *out_bytes) {
    return abi_guard("lm_model_mha_kv_bytes_per_token", [&] {
        const ModelHparams &hp = model_of(model, "lm_model_mha_kv_bytes_per_token").hparams();
        *require(out_bytes, "lm_model_mha_kv_bytes_per_token", "out_bytes") =
            KvCache::mha_kv_bytes_per_token(parse_kv_type(kv_type), hp);
    });
}

LM_API lm_status lm_model_get_info(const lm_model *model, lm_model_info *out) {
    return abi_guard("lm_model_get_info", [&] {
        const Model &m = model_of(model, "lm_model_get_info");
        require(out, "lm_model_get_info", "out_info");
        const ModelHparams &hp = m.hparams();
        const GgufFile &f = m.file();
        lm_model_info info{};
        copy_fixed(info.architecture, hp.architecture);
        copy_fixed(info.name, f.get_string_or("general.name", ""));
        info.gguf_version = static_cast<int32_t>(f.version());
        info.file_type = static_cast<int32_t>(f.get_int_or("general.file_type", -1));
        info.n_vocab = hp.n_vocab;
        info.n_ctx_train = hp.n_ctx_train;
        info.n_embd = hp.n_embd;
        info.n_layer = hp.n_layer;
        info.n_head = hp.n_head;
        info.n_head_kv = hp.n_head_kv;
        info.n_ff = hp.n_ff;
        info.head_dim = hp.head_dim;
        info.n_expert = hp.n_expert;
        info.n_expert_used = hp.n_expert_used;
        info.rope_freq_base = hp.rope_freq_base;
        info.rms_norm_eps = hp.rms_norm_eps;
        info.bos = m.tokenizer().bos();
        info.eos = m.tokenizer().eos();
        info.eot = m.tokenizer().eot();
        for (const GgufTensorInfo &t : f.tensors()) {
            info.n_params += t.n_elements();
            info.n_bytes += static_cast<int64_t>(t.n_bytes);
        }
        info.n_tensors = static_cast<int64_t>(f.tensors().size());
        info.n_metadata = static_cast<int64_t>(f.metadata().size());
        info.add_bos = m.tokenizer().add_bos();
        info.vocab_only = m.vocab_only();
        info.n_repacked = static_cast<int32_t>(m.n_repacked());
        info.repacked_bytes = static_cast<int64_t>(m.repacked_bytes());
        *out = info;
    });
}

LM_API lm_status lm_model_tensor_info(const lm_model *model, int64_t index, lm_tensor_info *out) {
    return abi_guard("lm_model_tensor_info", [&] {
        const GgufFile &f = model_of(model, "lm_model_tensor_info").file();
        require(out, "lm_model_tensor_info", "out_info");
        if (index < 0 || index >= static_cast<int64_t>(f.tensors().size())) {
            fail(LM_ERR_INVALID_ARGUMENT, "lm_model_tensor_info: index " + std::to_string(index) +
                                              " is out of range (" + std::to_string(f.tensors().size()) + " tensors)");
        }
        const GgufTensorInfo &t = f.tensors()[index];
        lm_tensor_info info{};
        copy_fixed(info.name, t.name);
        info.type = static_cast<int32_t>(t.type);
        info.n_dims = static_cast<int32_t>(t.n_dims);
        for (int d = 0; d < 4; ++d) info.ne[d] = t.ne[d];
        info.offset = t.offset;
        info.n_bytes = t.n_bytes;
        *out = info;
    });
}


LM_API lm_status lm_model_meta_key(const lm_model *model, int64_t index, char *buf, size_t capacity, size_t *out_len) {
    return abi_guard("lm_model_meta_key", [&] {
        copy_out(kv_at(model, index, "lm_model_meta_key").key, buf, capacity, out_len, "lm_model_meta_key");
    });
}

LM_API lm_status lm_model_meta_value_text(const lm_model *model, int64_t index, char *buf, size_t capacity,
                                          size_t *out_len) {
    return abi_guard("lm_model_meta_value_text", [&] {
        const GgufKv &kv = kv_at(model, index, "lm_model_meta_value_text");
        copy_out(GgufFile::value_to_text(kv.value), buf, capacity, out_len, "lm_model_meta_value_text");
    });
}

LM_API lm_status lm_model_meta_string(const lm_model *model, const char *key, char *buf, size_t capacity,
                                      size_t *out_len) {
    return abi_guard("lm_model_meta_string", [&] {
        const GgufFile &f = model_of(model, "lm_model_meta_string").file();
        require(key, "lm_model_meta_string", "key");
        const GgufValue *v = f.find(key);
        if (v == nullptr || v->type != GgufValueType::STRING) {
            fail(LM_ERR_INVALID_ARGUMENT, std::string("lm_model_meta_string: '") + f.name() + "' has no string metadata '" +
                                              key + "'");
        }
        copy_out(v->str, buf, capacity, out_len, "lm_model_meta_string");
    });
}

// ---- tokenizer ---------------------------------------------------------------------------

LM_API lm_status lm_tokenize(const lm_model *model, const char *text, size_t text_len, bool add_bos,
                             bool parse_special, lm_token *tokens, size_t capacity, size_t *out_n) {
    return abi_guard("lm_tokenize", [&] {
        const Model &m = model_of(model, "lm_tokenize");
        require(out_n, "lm_tokenize", "out_n");
        if (text == nullptr && text_len > 0) require(text, "lm_tokenize", "text");
        if (tokens == nullptr && capacity > 0) require(tokens, "lm_tokenize", "tokens");
        const std::vector<lm_token> ids =
            m.tokenizer().encode(std::string_view(text == nullptr ? "" : text, text_len), add_bos, parse_special);
        *out_n = ids.size();
        std::copy_n(ids.begin(), std::min(capacity, ids.size()), tokens);
        if (capacity < ids.size()) {
            fail(LM_ERR_BUFFER_TOO_SMALL, "lm_tokenize: room for " + std::to_string(capacity) + " tokens, " +
                                              std::to_string(ids.size()) + " needed");
        }
    });
}

LM_API lm_status lm_token_to_piece(const lm_model *model, lm_token token, bool render_special, char *buf,
                                   size_t capacity, size_t *out_len) {
    return abi_guard("lm_token_to_piece", [&] {
        const std::string piece = model_of(model, "lm_token_to_piece").tokenizer().piece(token, render_special);
        copy_out(piece, buf, capacity, out_len, "lm_token_to_piece");
    });
}

LM_API lm_status lm_token_is_eog(const lm_model *model, lm_token token, bool *out_is_eog) {
    return abi_guard("lm_token_is_eog", [&] {
        const Model &m = model_of(model, "lm_token_is_eog");
        require(out_is_eog, "lm_token_is_eog", "out_is_eog");
        if (token < 0 || token >= m.hparams().n_vocab) {
            fail(LM_ERR_INVALID_ARGUMENT, "lm_token_is_eog: token id " + std::to_string(token) +
                                              " is out of range (vocabulary has " + std::to_string(m.hparams().n_vocab) +
                                              " tokens)");
        }
        *out_is_eog = m.tokenizer().is_eog(token);
    });
}

// ---- session -----------------------------------------------------------------------------

LM_API lm_session_params lm_session_default_params(void) {
    lm_session_params p{};
    p.n_ctx = 0;
    p.n_batch = 0;
    p.n_threads = 0;
    p.kv_type = nullptr;
    p.n_seq_max = 1;
    p.embeddings = false;
    return p;
}

LM_API lm_status lm_session_new(const lm_model *model, lm_session_params params, lm_session **out_session) {
    return abi_guard("lm_session_new", [&] {
        require(out_session, "lm_session_new", "out_session");
        *out_session = nullptr;
        const Model &m = model_of(model, "lm_session_new");
        auto s = std::make_unique<lm_session>();
        s->impl = std::make_unique<Session>(m, *model->threads, params);
        *out_session = s.release();
    });
}

LM_API void lm_session_free(lm_session *session) { delete session; }

LM_API lm_status lm_session_eval(lm_session *session, const lm_token *tokens, int32_t n_tokens, int32_t pos,
                                 bool all_logits) {
    return abi_guard("lm_session_eval", [&] {
        Session &s = session_of(session, "lm_session_eval");
        Session::Guard guard(s);
        s.eval(tokens, n_tokens, pos, all_logits);
    });
}

LM_API lm_status lm_session_embeddings(const lm_session *session, int32_t row, const float **out_embedding) {
    return abi_guard("lm_session_embeddings", [&] {
        const Session &s = session_of(session, "lm_session_embeddings");
        *require(out_embedding, "lm_session_embeddings", "out_embedding") = nullptr;
        *out_embedding = s.embeddings(row);
    });
}

LM_API lm_status lm_session_embed(lm_session *session, const lm_token *const *texts, const int32_t *lengths,
                                  int32_t n_texts, lm_pooling pooling, bool normalize, float *out, size_t out_capacity) {
    return abi_guard("lm_session_embed", [&] {
        Session &s = session_of(session, "lm_session_embed");
        Session::Guard guard(s);
        s.embed(texts, lengths, n_texts, pooling, normalize, out, out_capacity);
    });
}

LM_API lm_status lm_session_state_save_file(const lm_session *session, const char *path) {
    return abi_guard("lm_session_state_save_file", [&] {
        const Session &s = session_of(session, "lm_session_state_save_file");
        Session::Guard guard(s);
        save_session_state_file(s, require(path, "lm_session_state_save_file", "path"));
    });
}

LM_API lm_status lm_session_state_load_file(lm_session *session, const char *path) {
    return abi_guard("lm_session_state_load_file", [&] {
        Session &s = session_of(session, "lm_session_state_load_file");
        Session::Guard guard(s);
        load_session_state_file(s, require(path, "lm_session_state_load_file", "path"));
    });
}

LM_API lm_status lm_session_state_save(const lm_session *session, uint8_t *buf, size_t capacity, size_t *out_len) {
    return abi_guard("lm_session_state_save", [&] {
        const Session &s = session_of(session, "lm_session_state_save");
        Session::Guard guard(s);
        const size_t size = session_state_size(s);
        *require(out_len, "lm_session_state_save", "out_len") = size;
        if (capacity < size) {
            fail(LM_ERR_BUFFER_TOO_SMALL, "lm_session_state_save: buffer of " + std::to_string(capacity) +
                                              " bytes is too small; " + std::to_string(size) + " needed");
        }
        const std::vector<uint8_t> bytes = save_session_state(s);
        std::memcpy(require(buf, "lm_session_state_save", "buf"), bytes.data(), bytes.size());
        *out_len = bytes.size();
    });
}

LM_API lm_status lm_session_state_load(lm_session *session, const uint8_t *data, size_t size) {
    return abi_guard("lm_session_state_load", [&] {
        Session &s = session_of(session, "lm_session_state_load");
        Session::Guard guard(s);
        load_session_state(s, require(data, "lm_session_state_load", "data"), size, "the session state in memory");
    });
}

LM_API lm_status lm_session_set_abort_callback(lm_session *session, lm_abort_fn fn, void *user_data) {
    return abi_guard("lm_session_set_abort_callback", [&] {
        Session &s = session_of(session, "lm_session_set_abort_callback");
        Session::Guard guard(s);
        s.set_abort_callback(fn, user_data);
    });
}

LM_API lm_status lm_batch_new(lm_batch **out_batch) {
    return abi_guard("lm_batch_new", [&] {
        require(out_batch, "lm_batch_new", "out_batch");
        *out_batch = nullptr;
        *out_batch = new lm_batch();
    });
}

LM_API void lm_batch_free(lm_batch *batch) { delete batch; }

LM_API lm_status lm_batch_clear(lm_batch *batch) {
    return abi_guard("lm_batch_clear", [&] {
        lm_batch &b = *require(batch, "lm_batch_clear", "batch");
        b.tokens.clear();
        b.positions.clear();
        b.seq_ids.clear();
        b.logits.clear();
    });
}

LM_API lm_status lm_batch_add(lm_batch *batch, lm_token token, int32_t pos, int32_t seq_id, bool logits) {
    return lm_batch_add_tokens(batch, &token, 1, pos, seq_id, logits);
}

LM_API lm_status lm_batch_add_tokens(lm_batch *batch, const lm_token *tokens, int32_t n_tokens, int32_t pos,
                                     int32_t seq_id, bool logits_last) {
    return abi_guard("lm_batch_add_tokens", [&] {
        lm_batch &b = *require(batch, "lm_batch_add_tokens", "batch");
        require(tokens, "lm_batch_add_tokens", "tokens");
        if (n_tokens <= 0 || pos < 0 || static_cast<int64_t>(pos) + n_tokens > INT32_MAX) {
            fail(LM_ERR_INVALID_ARGUMENT, "lm_batch_add_tokens: " + std::to_string(n_tokens) + " tokens at position " +
                                              std::to_string(pos) + " (need n_tokens > 0 and positions 0..INT32_MAX)");
        }
        if (b.tokens.size() + static_cast<size_t>(n_tokens) > static_cast<size_t>(INT32_MAX)) {
            fail(LM_ERR_INVALID_ARGUMENT, "lm_batch_add_tokens: a batch holds at most INT32_MAX tokens");
        }
        for (int32_t i = 0; i < n_tokens; ++i) {
            b.tokens.push_back(tokens[i]);
            b.positions.push_back(pos + i);
            b.seq_ids.push_back(seq_id);
            b.logits.push_back(logits_last && i == n_tokens - 1 ? 1 : 0);
        }
    });
}

LM_API lm_status lm_batch_n_tokens(const lm_batch *batch, int32_t *out_n_tokens) {
    return abi_guard("lm_batch_n_tokens", [&] {
        *require(out_n_tokens, "lm_batch_n_tokens", "out_n_tokens") =
            static_cast<int32_t>(require(batch, "lm_batch_n_tokens", "batch")->tokens.size());
    });
}

LM_API lm_status lm_session_decode(lm_session *session, const lm_batch *batch) {
    return abi_guard("lm_session_decode", [&] {
        Session &s = session_of(session, "lm_session_decode");
        Session::Guard guard(s);
        s.decode(require(batch, "lm_session_decode", "batch")->view());
    });
}

LM_API lm_status lm_session_seq_remove(lm_session *session, int32_t seq_id, int32_t p0, int32_t p1) {
    return abi_guard("lm_session_seq_remove", [&] {
        Session &s = session_of(session, "lm_session_seq_remove");
        Session::Guard guard(s);
        s.seq_remove(seq_id, p0, p1);
    });
}

LM_API lm_status lm_session_seq_copy(lm_session *session, int32_t src_seq_id, int32_t dst_seq_id, int32_t p0,
                                     int32_t p1) {
    return abi_guard("lm_session_seq_copy", [&] {
        Session &s = session_of(session, "lm_session_seq_copy");
        Session::Guard guard(s);
        s.seq_copy(src_seq_id, dst_seq_id, p0, p1);
    });
}

LM_API lm_status lm_session_seq_keep(lm_session *session, int32_t seq_id) {
    return abi_guard("lm_session_seq_keep", [&] {
        Session &s = session_of(session, "lm_session_seq_keep");
        Session::Guard guard(s);
        s.seq_keep(seq_id);
    });
}

LM_API lm_status lm_session_seq_pos_max(const lm_session *session, int32_t seq_id, int32_t *out_pos) {
    return abi_guard("lm_session_seq_pos_max", [&] {
        const Session &s = session_of(session, "lm_session_seq_pos_max");
        Session::Guard guard(s);
        *require(out_pos, "lm_session_seq_pos_max", "out_pos") = s.seq_pos_max(seq_id);
    });
}

LM_API lm_status lm_session_seq_pos_min(const lm_session *session, int32_t seq_id, int32_t *out_pos) {
    return abi_guard("lm_session_seq_pos_min", [&] {
        const Session &s = session_of(session, "lm_session_seq_pos_min");
        Session::Guard guard(s);
        *require(out_pos, "lm_session_seq_pos_min", "out_pos") = s.seq_pos_min(seq_id);
    });
}

LM_API lm_status lm_session_n_free_cells(const lm_session *session, int32_t *out_cells) {
    return abi_guard("lm_session_n_free_cells", [&] {
        const Session &s = session_of(session, "lm_session_n_free_cells");
        Session::Guard guard(s);
        *require(out_cells, "lm_session_n_free_cells", "out_cells") = s.n_free_cells();
    });
}

LM_API lm_status lm_session_n_expert_passes(const lm_session *session, int64_t *out_passes) {
    return abi_guard("lm_session_n_expert_passes", [&] {
        const Session &s = session_of(session, "lm_session_n_expert_passes");
        Session::Guard guard(s);
        *require(out_passes, "lm_session_n_expert_passes", "out_passes") = s.n_expert_passes();
    });
}

LM_API lm_status lm_session_n_seq_max(const lm_session *session, int32_t *out_n_seq_max) {
    return abi_guard("lm_session_n_seq_max", [&] {
        *require(out_n_seq_max, "lm_session_n_seq_max", "out_n_seq_max") =
            session_of(session, "lm_session_n_seq_max").n_seq_max();
    });
}

// The readers below also take the session's guard: during another thread's eval the values
// they read are being rewritten (and the logits buffer may move), so they are refused as BUSY.
LM_API lm_status lm_session_n_past(const lm_session *session, int32_t *out) {
    return abi_guard("lm_session_n_past", [&] {
        const Session &s = session_of(session, "lm_session_n_past");
        Session::Guard guard(s);
        *require(out, "lm_session_n_past", "out_n_past") = s.n_past();
    });
}

LM_API lm_status lm_session_n_ctx(const lm_session *session, int32_t *out) {
    return abi_guard("lm_session_n_ctx", [&] {
        *require(out, "lm_session_n_ctx", "out_n_ctx") = session_of(session, "lm_session_n_ctx").n_ctx();
    });
}

LM_API lm_status lm_session_kv_bytes_per_token(const lm_session *session, uint64_t *out) {
    return abi_guard("lm_session_kv_bytes_per_token", [&] {
        *require(out, "lm_session_kv_bytes_per_token", "out_bytes") =
            session_of(session, "lm_session_kv_bytes_per_token").kv_bytes_per_token();
    });
}

LM_API lm_status lm_kv_type_names(char *buf, size_t capacity, size_t *out_len) {
    return abi_guard("lm_kv_type_names", [&] { copy_out(kv_type_names(), buf, capacity, out_len, "lm_kv_type_names"); });
}

LM_API lm_status lm_session_truncate(lm_session *session, int32_t n_keep) {
    return abi_guard("lm_session_truncate", [&] {
        Session &s = session_of(session, "lm_session_truncate");
        Session::Guard guard(s);
        s.truncate(n_keep);
    });
}

LM_API lm_status lm_session_logits(const lm_session *session, int32_t row, const float **out_logits) {
    return abi_guard("lm_session_logits", [&] {
        const Session &s = session_of(session, "lm_session_logits");
        Session::Guard guard(s);
        *require(out_logits, "lm_session_logits", "out_logits") = s.logits(row);
    });
}

LM_API lm_status lm_session_n_logit_rows(const lm_session *session, int32_t *out_rows) {
    return abi_guard("lm_session_n_logit_rows", [&] {
        const Session &s = session_of(session, "lm_session_n_logit_rows");
        Session::Guard guard(s);
        *require(out_rows, "lm_session_n_logit_rows", "out_rows") = s.n_logit_rows();
    });
}

// ---- sampling ----------------------------------------------------------------------------

LM_API lm_status lm_sampler_new(const lm_model *model, uint64_t seed, lm_sampler **out_sampler) {
    return abi_guard("lm_sampler_new", [&] {
        require(out_sampler, "lm_sampler_new", "out_sampler");
        *out_sampler = nullptr;
        SamplerContext context;
        if (model != nullptr) {
            const Model &m = model_of(model, "lm_sampler_new");
            context.n_vocab = m.hparams().n_vocab;
            context.n_ctx_train = m.hparams().n_ctx_train;
            context.tokenizer = &m.tokenizer();
            context.vocab_tries = model->vocab_tries.get();
        }
        *out_sampler = new lm_sampler(seed, context);
    });
}

LM_API lm_status lm_sampler_add(lm_sampler *sampler, const char *spec) {
    return abi_guard("lm_sampler_add", [&] {
        require(sampler, "lm_sampler_add", "sampler")->impl.add(require(spec, "lm_sampler_add", "spec"));
    });
}

// ---- grammar-constrained sampling ----

LM_API lm_status lm_sampler_add_grammar(lm_sampler *sampler, const char *gbnf, const char *root_rule) {
    return abi_guard("lm_sampler_add_grammar", [&] {
        require(sampler, "lm_sampler_add_grammar", "sampler")
            ->impl.add_grammar(require(gbnf, "lm_sampler_add_grammar", "gbnf"), root_rule != nullptr ? root_rule : "root");
    });
}

LM_API lm_status lm_json_schema_to_grammar(const char *schema_json, char *buf, size_t capacity, size_t *out_len) {
    return abi_guard("lm_json_schema_to_grammar", [&] {
        copy_out(grammar::json_schema_to_grammar(require(schema_json, "lm_json_schema_to_grammar", "schema_json")), buf,
                 capacity, out_len, "lm_json_schema_to_grammar");
    });
}

// ---- end of grammar-constrained sampling ----

LM_API lm_status lm_sampler_n(const lm_sampler *sampler, int32_t *out_n) {
    return abi_guard("lm_sampler_n", [&] {
        *require(out_n, "lm_sampler_n", "out_n") =
            static_cast<int32_t>(require(sampler, "lm_sampler_n", "sampler")->impl.size());
    });
}

LM_API lm_status lm_sampler_catalog(char *buf, size_t capacity, size_t *out_len) {
    return abi_guard("lm_sampler_catalog", [&] { copy_out(sampler_catalog(), buf, capacity, out_len, "lm_sampler_catalog"); });
}

LM_API lm_status lm_sampler_default_chain(char *buf, size_t capacity, size_t *out_len) {
    return abi_guard("lm_sampler_default_chain",
                     [&] { copy_out(default_sampler_chain(), buf, capacity, out_len, "lm_sampler_default_chain"); });
}

LM_API void lm_sampler_free(lm_sampler *sampler) { delete sampler; }

LM_API lm_status lm_sampler_sample(lm_sampler *sampler, const float *logits, int32_t n_vocab, lm_token *out_token) {
    return abi_guard("lm_sampler_sample", [&] {
        require(sampler, "lm_sampler_sample", "sampler");
        require(logits, "lm_sampler_sample", "logits");
        *require(out_token, "lm_sampler_sample", "out_token") = sampler->impl.sample(logits, n_vocab);
    });
}

LM_API lm_status lm_sampler_accept(lm_sampler *sampler, lm_token token) {
    return abi_guard("lm_sampler_accept", [&] { require(sampler, "lm_sampler_accept", "sampler")->impl.accept(token); });
}

LM_API lm_status lm_sampler_reset(lm_sampler *sampler) {
    return abi_guard("lm_sampler_reset", [&] { require(sampler, "lm_sampler_reset", "sampler")->impl.reset(); });
}

}  // extern "C"
