/*
 * lamina.h — the C ABI of Lamina, LLaMA-family inference from GGUF files.
 *
 * Conventions (every function follows them):
 *  - Handles are opaque (lm_model, lm_session, lm_sampler) and each has an explicit *_free.
 *  - Every call that can fail returns an lm_status; LM_OK is 0. On failure, lm_last_error()
 *    returns a message naming the cause (file, tensor, key, value). The message is
 *    thread-local and stays valid until the next failing Lamina call on the same thread.
 *  - No C++ exception, abort() or exit() ever leaves this library: a bad file or argument is
 *    a status code.
 *  - Parameter structs are passed by value; obtain defaults from lm_*_default_params() and
 *    change only the fields you need.
 *  - Strings returned through caller buffers use the two-call pattern: the call writes at most
 *    `capacity` bytes, always stores the full length in *out_len and returns
 *    LM_ERR_BUFFER_TOO_SMALL if the buffer could not hold it (call again with a larger one).
 *    Text is UTF-8 and not NUL-terminated unless stated.
 *
 * Thread safety: an lm_model is immutable after lm_model_load and may be used from any number of
 * threads at once (its weights are mapped once and shared by every session, and so are its
 * worker threads: sessions evaluating at once take turns, one micro-batch at a time, so they
 * never run more threads than the widest of them asked for). An lm_session, an lm_batch and an
 * lm_sampler must be used by one thread at a time; concurrent calls on the same session are
 * detected and refused with LM_ERR_BUSY. Free sessions before the model they were created from.
 */
#ifndef LAMINA_H
#define LAMINA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define LM_API __declspec(dllexport)
#else
#define LM_API __attribute__((visibility("default")))
#endif

typedef int32_t lm_token;

typedef enum lm_status {
    LM_OK = 0,
    LM_ERR_INVALID_ARGUMENT = 1,  /* a null handle, a negative size, an out-of-range id or value */
    LM_ERR_IO = 2,                /* the file cannot be opened, read or mapped */
    LM_ERR_BAD_FORMAT = 3,        /* the file is not valid GGUF or violates its own structure */
    LM_ERR_UNSUPPORTED = 4,       /* valid GGUF, but an architecture/type/feature Lamina lacks */
    LM_ERR_OUT_OF_MEMORY = 5,     /* an allocation (KV cache, buffers) failed */
    LM_ERR_CONTEXT_FULL = 6,      /* the tokens would not fit into the session's context */
    LM_ERR_BUFFER_TOO_SMALL = 7,  /* a caller buffer is too small; *out_len says what is needed */
    LM_ERR_BUSY = 8,              /* the session is in use by another thread */
    LM_ERR_INTERNAL = 9,          /* a bug in Lamina; the message says where */
    LM_ERR_CANCELLED = 10         /* a progress or abort callback asked to stop */
} lm_status;

typedef struct lm_model lm_model;
typedef struct lm_session lm_session;
typedef struct lm_sampler lm_sampler;
typedef struct lm_batch lm_batch;

/* ---- library ---------------------------------------------------------------------------- */

/* The message of the last failing call on this thread ("" if none). Never NULL. */
LM_API const char *lm_last_error(void);
/* A constant name such as "LM_ERR_BAD_FORMAT". Never NULL. */
LM_API const char *lm_status_name(lm_status status);
/* The library version, "MAJOR.MINOR.PATCH". Never NULL. */
LM_API const char *lm_version(void);
/* The SHA-256 (64 hex digits) of the lamina.h this library was built from. Bindings compare it
 * with the digest of the header they were generated from and refuse a mismatched library, whose
 * structs and functions could differ. Never NULL. */
LM_API const char *lm_header_digest(void);
/* The CPU kernel variant in use: "scalar", "avx2", "avx512" or "neon". Never NULL. */
LM_API const char *lm_cpu_variant(void);
/* The name of a GGUF tensor type id ("F32", "Q4_K", ...), or "unknown". Never NULL. */
LM_API const char *lm_type_name(int32_t type);

