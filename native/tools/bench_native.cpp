// lamina_bench_native: `lamina bench` through the C API only, so the Java loop's overhead can be
// measured against it (`lamina bench --compare-native PATH`). Same tests, same synthetic tokens,
// same statistics and output format (Markdown table or --json) as the Java command.
//
//   lamina_bench_native -m FILE[,FILE] [-t 1,2] [-p 512] [-n 128] [-d 0] [-s 1] [-ctk f16] [-r 5] [--json]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "lamina.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
    std::vector<std::string> models;
    std::vector<int> threads;
    std::vector<int> prompt{512};
    std::vector<int> gen{128};
    std::vector<int> depth{0};
    std::vector<int> sequences{1};
    int sessions = 1;
    std::vector<std::string> kv_types;  // empty: the library's default
    int repetitions = 5;
    bool json = false;
    bool repack = true;
    bool bandwidth = false;
};

struct Row {
    std::string model_file, model_type, cpu_variant, kv_type, test;
    int64_t size = 0, params = 0, peak_rss = -1;
    int64_t bytes_per_token = 0;  // weight bytes one decode step reads
    int threads = 0, n_prompt = 0, n_gen = 0, depth = 0, sequences = 1;
    std::vector<double> samples;
    double load_ms = 0;

    double mean() const {
        double s = 0;
        for (double x : samples) s += x;
        return samples.empty() ? 0 : s / static_cast<double>(samples.size());
    }
    double stddev() const {
        if (samples.size() < 2) return 0;
        const double m = mean();
        double s = 0;
        for (double x : samples) s += (x - m) * (x - m);
        return std::sqrt(s / static_cast<double>(samples.size() - 1));
    }
};

[[noreturn]] void die(const std::string &msg) {
    std::fprintf(stderr, "lamina_bench_native: %s\n", msg.c_str());
    std::exit(1);
}

void check(lm_status st, const std::string &what) {
    if (st != LM_OK) die(what + ": " + lm_status_name(st) + ": " + lm_last_error());
}

std::vector<std::string> split(const std::string &s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ',')) {
        if (!item.empty()) out.push_back(item);
    }
    return out;
}

std::vector<int> split_ints(const std::string &s, const char *flag, int min) {
    std::vector<int> out;
    for (const std::string &item : split(s)) {
        char *end = nullptr;
        const long v = std::strtol(item.c_str(), &end, 10);
        if (*end != '\0' || v < min || v > 1000000) die(std::string(flag) + ": bad value '" + item + "'");
        out.push_back(static_cast<int>(v));
    }
    return out;
}

Options parse(int argc, char **argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) die(a + " needs a value");
            return argv[++i];
        };
        if (a == "-m") o.models = split(value());
        else if (a == "-t") o.threads = split_ints(value(), "-t", 1);
        else if (a == "-p") o.prompt = split_ints(value(), "-p", 0);
        else if (a == "-n") o.gen = split_ints(value(), "-n", 0);
        else if (a == "-d") o.depth = split_ints(value(), "-d", 0);
        else if (a == "-s" || a == "--sequences") o.sequences = split_ints(value(), "-s", 1);
        else if (a == "--sessions") o.sessions = split_ints(value(), "--sessions", 1).at(0);
        else if (a == "-ctk") o.kv_types = split(value());
        else if (a == "-r") o.repetitions = split_ints(value(), "-r", 1).at(0);
        else if (a == "--json") o.json = true;
        else if (a == "--no-repack") o.repack = false;
        else if (a == "--bandwidth") o.bandwidth = true;
        else if (a == "-h" || a == "--help") {
            std::printf("usage: lamina_bench_native -m FILE[,FILE] [-t 1,2] [-p 512] [-n 128] [-r 5] [--json] [--no-repack] [--bandwidth]\n"
                        "  -d N         tokens already in the KV cache when a test starts (untimed), as llama-bench\n"
                        "  -s N         decode tests run N sequences together (one batch per step, each sequence\n"
                        "               with its own DEPTH tokens); t/s is the aggregate over all N\n"
                        "  --sessions N also run each decode test in N sessions at once, one thread each calling\n"
                        "               it (they share the model's worker threads); t/s is the aggregate\n"
                        "  -ctk TYPE    KV cache type (K and V alike): the names of lm_kv_type_names\n"
                        "  --no-repack  keep Q4_0/Q8_0/Q4_K/Q5_K/Q6_K weights in the file's layout (lm_model_params.repack_weights = false)\n"
                        "  --bandwidth  also measure the memory read bandwidth with each thread count (1 GiB, read-only)\n"
                        "               and set each decode row's weight traffic against it\n");
            std::exit(0);
        } else die("unknown argument '" + a + "'");
    }
    if (o.models.empty()) die("-m FILE is required");
    if (o.threads.empty()) o.threads = {static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))};
    return o;
}

