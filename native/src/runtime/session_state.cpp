#include "runtime/session_state.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

#include "common/error.h"
#include "runtime/session.h"

namespace lamina {
namespace {

constexpr char kMagic[8] = {'L', 'M', 'S', 'T', 'A', 'T', 'E', '\0'};

uint64_t fnv1a(const uint8_t *p, size_t n) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

class Writer {
public:
    template <typename T>
    void put(T v) {
        const auto *p = reinterpret_cast<const uint8_t *>(&v);
        out.insert(out.end(), p, p + sizeof v);
    }
    void bytes(const void *p, size_t n) {
        const auto *b = static_cast<const uint8_t *>(p);
        out.insert(out.end(), b, b + n);
    }
    std::vector<uint8_t> out;
};

class Reader {
public:
    Reader(const uint8_t *p, size_t n, const std::string &source) : p_(p), n_(n), source_(source) {}
    template <typename T>
    T get(const char *what) {
        T v;
        std::memcpy(&v, take(sizeof v, what), sizeof v);
        return v;
    }
    const uint8_t *take(size_t n, const char *what) {
        if (n > n_ - at_) {
            fail(LM_ERR_BAD_FORMAT, source_ + ": the session state is truncated (" + std::to_string(n_) +
                                        " bytes; it ends inside " + what + ")");
        }
        const uint8_t *p = p_ + at_;
        at_ += n;
        return p;
    }
    size_t at() const { return at_; }

private:
    const uint8_t *p_;
    size_t n_, at_ = 0;
    const std::string &source_;
};

}  // namespace

std::vector<uint8_t> save_session_state(const Session &s) {
    const KvCache &cache = s.cache_;
    const bool shared_v = cache.values_in_keys();
    Writer w;
    w.bytes(kMagic, sizeof kMagic);
    w.put<uint32_t>(kSessionStateVersion);
    w.bytes(s.model_.sha256().data(), 64);
    w.put<uint32_t>(static_cast<uint32_t>(cache.n_layer()));
    w.put<uint32_t>(static_cast<uint32_t>(cache.type()));
    w.put<uint64_t>(cache.k_row_bytes());
    w.put<uint64_t>(shared_v ? 0 : cache.v_row_bytes());
    w.put<uint32_t>(static_cast<uint32_t>(s.n_seq_max_));
    std::vector<int32_t> used;
    const int32_t extent = s.cells_.extent();
    for (int32_t c = 0; c < extent; ++c) {
        if (s.cells_.sequences()[c] != 0) used.push_back(c);
    }
    w.put<uint32_t>(static_cast<uint32_t>(used.size()));
    w.put<uint32_t>(static_cast<uint32_t>(extent));
    for (int32_t c : used) {
        w.put<int32_t>(c);
        w.put<int32_t>(s.cells_.positions()[c]);
        w.put<uint64_t>(s.cells_.sequences()[c]);
    }
    auto &rows = const_cast<KvCache &>(cache);  // read-only use of the row accessors
    for (int32_t l = 0; l < cache.n_layer(); ++l) {
        for (int32_t c : used) w.bytes(rows.k_row(l, c), cache.k_row_bytes());
        if (!shared_v) {
            for (int32_t c : used) w.bytes(rows.v_row(l, c), cache.v_row_bytes());
        }
    }
    const int32_t n_vocab = s.row_width();
    w.put<uint32_t>(static_cast<uint32_t>(s.n_logit_rows_));
    w.put<uint32_t>(static_cast<uint32_t>(n_vocab));
    w.bytes(s.logits_.data(), static_cast<size_t>(s.n_logit_rows_) * n_vocab * sizeof(float));
    w.put<uint64_t>(fnv1a(w.out.data(), w.out.size()));
    return std::move(w.out);
}

size_t session_state_size(const Session &s) {
    const KvCache &cache = s.cache_;
    size_t used = 0;
    for (int32_t c = 0; c < s.cells_.extent(); ++c) used += s.cells_.sequences()[c] != 0;
    const size_t row = cache.k_row_bytes() + (cache.values_in_keys() ? 0 : cache.v_row_bytes());
    return sizeof kMagic + 4 + 64 + 4 + 4 + 8 + 8 + 4 + 4 + 4 + used * 16 +
           static_cast<size_t>(cache.n_layer()) * used * row + 4 + 4 +
           static_cast<size_t>(s.n_logit_rows_) * s.row_width() * sizeof(float) + 8;
}

void load_session_state(Session &s, const uint8_t *data, size_t size, const std::string &source) {
    Reader r(data, size, source);
    if (std::memcmp(r.take(sizeof kMagic, "the magic"), kMagic, sizeof kMagic) != 0) {
        fail(LM_ERR_BAD_FORMAT, source + " is not a Lamina session state (no LMSTATE magic)");
    }
    const uint32_t version = r.get<uint32_t>("the version");
    if (version != kSessionStateVersion) {
        fail(LM_ERR_BAD_FORMAT, source + ": session state version " + std::to_string(version) +
                                    " is not supported (this library reads version " +
                                    std::to_string(kSessionStateVersion) + ")");
    }
    // The checksum first: every later check then reads bytes that were written as they are.
    uint64_t stored = 0;
    if (size < r.at() + sizeof stored) r.take(sizeof stored, "the checksum");
    std::memcpy(&stored, data + size - sizeof stored, sizeof stored);
    if (fnv1a(data, size - sizeof stored) != stored) {
        fail(LM_ERR_BAD_FORMAT, source + ": the session state is corrupted or truncated (its checksum does not match)");
    }
    const std::string sha(reinterpret_cast<const char *>(r.take(64, "the model's SHA-256")), 64);
    if (sha != s.model_.sha256()) {
        fail(LM_ERR_INVALID_ARGUMENT, source + " was saved from another model (SHA-256 " + sha + "; this session's model, '" +
                                          s.model_.file().name() + "', is " + s.model_.sha256() + ")");
    }
    KvCache &cache = s.cache_;
    const bool shared_v = cache.values_in_keys();
    const uint32_t n_layer = r.get<uint32_t>("n_layer"), type = r.get<uint32_t>("the KV type");
    const uint64_t k_bytes = r.get<uint64_t>("the K row size"), v_bytes = r.get<uint64_t>("the V row size");
    if (type != static_cast<uint32_t>(cache.type()) || k_bytes != cache.k_row_bytes() ||
        v_bytes != (shared_v ? 0 : cache.v_row_bytes()) || n_layer != static_cast<uint32_t>(cache.n_layer())) {
        fail(LM_ERR_INVALID_ARGUMENT, source + ": the saved KV cache (type " +
                                          std::string(kv_type_name(static_cast<GgmlType>(type)) ? kv_type_name(static_cast<GgmlType>(type)) : "?") +
                                          ", " + std::to_string(k_bytes) + "-byte key rows) does not fit this session's (" +
                                          kv_type_name(cache.type()) + ", " + std::to_string(cache.k_row_bytes()) +
                                          "-byte key rows): use the same kv_type");
    }
    const uint32_t n_seq = r.get<uint32_t>("n_seq_max");
    const uint32_t n_used = r.get<uint32_t>("the cell count"), extent = r.get<uint32_t>("the extent");
    if (extent > static_cast<uint32_t>(s.n_ctx_)) {
        fail(LM_ERR_INVALID_ARGUMENT, source + ": the saved state reaches cell " + std::to_string(extent) +
                                          ", beyond this session's context of " + std::to_string(s.n_ctx_) + " tokens");
    }
    struct Cell {
        int32_t cell, pos;
        uint64_t seqs;
    };
    std::vector<Cell> cells(n_used <= extent ? n_used : 0);
    if (n_used > extent) fail(LM_ERR_BAD_FORMAT, source + ": more used cells than its extent");
    const uint64_t allowed = s.n_seq_max_ >= 64 ? ~uint64_t{0} : (uint64_t{1} << s.n_seq_max_) - 1;
    for (Cell &c : cells) {
        c.cell = r.get<int32_t>("the cells");
        c.pos = r.get<int32_t>("the cells");
        c.seqs = r.get<uint64_t>("the cells");
        if (c.cell < 0 || static_cast<uint32_t>(c.cell) >= extent || c.pos < 0 || c.seqs == 0) {
            fail(LM_ERR_BAD_FORMAT, source + ": cell " + std::to_string(c.cell) + " is not valid");
        }
        if ((c.seqs & ~allowed) != 0) {
            fail(LM_ERR_INVALID_ARGUMENT, source + ": the state holds sequences beyond this session's n_seq_max " +
                                              std::to_string(s.n_seq_max_) + " (it was saved with " +
                                              std::to_string(n_seq) + ")");
        }
    }
    const uint8_t *rows = r.take(static_cast<size_t>(n_layer) * n_used * (k_bytes + v_bytes), "the KV rows");
    const uint32_t n_rows = r.get<uint32_t>("the output rows"), n_vocab = r.get<uint32_t>("the output row width");
    if (n_vocab != static_cast<uint32_t>(s.row_width())) {
        fail(LM_ERR_INVALID_ARGUMENT, source + ": its output rows are " + std::to_string(n_vocab) +
                                          " values wide, this session's " + std::to_string(s.row_width()) +
                                          " (a state of an embeddings session fits only another)");
    }
    const uint8_t *logits = r.take(static_cast<size_t>(n_rows) * n_vocab * sizeof(float), "the logits");
    r.take(sizeof stored, "the checksum");
    if (r.at() != size) fail(LM_ERR_BAD_FORMAT, source + ": " + std::to_string(size - r.at()) + " bytes after the state");

    // Everything checked: only now does the session change.
    s.cells_.clear();
    for (const Cell &c : cells) s.cells_.restore(c.cell, c.pos, c.seqs);
    for (uint32_t l = 0; l < n_layer; ++l) {
        for (const Cell &c : cells) {
            std::memcpy(cache.k_row(static_cast<int32_t>(l), c.cell), rows, k_bytes);
            rows += k_bytes;
        }
        for (const Cell &c : cells) {
            if (v_bytes == 0) break;
            std::memcpy(cache.v_row(static_cast<int32_t>(l), c.cell), rows, v_bytes);
            rows += v_bytes;
        }
    }
    s.logits_.resize(static_cast<size_t>(n_rows) * n_vocab);
    std::memcpy(s.logits_.data(), logits, s.logits_.size() * sizeof(float));
    s.n_logit_rows_ = static_cast<int32_t>(n_rows);
}

void save_session_state_file(const Session &session, const std::string &path) {
    const std::vector<uint8_t> bytes = save_session_state(session);
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) fail(LM_ERR_IO, "cannot write the session state to '" + tmp + "'");
        out.write(reinterpret_cast<const char *>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        out.flush();
        if (!out) {
            out.close();
            std::remove(tmp.c_str());
            fail(LM_ERR_IO, "writing the session state to '" + tmp + "' failed (disk full?)");
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        fail(LM_ERR_IO, "cannot rename '" + tmp + "' to '" + path + "'");
    }
}

void load_session_state_file(Session &session, const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(LM_ERR_IO, "cannot open the session state '" + path + "'");
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) fail(LM_ERR_IO, "reading the session state '" + path + "' failed");
    load_session_state(session, bytes.data(), bytes.size(), "'" + path + "'");
}

}  // namespace lamina