/* ---- model ------------------------------------------------------------------------------ */

typedef struct lm_model_params {
    /* When not NULL: the SHA-256 of the whole file as 64 hex digits; lm_model_load reads the
     * file once to check it and fails with LM_ERR_BAD_FORMAT on a mismatch. */
    const char *expected_sha256;
    bool vocab_only; /* read metadata and vocabulary only: no tensors are required or mapped */
    /* Default true: Q4_0, Q8_0, Q4_K, Q5_K and Q6_K matrices are copied once at load into an
     * interleaved-row layout that makes prompts 1.5-2.5x faster, where the CPU variant has
     * kernels for it (AVX-512, AVX2 without Q8_0, NEON with dotprod) and the copies take at
     * most 80% of the machine's (or container's) memory. Their pages of the file mapping are
     * then released, so resident memory stays about the file's size. false keeps every weight
     * in the shared file mapping (several processes mapping one file then share its pages; the
     * load is instant). */
    bool repack_weights;
} lm_model_params;

/* Fixed-size model facts. Strings are NUL-terminated (truncated to fit if longer). */
typedef struct lm_model_info {
    char architecture[32];   /* general.architecture, e.g. "llama" */
    char name[128];          /* general.name, or "" */
    int32_t gguf_version;
    int32_t file_type;       /* general.file_type (llama.cpp's LLAMA_FTYPE numbering), -1 if absent */
    int32_t n_vocab;
    int32_t n_ctx_train;     /* context length the model was trained with */
    int32_t n_embd;
    int32_t n_layer;
    int32_t n_head;
    int32_t n_head_kv;
    int32_t n_ff;
    int32_t head_dim;
    int32_t n_expert;        /* 0 for dense models */
    int32_t n_expert_used;
    float rope_freq_base;
    float rms_norm_eps;
    lm_token bos;            /* -1 where the vocabulary has none */
    lm_token eos;
    lm_token eot;
    int64_t n_params;        /* total number of weights in all tensors */
    int64_t n_bytes;         /* size of all tensor data in bytes */
    int64_t n_tensors;
    int64_t n_metadata;
    bool add_bos;            /* the vocabulary asks for BOS at the start of a prompt */
    bool vocab_only;
    int32_t n_repacked;      /* matrices held in the interleaved layout (see repack_weights) */
    int64_t repacked_bytes;  /* the memory they take */
} lm_model_info;

typedef struct lm_tensor_info {
    char name[96];           /* NUL-terminated */
    int32_t type;            /* GGUF type id, see lm_type_name */
    int32_t n_dims;
    int64_t ne[4];           /* sizes, innermost first; unused dimensions are 1 */
    uint64_t offset;         /* byte offset of the data in the file */
    uint64_t n_bytes;
} lm_tensor_info;

LM_API lm_model_params lm_model_default_params(void);
/* Maps and validates a GGUF file. On success *out_model owns the mapping. */
LM_API lm_status lm_model_load(const char *path, lm_model_params params, lm_model **out_model);
/* Frees the model and unmaps its file. NULL is ignored. Sessions must be freed first. */
LM_API void lm_model_free(lm_model *model);
/* Worker threads the model's sessions share, the evaluating thread included: the widest
 * n_threads any evaluation asked for so far (0 before the first). */
LM_API lm_status lm_model_n_worker_threads(const lm_model *model, int32_t *out_threads);
/* Bytes of weights one decode step reads: all but the token embedding (unless it is also the
 * output matrix), and for mixture-of-experts models only the share of the experts' tensors one
 * token routes through. Divided into the memory bandwidth: the decode speed limit. */
LM_API lm_status lm_model_decode_weight_bytes(const lm_model *model, uint64_t *out_bytes);

/* Bytes of KV cache one position takes in a cache of type kv_type (NULL = the default, as
 * lm_session_params.kv_type): K and V of every layer, what lm_session_kv_bytes_per_token reports
 * for this model's sessions. A type the model's head widths cannot use is LM_ERR_UNSUPPORTED. */