int64_t peak_rss_bytes() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line)) {
        if (line.rfind("VmHWM:", 0) == 0) return std::atoll(line.c_str() + 6) * 1024;
    }
    return -1;
}

// The same generator as the Java command's SyntheticTokens: BOS, then a fixed LCG sequence.
std::vector<lm_token> synthetic_prompt(const lm_model_info &info, int n) {
    std::vector<lm_token> t(static_cast<size_t>(n));
    uint64_t state = 42;
    for (int i = 0; i < n; ++i) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        t[static_cast<size_t>(i)] = i == 0 ? std::max(info.bos, 0) : static_cast<lm_token>((state >> 33) % static_cast<uint64_t>(info.n_vocab));
    }
    return t;
}

lm_token argmax(const float *logits, int n) {
    int best = 0;
    for (int i = 1; i < n; ++i) {
        if (logits[i] > logits[best]) best = i;
    }
    return best;
}

std::string file_type_name(int ft) {
    switch (ft) {
        case 0: return "F32"; case 1: return "F16"; case 2: return "Q4_0"; case 3: return "Q4_1";
        case 7: return "Q8_0"; case 8: return "Q5_0"; case 9: return "Q5_1"; case 10: return "Q2_K";
        case 11: return "Q3_K_S"; case 12: return "Q3_K_M"; case 13: return "Q3_K_L"; case 14: return "Q4_K_S";
        case 15: return "Q4_K_M"; case 16: return "Q5_K_S"; case 17: return "Q5_K_M"; case 18: return "Q6_K";
        case 32: return "BF16"; case -1: return "?";
        default: return "ftype " + std::to_string(ft);
    }
}

std::string params_text(int64_t n) {
    char buf[32];
    if (n >= 1000000000) std::snprintf(buf, sizeof buf, "%.2f B", static_cast<double>(n) / 1e9);
    else if (n >= 1000000) std::snprintf(buf, sizeof buf, "%.2f M", static_cast<double>(n) / 1e6);
    else std::snprintf(buf, sizeof buf, "%.2f K", static_cast<double>(n) / 1e3);
    return buf;
}

std::string size_text(int64_t bytes) {
    char buf[32];
    const double mib = static_cast<double>(bytes) / (1024.0 * 1024.0);
    if (mib >= 1024) std::snprintf(buf, sizeof buf, "%.2f GiB", mib / 1024);
    else std::snprintf(buf, sizeof buf, "%.2f MiB", mib);
    return buf;
}

// One warm-up run, then the repetitions, each from a cache holding just the depth's filler
// tokens in each of `sequences` sequences (evaluated untimed, once, and copied to the others);
// tokens/s per repetition. kv_type nullptr: the library's default.
template <typename Body>
std::vector<double> measure(const lm_model *model, int threads, const char *kv_type, const std::vector<lm_token> &filler,
                            int n_ctx, int sequences, int reps, Body body) {
    lm_session_params sp = lm_session_default_params();
    sp.n_ctx = std::max(n_ctx, 16);
    sp.n_batch = sp.n_ctx;
    sp.n_threads = threads;
    sp.kv_type = kv_type;
    sp.n_seq_max = sequences;
    lm_session *s = nullptr;
    check(lm_session_new(model, sp, &s), "lm_session_new");
    std::vector<double> samples;
    for (int r = -1; r < reps; ++r) {  // r = -1: the warm-up
        check(lm_session_seq_remove(s, -1, 0, -1), "lm_session_seq_remove");
        if (!filler.empty()) {
            check(lm_session_eval(s, filler.data(), static_cast<int32_t>(filler.size()), 0, false), "lm_session_eval");
            for (int seq = 1; seq < sequences; ++seq) check(lm_session_seq_copy(s, 0, seq, 0, -1), "lm_session_seq_copy");
        }
        const auto t0 = Clock::now();
        const int n = body(s);
        const double sec = std::chrono::duration<double>(Clock::now() - t0).count();
        if (r >= 0) samples.push_back(n / sec);
    }
    lm_session_free(s);
    return samples;
}

// Weight bytes one decode step reads (the library's own account: experts at their routed share).
int64_t weight_bytes_per_token(const lm_model *model, const lm_model_info &) {
    uint64_t bytes = 0;
    check(lm_model_decode_weight_bytes(model, &bytes), "lm_model_decode_weight_bytes");
    return static_cast<int64_t>(bytes);
}

