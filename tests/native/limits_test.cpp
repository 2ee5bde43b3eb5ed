// Limits: files that claim absurd sizes are rejected before anything is allocated for them, and
// sessions the machine cannot hold are clear errors, not an OOM kill. Allocation-sensitive
// cases run in a forked child with a tight address-space limit (RLIMIT_AS): an allocation the
// file does not justify fails there, and the child reports how the call ended.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "common/error.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "lamina.h"
#include "model/hparams.h"
#include "runtime/kv_cache.h"
#include "runtime/memory_budget.h"
#include "runtime/thread_pool.h"
#include "test_data.h"

namespace {

using lamina::GgmlType;
using lamina::GgufFile;
using lamina::GgufWriter;
using lamina::LaminaError;
using Bytes = std::vector<uint8_t>;

// ---- helpers -----------------------------------------------------------------------------

struct ChildResult {
    int exit_code = -1;   // -1 when the child died from a signal
    int signal = 0;
    std::string message;  // what the child wrote
};

// Runs `body` in a forked child whose address space may grow by at most `headroom` bytes.
// body returns an exit code and may write a message into its string.
ChildResult run_with_memory_headroom(uint64_t headroom, const std::function<int(std::string &)> &body) {
    int fds[2];
    if (pipe(fds) != 0) return {};
    const pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        long vm_pages = 0;
        if (FILE *f = std::fopen("/proc/self/statm", "r")) {
            if (std::fscanf(f, "%ld", &vm_pages) != 1) vm_pages = 0;
            std::fclose(f);
        }
        const rlim_t current = static_cast<rlim_t>(vm_pages) * static_cast<rlim_t>(sysconf(_SC_PAGE_SIZE));
        const rlimit limit{current + headroom, current + headroom};
        if (vm_pages == 0 || setrlimit(RLIMIT_AS, &limit) != 0) _exit(120);
        std::string message;
        int code = 121;
        try {
            code = body(message);
        } catch (const std::bad_alloc &) {
            message = "std::bad_alloc escaped";
            code = 122;
        } catch (const std::exception &e) {
            message = std::string("exception escaped: ") + e.what();
            code = 123;
        }
        if (!message.empty() && write(fds[1], message.data(), message.size()) < 0) code = 124;
        close(fds[1]);
        _exit(code);
    }
    close(fds[1]);
    ChildResult r;
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) r.message.append(buf, static_cast<size_t>(n));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
    return r;
}

// Parses `bytes` in a child limited to 64 MiB of new address space. Returns the child's result:
// exit 0 with the LaminaError message when the reader rejected the file.
ChildResult parse_in_tight_child(const Bytes &bytes) {
    return run_with_memory_headroom(64u << 20, [&](std::string &message) {
        try {
            GgufFile::parse(bytes.data(), bytes.size(), "absurd.gguf");
        } catch (const LaminaError &e) {
            message = e.what();
            return 0;
        }
        message = "the file was accepted";
        return 1;
    });
}

// A small valid file: two metadata entries and one tensor.
Bytes small_file() {
    GgufWriter w;
    w.set_string("general.architecture", "llama");
    w.set_u32("llama.block_count", 2);
    const float data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    w.add_tensor("a.weight", GgmlType::F32, {4, 2}, data, sizeof data);
    return w.serialize();
}

size_t find(const Bytes &b, const std::string &s) {
    auto it = std::search(b.begin(), b.end(), s.begin(), s.end());
    return it == b.end() ? std::string::npos : static_cast<size_t>(it - b.begin());
}
void put_u32(Bytes &b, size_t at, uint32_t v) { std::memcpy(b.data() + at, &v, 4); }
void put_u64(Bytes &b, size_t at, uint64_t v) { std::memcpy(b.data() + at, &v, 8); }
// Offset of the first dimension of tensor a.weight (after its name, n_dims).
size_t a_weight_dims(const Bytes &b) { return find(b, "a.weight") + 8 + 4; }