LM_API lm_status lm_model_kv_bytes_per_token(const lm_model *model, const char *kv_type, uint64_t *out_bytes);
/* The same for a multi-head attention cache of this shape: every query head keeping its own key
 * and value at full width (for latent attention the decompressed widths). Beside
 * lm_model_kv_bytes_per_token it shows what grouped-query or latent attention saves. */
LM_API lm_status lm_model_mha_kv_bytes_per_token(const lm_model *model, const char *kv_type, uint64_t *out_bytes);

/* The SHA-256 of a whole file as 64 lowercase hex digits (two-call string pattern). */
LM_API lm_status lm_file_sha256(const char *path, char *buf, size_t capacity, size_t *out_len);

LM_API lm_status lm_model_get_info(const lm_model *model, lm_model_info *out_info);
LM_API lm_status lm_model_tensor_info(const lm_model *model, int64_t index, lm_tensor_info *out_info);
/* The key of metadata entry `index` (0 <= index < n_metadata). Two-call string pattern. */
LM_API lm_status lm_model_meta_key(const lm_model *model, int64_t index,
                                   char *buf, size_t capacity, size_t *out_len);
/* The value of metadata entry `index` rendered as text (arrays abbreviated). Two-call pattern. */
LM_API lm_status lm_model_meta_value_text(const lm_model *model, int64_t index,
                                          char *buf, size_t capacity, size_t *out_len);
/* The value of string metadata `key`; LM_ERR_INVALID_ARGUMENT if absent or not a string. */
LM_API lm_status lm_model_meta_string(const lm_model *model, const char *key,
                                      char *buf, size_t capacity, size_t *out_len);

/* ---- tokenizer -------------------------------------------------------------------------- */

/* Tokenizes `text_len` bytes of UTF-8. With parse_special, texts of control/user-defined tokens
 * (e.g. "<|eot_id|>") become their ids. Invalid UTF-8 is LM_ERR_INVALID_ARGUMENT.
 * Writes at most `capacity` ids; *out_n is always the full count (LM_ERR_BUFFER_TOO_SMALL if it
 * did not fit). */
LM_API lm_status lm_tokenize(const lm_model *model, const char *text, size_t text_len,
                             bool add_bos, bool parse_special,
                             lm_token *tokens, size_t capacity, size_t *out_n);
/* The bytes a token stands for. A piece may be an incomplete UTF-8 sequence (byte tokens):
 * concatenate pieces before decoding. Control tokens give "" unless render_special. */
LM_API lm_status lm_token_to_piece(const lm_model *model, lm_token token, bool render_special,
                                   char *buf, size_t capacity, size_t *out_len);
/* Whether a token ends generation (EOS, EOT or another end-of-generation token). */
LM_API lm_status lm_token_is_eog(const lm_model *model, lm_token token, bool *out_is_eog);

/* ---- session: KV cache, sequences and logits --------------------------------------------- */

/* A session's KV cache has n_ctx cells. A cell holds one position of one or more sequences
 * (a prefix copied to another sequence is shared, not duplicated). A batch mixes tokens of any
 * sequences; each token attends to the cells of its own sequence up to its own position. */
typedef struct lm_session_params {
    int32_t n_ctx;      /* KV cells, shared by all sequences; 0 = min(model's n_ctx_train, 4096) */
    int32_t n_batch;    /* most tokens one eval/decode call may take; 0 = n_ctx */
    int32_t n_threads;  /* threads an evaluation runs on (the model's shared workers); 0 = online CPUs */
    const char *kv_type; /* KV cache type: "f16", "q8_0", "f32" (lm_kv_type_names); NULL = "f16" */
    int32_t n_seq_max;  /* sequence ids 0 .. n_seq_max-1 (at most 64); 0 = 1 */
    bool embeddings;    /* evaluations output hidden states (lm_session_embeddings, lm_session_embed)
                           instead of logits, skipping the output matrix */
} lm_session_params;