// Read-only streaming over 1 GiB split across `threads`, best of 5: the ceiling for decode.
double read_bandwidth_gbs(int threads) {
    static std::vector<uint64_t> buf((size_t{1} << 30) / sizeof(uint64_t), 1);
    double best = 0;
    for (int rep = 0; rep < 5; ++rep) {
        std::vector<uint64_t> sums(static_cast<size_t>(threads));
        const auto t0 = Clock::now();
        std::vector<std::thread> pool;
        for (int t = 0; t < threads; ++t) {
            pool.emplace_back([&, t] {
                const size_t n = buf.size() / static_cast<size_t>(threads), begin = n * static_cast<size_t>(t);
                uint64_t a = 0, b = 0, c = 0, d = 0;
                for (size_t i = begin; i + 4 <= begin + n; i += 4) {
                    a += buf[i];
                    b += buf[i + 1];
                    c += buf[i + 2];
                    d += buf[i + 3];
                }
                sums[static_cast<size_t>(t)] = a + b + c + d;
            });
        }
        for (std::thread &th : pool) th.join();
        const double sec = std::chrono::duration<double>(Clock::now() - t0).count();
        if (sums[0] == 0) die("bandwidth loop read zeros");
        best = std::max(best, static_cast<double>(buf.size() * sizeof(uint64_t)) / sec / 1e9);
    }
    return best;
}

// Resets VmHWM to the current resident size (Linux 4.0+), so each model's peak is its own.
void reset_peak_rss() {
    std::ofstream f("/proc/self/clear_refs");
    if (f) f << "5";
}