void expect_rejected(const Bytes &bytes, const std::vector<std::string> &needles) {
    const ChildResult r = parse_in_tight_child(bytes);
    ASSERT_EQ(r.signal, 0) << "the reader crashed (signal " << r.signal << ")";
    EXPECT_EQ(r.exit_code, 0) << r.message;
    for (const std::string &n : needles) EXPECT_NE(r.message.find(n), std::string::npos) << r.message;
}

// ---- absurd sizes in files ---------------------------------------------------------------

TEST(Limits, ChildHarnessCatchesAnUnjustifiedAllocation) {
    // The harness itself must be able to fail: mapping 1 GiB in the limited child fails, and
    // 16 MiB still works. (mmap, not operator new: under AddressSanitizer a failing new aborts.)
    const ChildResult r = run_with_memory_headroom(64u << 20, [](std::string &message) {
        void *big = mmap(nullptr, size_t{1} << 30, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        void *small = mmap(nullptr, size_t{16} << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        message = big == MAP_FAILED ? "refused" : "mapped";
        return small != MAP_FAILED ? 0 : 1;
    });
    EXPECT_EQ(r.signal, 0);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.message, "refused");
}

TEST(Limits, TrillionTensorsRejectedBeforeAllocation) {
    Bytes b = small_file();
    put_u64(b, 8, 1000000000000ull);
    expect_rejected(b, {"claims 1000000000000 tensors"});
}

TEST(Limits, MaximumCountsInATinyFileAllocateNothingBig) {
    // Counts just inside the reader's sanity bounds (2^20) in a 100-byte file: the reader must
    // find the file short before reserving room for a million entries.
    Bytes b = small_file();
    put_u64(b, 8, uint64_t{1} << 20);
    put_u64(b, 16, uint64_t{1} << 20);
    expect_rejected(b, {"'absurd.gguf'"});
}

TEST(Limits, TensorOf2To62BytesRejected) {
    Bytes b = small_file();
    const size_t dims = a_weight_dims(b);
    put_u64(b, dims, uint64_t{1} << 31);
    put_u64(b, dims + 8, uint64_t{1} << 29);  // 2^60 floats = 2^62 bytes
    expect_rejected(b, {"'a.weight'", "absurd element count"});
}

TEST(Limits, GigabyteStringRejected) {
    Bytes b = small_file();
    put_u64(b, find(b, "llama") - 8, uint64_t{1} << 30);  // the length of general.architecture's value
    expect_rejected(b, {"'general.architecture'", "1073741824", "past the end"});
}

TEST(Limits, GigabyteKeyRejected) {
    Bytes b = small_file();
    put_u64(b, 24, uint64_t{1} << 30);
    expect_rejected(b, {"key of metadata entry 0", "past the end"});
}

TEST(Limits, ElementCountOverflowRejected) {
    // 2^32 x 2^32: the product wraps to 0 in 64 bits.
    Bytes b = small_file();
    const size_t at = find(b, "a.weight") + 8;
    put_u32(b, at, 2);
    put_u64(b, at + 4, uint64_t{1} << 32);
    put_u64(b, at + 12, uint64_t{1} << 32);
    expect_rejected(b, {"'a.weight'", "absurd element count"});
}

TEST(Limits, HugeArrayCountsRejected) {
    GgufWriter w;
    w.set_string("general.architecture", "llama");
    lamina::GgufValue arr;
    arr.type = lamina::GgufValueType::ARRAY;
    arr.elem_type = lamina::GgufValueType::UINT32;
    const uint32_t three[3] = {1, 2, 3};
    arr.count = 3;
    arr.elems = reinterpret_cast<const uint8_t *>(three);
    w.set_value("x.numbers", arr);
    Bytes b = w.serialize();
    const size_t count_at = find(b, "x.numbers") + 9 + 4 + 4;
    put_u64(b, count_at, uint64_t{1} << 62);
    expect_rejected(b, {"'x.numbers'", "past the end"});
    put_u32(b, count_at - 4, 8 /*strings*/);
    put_u64(b, count_at, uint64_t{1} << 40);
    expect_rejected(b, {"'x.numbers'", "more than the file can hold"});
}

// ---- session limits ----------------------------------------------------------------------

struct ModelHandle {
    lm_model *model = nullptr;
    ~ModelHandle() { lm_model_free(model); }
};

// A model whose KV cache is huge per token: 1 wide, one head of width 65536, one layer, the
// stories260K vocabulary. Its weights are tiny (a few MB), so the file is cheap to write.
std::string write_wide_kv_model() {
    const std::string src_path = lamina::testing::require_test_file("models/stories260K-f32.gguf");
    if (src_path.empty()) return {};
    auto src = GgufFile::open(src_path);
    GgufWriter w;
    w.copy_metadata(*src);
    w.set_u32("llama.context_length", 1u << 20);
    w.set_u32("llama.embedding_length", 1);
    w.set_u32("llama.feed_forward_length", 1);
    w.set_u32("llama.block_count", 1);
    w.set_u32("llama.attention.head_count", 1);
    w.set_u32("llama.attention.head_count_kv", 1);
    w.set_u32("llama.attention.key_length", 65536);
    w.set_u32("llama.attention.value_length", 65536);
    w.set_u32("llama.rope.dimension_count", 2);
    const int64_t V = static_cast<int64_t>(src->get_array("tokenizer.ggml.tokens").count), D = 65536;
    const std::vector<float> zeros(static_cast<size_t>(std::max<int64_t>(V, D)), 0.0f);
    auto add = [&](const std::string &name, std::vector<int64_t> ne) {
        int64_t n = 1;
        for (int64_t d : ne) n *= d;
        w.add_tensor(name, GgmlType::F32, ne, zeros.data(), static_cast<size_t>(n) * sizeof(float));
    };
    add("token_embd.weight", {1, V});
    add("output_norm.weight", {1});
    add("blk.0.attn_norm.weight", {1});
    add("blk.0.attn_q.weight", {1, D});
    add("blk.0.attn_k.weight", {1, D});
    add("blk.0.attn_v.weight", {1, D});
    add("blk.0.attn_output.weight", {D, 1});
    add("blk.0.ffn_norm.weight", {1});
    add("blk.0.ffn_gate.weight", {1, 1});
    add("blk.0.ffn_up.weight", {1, 1});
    add("blk.0.ffn_down.weight", {1, 1});
    const std::string path = ::testing::TempDir() + "lamina-wide-kv-" + std::to_string(getpid()) + ".gguf";
    w.write(path);
    return path;
}

lm_status new_session(const lm_model *model, int32_t n_ctx, int32_t n_batch, lm_session **out) {
    lm_session_params p = lm_session_default_params();
    p.n_ctx = n_ctx;
    p.n_batch = n_batch;
    p.n_threads = 1;
    return lm_session_new(model, p, out);
}

TEST(Limits, ContextOf2To30IsAClearError) {
    ModelHandle m;
    const std::string path = lamina::testing::require_test_file("models/stories260K-f32.gguf");
    ASSERT_FALSE(path.empty());
    ASSERT_EQ(lm_model_load(path.c_str(), lm_model_default_params(), &m.model), LM_OK) << lm_last_error();
    lm_session *s = nullptr;
    EXPECT_EQ(new_session(m.model, 1 << 30, 0, &s), LM_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(s, nullptr);
    EXPECT_NE(std::string(lm_last_error()).find("n_ctx = 1073741824 is out of range"), std::string::npos)
        << lm_last_error();
    EXPECT_EQ(new_session(m.model, -1, 0, &s), LM_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(new_session(m.model, 64, -5, &s), LM_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(lm_last_error()).find("n_batch = -5"), std::string::npos) << lm_last_error();
}

TEST(Limits, KvCacheLargerThanTheMachineIsRefusedBeforeAllocating) {
    const std::string path = write_wide_kv_model();
    ASSERT_FALSE(path.empty());
    ModelHandle m;
    ASSERT_EQ(lm_model_load(path.c_str(), lm_model_default_params(), &m.model), LM_OK) << lm_last_error();
    std::remove(path.c_str());
    // 256 KiB of K and V per position in the default F16 cache: 2^20 positions need 256 GiB.
    const uint64_t need = uint64_t{2} * 65536 * 2 << 20;
    ASSERT_GT(need, lamina::host_memory_limit()) << "this machine has more memory than the test assumes";
    // In a child limited to 256 MiB more address space: had the cache been allocated (or
    // touched) before the check, the child would die or report a failed allocation instead.
    const ChildResult r = run_with_memory_headroom(256u << 20, [&](std::string &message) {
        lm_session *s = nullptr;
        const lm_status st = new_session(m.model, 1 << 20, 0, &s);
        message = lm_last_error();
        lm_session_free(s);
        return static_cast<int>(st);
    });
    ASSERT_EQ(r.signal, 0);
    EXPECT_EQ(r.exit_code, LM_ERR_OUT_OF_MEMORY) << r.message;
    EXPECT_NE(r.message.find("n_ctx = 1048576"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("KV cache 262144 MiB"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("of memory; use a smaller context"), std::string::npos) << r.message;
}

TEST(Limits, KvCacheAllocationFailureIsAnError) {
    const std::string path = write_wide_kv_model();
    ASSERT_FALSE(path.empty());
    ModelHandle m;
    ASSERT_EQ(lm_model_load(path.c_str(), lm_model_default_params(), &m.model), LM_OK) << lm_last_error();
    std::remove(path.c_str());
    // 2048 positions: 1 GiB of KV cache, within the machine's memory but not within the 64 MiB
    // the child may still map.
    const ChildResult r = run_with_memory_headroom(64u << 20, [&](std::string &message) {
        lm_session *s = nullptr;
        const lm_status st = new_session(m.model, 2048, 1, &s);
        message = lm_last_error();
        lm_session_free(s);
        return static_cast<int>(st);
    });
    ASSERT_EQ(r.signal, 0) << "allocation failure crashed the process";
    EXPECT_EQ(r.exit_code, LM_ERR_OUT_OF_MEMORY) << r.message;
    EXPECT_NE(r.message.find("cannot allocate the KV cache"), std::string::npos) << r.message;

    // Without the limit the same session works (the failure above was the allocation's).
    lm_session *s = nullptr;
    ASSERT_EQ(new_session(m.model, 2048, 1, &s), LM_OK) << lm_last_error();
    const lm_token t = 1;
    EXPECT_EQ(lm_session_eval(s, &t, 1, 0, false), LM_OK) << lm_last_error();
    lm_session_free(s);
}

TEST(Limits, BatchAndContextEnforcedOnEval) {
    ModelHandle m;
    const std::string path = lamina::testing::require_test_file("models/stories260K-f32.gguf");
    ASSERT_FALSE(path.empty());
    ASSERT_EQ(lm_model_load(path.c_str(), lm_model_default_params(), &m.model), LM_OK) << lm_last_error();
    lm_session *s = nullptr;
    ASSERT_EQ(new_session(m.model, 16, 4, &s), LM_OK) << lm_last_error();
    std::vector<lm_token> tokens(20, 1);
    EXPECT_EQ(lm_session_eval(s, tokens.data(), 5, 0, false), LM_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(lm_last_error()).find("exceeds n_batch = 4"), std::string::npos) << lm_last_error();
    for (int32_t pos = 0; pos < 16; pos += 4) ASSERT_EQ(lm_session_eval(s, tokens.data(), 4, pos, false), LM_OK);
    EXPECT_EQ(lm_session_eval(s, tokens.data(), 1, 16, false), LM_ERR_CONTEXT_FULL);
    EXPECT_NE(std::string(lm_last_error()).find("the context holds 16 tokens"), std::string::npos) << lm_last_error();
    EXPECT_EQ(lm_session_eval(s, tokens.data(), -3, 0, false), LM_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(lm_session_eval(s, tokens.data(), INT32_MAX, 0, false), LM_ERR_CONTEXT_FULL);
    EXPECT_EQ(lm_session_eval(s, tokens.data(), 1, INT32_MAX, false), LM_ERR_INVALID_ARGUMENT);
    lm_session_free(s);
}

TEST(Limits, SessionMemoryEstimateAndCheck) {
    lamina::ModelHparams hp;
    hp.n_layer = 22;
    hp.n_embd = 2048;
    hp.n_head = 32;
    hp.n_head_kv = 4;
    hp.head_dim = 64;
    hp.n_ff = 5632;
    // TinyLlama shape with an F16 cache: 2 x 22 x 256 x 2 bytes = 22 KiB of KV per position.
    const uint64_t per_token = 2 * 22 * lamina::kv_row_bytes(lamina::GgmlType::F16, 256);
    EXPECT_EQ(per_token, uint64_t{2} * 22 * 256 * 2);
    const lamina::SessionMemory m = lamina::estimate_session_memory(hp, 4096, 512, 2, per_token);
    EXPECT_EQ(m.kv_cache, uint64_t{2} * 22 * 4096 * 256 * 2);
    EXPECT_GT(m.scratch, uint64_t{512} * (2048 + 5632) * 4);
    // No buffer grows with the context any more: attention keeps no score row per thread.
    EXPECT_EQ(lamina::estimate_session_memory(hp, 1 << 20, 512, 2, per_token).scratch, m.scratch);
    EXPECT_NO_THROW(lamina::check_session_memory("m.gguf", hp, 4096, 512, 2, per_token, uint64_t{1} << 30));
    try {
        lamina::check_session_memory("m.gguf", hp, 1 << 20, 512, 2, per_token, uint64_t{8} << 30);
        ADD_FAILURE() << "a 22 GiB KV cache passed an 8 GiB limit";
    } catch (const LaminaError &e) {
        EXPECT_EQ(e.status(), LM_ERR_OUT_OF_MEMORY);
        EXPECT_NE(std::string(e.what()).find("'m.gguf'"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("8192 MiB"), std::string::npos) << e.what();
    }
    // The largest shapes the reader allows must not overflow the estimate.
    hp.n_layer = 4096;
    hp.n_head_kv = 4096;
    hp.n_head = 4096;
    hp.head_dim = 65536;
    hp.n_ff = 1 << 20;
    hp.n_embd = 1 << 20;
    const uint64_t huge_per_token = 2 * 4096 * lamina::kv_row_bytes(lamina::GgmlType::F32, int64_t{4096} * 65536);
    const lamina::SessionMemory huge = lamina::estimate_session_memory(hp, 1 << 20, 512, 512, huge_per_token);
    EXPECT_GE(huge.total(), huge.kv_cache);
    EXPECT_GE(huge.kv_cache, uint64_t{1} << 62);
    EXPECT_THROW(lamina::check_session_memory("m.gguf", hp, 1 << 20, 512, 512, huge_per_token,
                                              lamina::host_memory_limit()),
                 LaminaError);
}

TEST(Limits, HostMemoryLimitIsPlausible) {
    const uint64_t limit = lamina::host_memory_limit();
    EXPECT_GE(limit, uint64_t{64} << 20);
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    EXPECT_LE(limit, static_cast<uint64_t>(pages) * static_cast<uint64_t>(page));
}

}  // namespace

// ---- threads the OS refuses --------------------------------------------------------------

#if defined(__SANITIZE_ADDRESS__)
#define LAMINA_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LAMINA_UNDER_ASAN 1
#endif
#endif

TEST(Limits, ThreadsTheOsRefusesAreAnErrorNotATermination) {
#if defined(LAMINA_UNDER_ASAN)
    GTEST_SKIP() << "AddressSanitizer reserves thread stacks its own way";
#else
    // 64 workers need 64 default stacks (8 MiB each): far more than 64 MiB of headroom. A
    // half-started pool used to destroy joinable threads, i.e. std::terminate.
    const ChildResult r = run_with_memory_headroom(64u << 20, [](std::string &message) {
        try {
            lamina::ThreadPool pool(64);
            message = "all 63 workers started";
            return 1;
        } catch (const LaminaError &e) {
            message = e.what();
            return e.status() == LM_ERR_OUT_OF_MEMORY ? 0 : 2;
        }
    });
    EXPECT_EQ(r.signal, 0) << r.message;
    EXPECT_EQ(r.exit_code, 0) << r.message;
    EXPECT_NE(r.message.find("cannot start worker thread"), std::string::npos) << r.message;
#endif
}