/* Asked on the evaluating thread before every layer of every micro-batch, and while waiting for
 * the model's worker threads; returning true stops the evaluation with LM_ERR_CANCELLED, leaving
 * the cache as it was before the call. Another thread stops an evaluation by making it return
 * true (e.g. it reads a flag or a deadline). Must not call into the session. */
typedef bool (*lm_abort_fn)(void *user_data);

LM_API lm_session_params lm_session_default_params(void);
LM_API lm_status lm_session_new(const lm_model *model, lm_session_params params,
                                lm_session **out_session);
/* NULL is ignored. */
LM_API void lm_session_free(lm_session *session);

/* Sets (fn NULL: clears) the abort callback of the session's evaluations. */
LM_API lm_status lm_session_set_abort_callback(lm_session *session, lm_abort_fn fn, void *user_data);

/* Sequence 0 as a single conversation: evaluates n_tokens tokens at positions
 * pos .. pos+n_tokens-1. pos must be <= the number of positions sequence 0 holds; its
 * positions >= pos are dropped first (so pos = 0 starts over, and pos < n_past rewinds). With
 * all_logits the logits of every token of the batch are kept, otherwise only the last's.
 * Failures as for lm_session_decode. */
LM_API lm_status lm_session_eval(lm_session *session, const lm_token *tokens, int32_t n_tokens,
                                 int32_t pos, bool all_logits);

/* A batch: per token its id, position, sequence and whether its logits are wanted. */
LM_API lm_status lm_batch_new(lm_batch **out_batch);
LM_API void lm_batch_free(lm_batch *batch);  /* NULL is ignored */
LM_API lm_status lm_batch_clear(lm_batch *batch);
LM_API lm_status lm_batch_add(lm_batch *batch, lm_token token, int32_t pos, int32_t seq_id, bool logits);
/* Adds tokens[0..n) of one sequence at positions pos.., wanting logits for the last if
 * logits_last. */
LM_API lm_status lm_batch_add_tokens(lm_batch *batch, const lm_token *tokens, int32_t n_tokens, int32_t pos,
                                     int32_t seq_id, bool logits_last);
LM_API lm_status lm_batch_n_tokens(const lm_batch *batch, int32_t *out_n_tokens);

/* Evaluates a batch in one forward pass per micro-batch (every weight matrix read once for all
 * its rows). Each sequence's tokens, in batch order, must continue it: the first at its largest
 * position + 1 (0 for an empty sequence), the next one after that. LM_ERR_CONTEXT_FULL when
 * fewer cells are free than the batch has tokens. The logit rows (lm_session_logits) are the
 * tokens that wanted logits, in batch order. Logits are never NaN or infinite: weights that
 * produce such values give LM_ERR_BAD_FORMAT naming the layer, step and tensor where they first
 * appear. On any failure (cancellation included) no token of the batch stays in the cache. */
LM_API lm_status lm_session_decode(lm_session *session, const lm_batch *batch);

/* Drops positions [p0, p1) of sequence seq_id (p1 < 0: to the end; seq_id -1: every sequence).
 * Cells no sequence holds any longer are free again. */
LM_API lm_status lm_session_seq_remove(lm_session *session, int32_t seq_id, int32_t p0, int32_t p1);
/* Makes positions [p0, p1) of src part of dst as well (p1 < 0: to the end), sharing their cells;
 * dst's own positions in that range are dropped first. A shared system prompt is evaluated
 * once and copied to each conversation with this. */
LM_API lm_status lm_session_seq_copy(lm_session *session, int32_t src_seq_id, int32_t dst_seq_id, int32_t p0,
                                     int32_t p1);