std::vector<Row> bench_model(const std::string &path, const Options &o) {
    std::vector<Row> rows;
    reset_peak_rss();
    const auto t0 = Clock::now();
    lm_model *model = nullptr;
    lm_model_params mp = lm_model_default_params();
    mp.repack_weights = o.repack;
    check(lm_model_load(path.c_str(), mp, &model), "lm_model_load");
    const double load_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    lm_model_info info{};
    check(lm_model_get_info(model, &info), "lm_model_get_info");
    const int64_t bytes_per_token = weight_bytes_per_token(model, info);
    std::string params = params_text(info.n_params);
    params.erase(std::remove(params.begin(), params.end(), ' '), params.end());
    const std::string type = std::string(info.architecture) + " " + params + " " + file_type_name(info.file_type);
    const std::string file = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
    auto row = [&](int t, const std::string &kv, int d, std::string test, int p, int n, std::vector<double> samples) {
        Row r;
        r.kv_type = kv; r.depth = d;
        r.model_file = file; r.model_type = type; r.cpu_variant = std::string(lm_cpu_variant()) + (info.n_repacked > 0 ? "+repack" : ""); r.test = std::move(test);
        r.size = info.n_bytes; r.params = info.n_params; r.threads = t; r.n_prompt = p; r.n_gen = n;
        r.samples = std::move(samples); r.load_ms = load_ms; r.bytes_per_token = bytes_per_token; r.peak_rss = peak_rss_bytes();
        rows.push_back(std::move(r));
    };
    // The default is listed first by lm_kv_type_names.
    std::vector<std::string> kv_types = o.kv_types;
    if (kv_types.empty()) {
        char names[256];
        size_t len = 0;
        check(lm_kv_type_names(names, sizeof names, &len), "lm_kv_type_names");
        kv_types = {split(names).at(0)};
    }
    for (const std::string &kv : kv_types) {
        for (int t : o.threads) {
            for (int d : o.depth) {
                const std::vector<lm_token> filler = d > 0 ? synthetic_prompt(info, d) : std::vector<lm_token>{};
                const std::string at = d > 0 ? " @ d" + std::to_string(d) : "";
                for (int p : o.prompt) {
                    if (p <= 0) continue;
                    const std::vector<lm_token> tokens = synthetic_prompt(info, p);
                    row(t, kv, d, "pp" + std::to_string(p) + at, p, 0,
                        measure(model, t, kv.c_str(), filler, d + p, 1, o.repetitions, [&](lm_session *s) {
                            check(lm_session_eval(s, tokens.data(), p, d, false), "lm_session_eval");
                            return p;
                        }));
                }
                for (int n : o.gen) {
                    if (n <= 0) continue;
                    for (int seqs : o.sequences) {
                        const lm_token first = std::max(info.bos, 0);
                        const std::string name =
                            "tg" + std::to_string(n) + (seqs > 1 ? " x" + std::to_string(seqs) + " seq" : "") + at;
                        lm_batch *batch = nullptr;
                        check(lm_batch_new(&batch), "lm_batch_new");
                        row(t, kv, d, name, 0, n,
                            measure(model, t, kv.c_str(), filler, d + seqs * (n + 1), seqs, o.repetitions,
                                    [&](lm_session *s) {
                                        // All sequences step together: one batch of one token each.
                                        std::vector<lm_token> tokens(static_cast<size_t>(seqs), first);
                                        for (int i = 0; i < n; ++i) {
                                            check(lm_batch_clear(batch), "lm_batch_clear");
                                            for (int q = 0; q < seqs; ++q) {
                                                check(lm_batch_add(batch, tokens[q], d + i, q, true), "lm_batch_add");
                                            }
                                            check(lm_session_decode(s, batch), "lm_session_decode");
                                            for (int q = 0; q < seqs; ++q) {
                                                const float *logits = nullptr;
                                                check(lm_session_logits(s, q, &logits), "lm_session_logits");
                                                tokens[q] = argmax(logits, info.n_vocab);
                                            }
                                        }
                                        return n * seqs;
                                    }));
                        rows.back().sequences = seqs;
                        lm_batch_free(batch);
                    }
                    if (o.sessions > 1) {
                        // N callers, each its own single-sequence session, generating at once.
                        std::vector<double> samples;
                        for (int r = -1; r < o.repetitions; ++r) {
                            std::vector<lm_session *> sessions(static_cast<size_t>(o.sessions));
                            for (lm_session *&s : sessions) {
                                lm_session_params sp = lm_session_default_params();
                                sp.n_ctx = std::max(d + n + 1, 16);
                                sp.n_threads = t;
                                sp.kv_type = kv.c_str();
                                check(lm_session_new(model, sp, &s), "lm_session_new");
                                if (!filler.empty()) {
                                    check(lm_session_eval(s, filler.data(), static_cast<int32_t>(filler.size()), 0, false),
                                          "lm_session_eval");
                                }
                            }
                            const auto t0 = Clock::now();
                            std::vector<std::thread> callers;
                            for (lm_session *s : sessions) {
                                callers.emplace_back([&, s] {
                                    lm_token token = std::max(info.bos, 0);
                                    for (int i = 0; i < n; ++i) {
                                        check(lm_session_eval(s, &token, 1, d + i, false), "lm_session_eval");
                                        const float *logits = nullptr;
                                        check(lm_session_logits(s, -1, &logits), "lm_session_logits");
                                        token = argmax(logits, info.n_vocab);
                                    }
                                });
                            }
                            for (std::thread &c : callers) c.join();
                            const double sec = std::chrono::duration<double>(Clock::now() - t0).count();
                            if (r >= 0) samples.push_back(static_cast<double>(n) * o.sessions / sec);
                            for (lm_session *s : sessions) lm_session_free(s);
                        }
                        row(t, kv, d, "tg" + std::to_string(n) + " x" + std::to_string(o.sessions) + " sessions" + at, 0, n,
                            samples);  // each session reads the weights itself: no sharing
                    }
                }
            }
        }
    }
    lm_model_free(model);
    return rows;
}

std::string json_string(const std::string &s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) < 0x20) continue;
        out += c;
    }
    return out + "\"";
}

void print_json(const std::vector<Row> &rows) {
    std::printf("[");
    for (size_t i = 0; i < rows.size(); ++i) {
        const Row &r = rows[i];
        std::printf("%s{\"loop\":\"native\",\"model_file\":%s,\"model_type\":%s,\"model_size\":%lld,"
                    "\"model_n_params\":%lld,\"backend\":\"CPU\",\"cpu_variant\":%s,\"n_threads\":%d,\"type_k\":%s,"
                    "\"type_v\":%s,\"n_depth\":%d,\"n_sequences\":%d,\"test\":%s,"
                    "\"n_prompt\":%d,\"n_gen\":%d,\"avg_ts\":%.6f,\"stddev_ts\":%.6f,\"samples_ts\":[",
                    i ? "," : "", json_string(r.model_file).c_str(), json_string(r.model_type).c_str(),
                    static_cast<long long>(r.size), static_cast<long long>(r.params), json_string(r.cpu_variant).c_str(),
                    r.threads, json_string(r.kv_type).c_str(), json_string(r.kv_type).c_str(), r.depth, r.sequences,
                    json_string(r.test).c_str(), r.n_prompt, r.n_gen, r.mean(), r.stddev());
        for (size_t k = 0; k < r.samples.size(); ++k) std::printf("%s%.6f", k ? "," : "", r.samples[k]);
        std::printf("],\"load_ms\":%.3f,\"peak_rss_bytes\":%lld}", r.load_ms, static_cast<long long>(r.peak_rss));
    }
    std::printf("]\n");
}