/* Drops every sequence but seq_id. */
LM_API lm_status lm_session_seq_keep(lm_session *session, int32_t seq_id);
/* The largest / smallest position a sequence holds, -1 when it is empty. */
LM_API lm_status lm_session_seq_pos_max(const lm_session *session, int32_t seq_id, int32_t *out_pos);
LM_API lm_status lm_session_seq_pos_min(const lm_session *session, int32_t seq_id, int32_t *out_pos);
/* KV cells no sequence holds. */
LM_API lm_status lm_session_n_free_cells(const lm_session *session, int32_t *out_cells);
LM_API lm_status lm_session_n_seq_max(const lm_session *session, int32_t *out_n_seq_max);
/* Expert feed-forward passes the session's evaluations ran (mixture-of-experts models; 0 for
 * dense ones). The tokens of a micro-batch are grouped by expert, so an evaluation runs at
 * most n_expert passes per MoE layer and micro-batch, each reading its expert's weights once. */
LM_API lm_status lm_session_n_expert_passes(const lm_session *session, int64_t *out_passes);

/* Bytes of KV cache (K and V of every layer) one position takes in the session's kv_type. */
LM_API lm_status lm_session_kv_bytes_per_token(const lm_session *session, uint64_t *out_bytes);
/* Number of positions sequence 0 holds (its largest position + 1). */
LM_API lm_status lm_session_n_past(const lm_session *session, int32_t *out_n_past);
LM_API lm_status lm_session_n_ctx(const lm_session *session, int32_t *out_n_ctx);
/* Drops every position >= n_keep of sequence 0 (a chat rewinds with this) and the logits. */
LM_API lm_status lm_session_truncate(lm_session *session, int32_t n_keep);

/* ---- embeddings (sessions made with lm_session_params.embeddings) ----------------------- */

typedef enum lm_pooling {
    LM_POOLING_MODEL = -1, /* the file's {arch}.pooling_type; files without one (decoders): LAST */
    LM_POOLING_MEAN = 1,   /* the mean over the text's tokens */
    LM_POOLING_CLS = 2,    /* the first token's */
    LM_POOLING_LAST = 3    /* the last token's */
} lm_pooling;

/* Output row `row` of the last evaluation of an embeddings session: the last layer's hidden
 * state after the final norm, n_embd floats (row -1 = the last). Valid until the next eval. */
LM_API lm_status lm_session_embeddings(const lm_session *session, int32_t row, const float **out_embedding);
/* Embeds n_texts texts (texts[i] is lengths[i] token ids) into out (n_texts * n_embd floats,
 * capacity counted in floats): one vector per text, pooled, L2-normalised when normalize. The
 * texts are evaluated together, n_seq_max at a time as separate sequences of one batch (so each
 * weight is read once per batch). Uses and then empties the session's cache: call it on a
 * session kept for embedding. A text longer than n_batch or the context is an error naming it. */
LM_API lm_status lm_session_embed(lm_session *session, const lm_token *const *texts, const int32_t *lengths,
                                  int32_t n_texts, lm_pooling pooling, bool normalize, float *out,
                                  size_t out_capacity);

/* Session state: every sequence's KV cells and rows and the last evaluation's logits, so a
 * restored session continues exactly as the saved one would. The state names its model (the
 * SHA-256 of its file, computed once per model on first use) and cache shape: loading a state
 * of another model, KV type or n_seq_max, or a truncated or corrupted one, is an error naming
 * the difference (LM_ERR_INVALID_ARGUMENT / LM_ERR_BAD_FORMAT) and leaves the session as it was.
 * The file variants write a temporary beside path and rename it, so a failed save keeps an
 * existing file whole. */
LM_API lm_status lm_session_state_save_file(const lm_session *session, const char *path);
LM_API lm_status lm_session_state_load_file(lm_session *session, const char *path);
/* In memory (snapshots): two-call pattern; a snapshot taken with a NULL buf is not kept, so
 * the second call serialises again. */
LM_API lm_status lm_session_state_save(const lm_session *session, uint8_t *buf, size_t capacity, size_t *out_len);
LM_API lm_status lm_session_state_load(lm_session *session, const uint8_t *data, size_t size);
/* Logits (n_vocab floats) of row `row` of the last eval or decode: 0 .. n_rows-1, or -1 for the
 * last. The pointer is owned by the session and valid until its next eval, decode, truncate or
 * free. */
LM_API lm_status lm_session_logits(const lm_session *session, int32_t row, const float **out_logits);
/* Number of logit rows the last eval kept. */
LM_API lm_status lm_session_n_logit_rows(const lm_session *session, int32_t *out_rows);

/* ---- sampling --------------------------------------------------------------------------- */

/* A sampler is a chain, as llama.cpp's llama_sampler_chain: samplers applied in the order they
 * were added to each token's logits, the last one picking the token. Each is added as a spec,
 * "NAME key=value ...", for example
 *   "logit_bias 15043=-inf 29871=2.5"      "penalties last_n=64 repeat=1.1 frequency=0 presence=0"
 *   "top_k k=40"   "typical p=0.9"   "top_p p=0.95"   "min_p p=0.05"   "xtc probability=0.5 threshold=0.1"
 *   "temperature t=0.8"   "temperature t=0.8 range=0.5 exponent=1"   "mirostat_v2 tau=5 eta=0.1"
 *   "greedy"   "dist"
 * Keys left out take their defaults (lm_sampler_catalog lists every sampler with them). A chain
 * that does not end with a picking sampler (greedy, dist, mirostat_v2) ends with "dist", a draw
 * from the chain's seeded random numbers: the same seed, specs and logits give the same tokens
 * on every run and CPU variant. Sampling allocates nothing per token after the first. */

/* A new, empty chain. model may be NULL; with it, sample checks n_vocab against the model's and
 * logit_bias checks its token ids. */
LM_API lm_status lm_sampler_new(const lm_model *model, uint64_t seed, lm_sampler **out_sampler);
/* Appends a sampler. A bad spec (unknown sampler or key, a value that is not a number or is out
 * of range, anything after a picking sampler) is LM_ERR_INVALID_ARGUMENT naming the problem,
 * and leaves the chain as it was. */
LM_API lm_status lm_sampler_add(lm_sampler *sampler, const char *spec);
/* Number of samplers added. */
LM_API lm_status lm_sampler_n(const lm_sampler *sampler, int32_t *out_n);
/* Every sampler as a spec with all its keys at their defaults, then a tab and what it does, one
 * per line (two-call string pattern). */
LM_API lm_status lm_sampler_catalog(char *buf, size_t capacity, size_t *out_len);
/* llama.cpp's default chain (common_sampler: penalties, top_k, typical, top_p, min_p, xtc,
 * temperature, dist) as specs, one per line. */
LM_API lm_status lm_sampler_default_chain(char *buf, size_t capacity, size_t *out_len);
LM_API void lm_sampler_free(lm_sampler *sampler);
/* Picks a token from n_vocab logits (they are not modified). */
LM_API lm_status lm_sampler_sample(lm_sampler *sampler, const float *logits, int32_t n_vocab,
                                   lm_token *out_token);
/* Records a token of the prompt or of the output, in order (penalties and mirostat use them). */
LM_API lm_status lm_sampler_accept(lm_sampler *sampler, lm_token token);
/* Forgets accepted tokens and restarts the random numbers from the seed. */
LM_API lm_status lm_sampler_reset(lm_sampler *sampler);

/* ---- grammar-constrained sampling ------------------------------------------------------ */

/* Constrains a chain to a grammar in GBNF, llama.cpp's grammar format (rules "name ::= ...",
 * alternatives |, grouping ( ), * + ? {m} {m,} {m,n}, string literals, character classes
 * [a-z] [^"\\], '.' any character, # comments), starting at the rule root_rule (NULL: "root").
 * The grammar applies before the chain's other samplers, as llama.cpp's does: a token the
 * grammar does not allow next is never picked, and an end-of-generation token only once the
 * text is a complete match. The chain must have been made with a model (the grammar masks its
 * vocabulary); one grammar per chain. Tokens accepted before this call do not reach the grammar
 * (accept the prompt first); lm_sampler_accept of a token the grammar does not allow is
 * LM_ERR_INVALID_ARGUMENT and changes nothing. A bad grammar is LM_ERR_INVALID_ARGUMENT naming
 * the line and column and what was expected, an undefined rule where it is used, or a
 * left-recursive rule; the chain is then as it was. */