void print_table(const std::vector<Row> &rows, const std::vector<std::pair<int, double>> &bandwidth, bool with_kv_type) {
    std::vector<std::vector<std::string>> cells{{"model", "size", "params", "backend", "threads", "type_k", "test", "t/s"}};
    for (const Row &r : rows) {
        char ts[64];
        std::snprintf(ts, sizeof ts, "%.2f ± %.2f", r.mean(), r.stddev());
        cells.push_back({r.model_type, size_text(r.size), params_text(r.params), "CPU (" + r.cpu_variant + ")",
                         std::to_string(r.threads), r.kv_type, r.test, ts});
    }
    std::vector<bool> right{false, true, true, false, true, false, true, true};
    if (!with_kv_type) {  // type_k only when -ctk was given, as llama-bench prints it
        constexpr size_t kTypeColumn = 5;
        for (auto &row : cells) row.erase(row.begin() + kTypeColumn);
        right.erase(right.begin() + kTypeColumn);
    }
    const size_t kColumns = right.size();
    std::vector<size_t> width(kColumns, 0);
    // "±" is two bytes but one column.
    auto columns = [](const std::string &s) {
        size_t n = 0;
        for (unsigned char c : s) n += (c & 0xC0) != 0x80;
        return n;
    };
    for (const auto &row : cells) {
        for (size_t i = 0; i < kColumns; ++i) width[i] = std::max(width[i], columns(row[i]));
    }
    auto print_row = [&](const std::vector<std::string> &row) {
        std::string line = "|";
        for (size_t i = 0; i < kColumns; ++i) {
            const std::string pad(width[i] - columns(row[i]), ' ');
            line += " " + (right[i] ? pad + row[i] : row[i] + pad) + " |";
        }
        std::printf("%s\n", line.c_str());
    };
    print_row(cells[0]);
    std::string rule = "|";
    for (size_t i = 0; i < kColumns; ++i) rule += right[i] ? " " + std::string(width[i] - 1, '-') + ": |" : " " + std::string(width[i], '-') + " |";
    std::printf("%s\n", rule.c_str());
    for (size_t i = 1; i < cells.size(); ++i) print_row(cells[i]);
    std::printf("\n");
    for (const Row &r : rows) {
        if (&r != &rows.back() && rows[static_cast<size_t>(&r - &rows[0]) + 1].model_file == r.model_file) continue;
        std::printf("native loop: %s: model load %.1f ms, peak RSS (VmHWM) %s, model size %s\n", r.model_file.c_str(),
                    r.load_ms, r.peak_rss < 0 ? "n/a" : size_text(r.peak_rss).c_str(), size_text(r.size).c_str());
    }
    if (!bandwidth.empty()) {
        std::printf("\nmemory read bandwidth (1 GiB read-only, best of 5):");
        for (const auto &[t, gbs] : bandwidth) std::printf(" %d thread%s %.1f GB/s;", t, t == 1 ? "" : "s", gbs);
        std::printf("\n");
    }
    for (const Row &r : rows) {
        if (r.n_gen == 0) continue;
        // Sequences stepped together share each read of the weights.
        const double gbs = static_cast<double>(r.bytes_per_token) * r.mean() / r.sequences / 1e9;
        std::printf("%s %s t=%d: %.1f MB of weights per token x %.2f t/s = %.1f GB/s", r.model_file.c_str(), r.test.c_str(),
                    r.threads, static_cast<double>(r.bytes_per_token) / 1e6, r.mean(), gbs);
        for (const auto &[t, bw] : bandwidth) {
            if (t == r.threads) std::printf(" (%.0f%% of the measured %.1f GB/s)", 100.0 * gbs / bw, bw);
        }
        std::printf("\n");
    }
}

}  // namespace

int main(int argc, char **argv) {
    const Options o = parse(argc, argv);
    std::vector<Row> rows;
    for (const std::string &m : o.models) {
        std::vector<Row> r = bench_model(m, o);
        rows.insert(rows.end(), r.begin(), r.end());
    }
    std::vector<std::pair<int, double>> bandwidth;
    if (o.bandwidth) {
        for (int t : o.threads) bandwidth.emplace_back(t, read_bandwidth_gbs(t));
    }
    if (o.json) print_json(rows);
    else print_table(rows, bandwidth, !o.kv_types.empty());
    return 0;
}