LM_API lm_status lm_sampler_add_grammar(lm_sampler *sampler, const char *gbnf, const char *root_rule);
/* The GBNF grammar of the JSON texts a JSON schema (draft 2020-12 subset, as llama.cpp's
 * json-schema-to-grammar) allows: type, properties + required (optional properties in order),
 * additionalProperties, enum, const, string formats date, time, date-time and uuid, minLength,
 * maxLength, items, prefixItems, minItems, maxItems, $ref to #/$defs/... or #/definitions/...,
 * anyOf, oneOf, allOf of objects. The schema {"type": "object"} is any JSON object (a "JSON
 * mode"). A schema that is not JSON, or uses what the grammar cannot express (pattern, remote
 * $ref), is LM_ERR_INVALID_ARGUMENT naming it. Two-call string pattern (as lm_sampler_catalog). */
LM_API lm_status lm_json_schema_to_grammar(const char *schema_json, char *buf, size_t capacity, size_t *out_len);

/* ---- end of grammar-constrained sampling ------------------------------------------------ */

/* ---- writing models: quantize, synthesize ---------------------------------------------- */

/* Called during long operations with the units done so far and the total; return false to
 * cancel (the call then returns LM_ERR_CANCELLED and leaves no output file). */
typedef bool (*lm_progress_fn)(int64_t done, int64_t total, void *user_data);

typedef struct lm_quantize_params {
    const char *file_type;       /* "Q4_K_M", "Q8_0", "F16", ... (lm_file_type_names) */
    int32_t n_threads;           /* 0 = number of online CPUs */
    lm_progress_fn progress;     /* may be NULL */
    void *progress_user_data;
} lm_quantize_params;

typedef struct lm_synthesize_params {
    const char *shape;           /* "tinyllama-1.1b", ... (lm_model_shape_names) */
    const char *vocab_path;      /* a GGUF file whose tokenizer.* metadata is copied */
    const char *file_type;       /* as for lm_quantize_params */
    uint64_t seed;               /* same seed = same file */
    int32_t n_threads;
    lm_progress_fn progress;
    void *progress_user_data;
} lm_synthesize_params;

LM_API lm_quantize_params lm_quantize_default_params(void);
/* Rewrites a model with its matrices in another file type; norms stay F32 and the mixes keep
 * sensitive tensors at more bits, as llama.cpp's quantizer does. The output is written to a
 * temporary name and renamed when complete. */
LM_API lm_status lm_model_quantize(const char *in_path, const char *out_path, lm_quantize_params params);

LM_API lm_synthesize_params lm_synthesize_default_params(void);
/* Writes a random-weight llama model of a real model's exact shape (for benchmarks). */
LM_API lm_status lm_model_synthesize(const char *out_path, lm_synthesize_params params);

/* Comma-separated names of the file types and shapes above. Two-call string pattern. */
LM_API lm_status lm_file_type_names(char *buf, size_t capacity, size_t *out_len);
LM_API lm_status lm_model_shape_names(char *buf, size_t capacity, size_t *out_len);
/* The architectures (general.architecture values) Lamina runs, comma-separated. */
LM_API lm_status lm_architecture_names(char *buf, size_t capacity, size_t *out_len);
/* What sets one architecture apart (its blocks and special handling), for display;
 * LM_ERR_INVALID_ARGUMENT naming the supported ones for an unknown name. */
LM_API lm_status lm_architecture_summary(const char *name, char *buf, size_t capacity, size_t *out_len);
/* The KV cache types of lm_session_params.kv_type, the default first. */
LM_API lm_status lm_kv_type_names(char *buf, size_t capacity, size_t *out_len);

/* ---- LoRA adapters ------------------------------------------------------------------------ */

/* A LoRA adapter in llama.cpp's GGUF format (general.type = adapter, adapter.type = lora): pairs
 * `<matrix>.lora_a` ([n_in, r]) and `<matrix>.lora_b` ([r, n_out]) of F32, F16 or Q8_0 for some
 * of a model's matrices. A session applying an adapter at scale s computes
 * W*x + s*(alpha/r)*B*(A*x) wherever W is applied (s*B*(A*x) when adapter.lora.alpha is 0), as
 * llama.cpp does; several adapters add up. The model's weights are neither copied nor changed and
 * the adapter's tensors are used in place in its file's mapping. Adapted may be every 2-D matrix
 * product of the forward pass, the output matrix included; the token embedding and the 3-D
 * tensors of experts are refused.
 *
 * Ownership: an adapter belongs to the model it was loaded for and must be freed before it. A
 * session it is set on keeps the adapter's data alive, so freeing the handle first is safe (the
 * session goes on applying it until it is removed or the session freed). */
typedef struct lm_lora_adapter lm_lora_adapter;

/* Opens an adapter for `model` and checks it: its general.architecture must be the model's and
 * every pair must adapt a matrix of the model with matching shapes (errors name the tensor). */
LM_API lm_status lm_lora_adapter_load(const lm_model *model, const char *path, lm_lora_adapter **out_adapter);
LM_API void lm_lora_adapter_free(lm_lora_adapter *adapter);  /* NULL is ignored */
/* adapter.lora.alpha (0 when the file has none). */
LM_API lm_status lm_lora_adapter_alpha(const lm_lora_adapter *adapter, float *out_alpha);
/* The largest rank of its pairs. */
LM_API lm_status lm_lora_adapter_rank(const lm_lora_adapter *adapter, int64_t *out_rank);
/* The number of matrices it adapts (lora_a/lora_b pairs). */
LM_API lm_status lm_lora_adapter_n_tensors(const lm_lora_adapter *adapter, int64_t *out_n);

/* Applies `adapter` (of the session's model) at `scale` (finite; 0 contributes nothing) from the
 * next evaluation on, or changes its scale when it is already set: llama_set_adapter_lora. */
LM_API lm_status lm_session_set_lora(lm_session *session, const lm_lora_adapter *adapter, float scale);
/* Stops applying `adapter`; LM_ERR_INVALID_ARGUMENT when it was not set (llama_rm_adapter_lora). */
LM_API lm_status lm_session_remove_lora(lm_session *session, const lm_lora_adapter *adapter);
/* Stops applying every adapter (llama_clear_adapter_lora). */
LM_API lm_status lm_session_clear_lora(lm_session *session);
/* The number of adapters the session applies. */
LM_API lm_status lm_session_n_lora(const lm_session *session, int32_t *out_n);

/* A random adapter for a model file (tests, reference data): same base, params and seed, same
 * file. A's values have a standard deviation of 1/sqrt(n_in), B's 0.02. */
typedef struct lm_lora_synthesize_params {
    const char *targets;  /* comma-separated: "attn_q,attn_v,ffn_down" adapts blk.N.attn_q.weight...;
                             "output" adapts output.weight. Each must match a 2-D tensor */
    const char *type;     /* "F32", "F16" or "Q8_0" (every row length a multiple of 32) */
    int32_t rank;         /* 1 .. 4096 */
    float alpha;          /* adapter.lora.alpha; 0 writes none (the factor is then the scale) */
    uint64_t seed;
} lm_lora_synthesize_params;

/* targets "attn_q,attn_v", type "F32", rank 8, alpha 16, seed 1. */
LM_API lm_lora_synthesize_params lm_lora_synthesize_default_params(void);
LM_API lm_status lm_lora_synthesize(const char *base_path, const char *out_path, lm_lora_synthesize_params params);

#ifdef __cplusplus
}
#endif

#endif /* LAMINA_H */
