// Exercises every function native/src/platform/glibc_compat.c serves, in a shared library linked
// the way liblamina.so is (static libstdc++/libgcc, the --wrap list of
// cmake/LaminaGlibcBaseline.cmake), so the static libstdc++'s own calls (std::thread,
// thread_local, call_once, condition_variable, random_device, the unwinder) go through the
// wrappers too. check_glibc_symbols.sh is run on this library as well, which proves the wrappers
// were linked in rather than the new symbols. (A library, not an executable: an executable's
// startup code needs __libc_start_main@GLIBC_2.34, which has no 2.28 equivalent.)
// glibc_compat_check_main.c runs it; it prints one line per failed check and returns the count.
// No GoogleTest, which is a shared library built against the shared libstdc++.
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

int failures = 0;

void check(bool ok, const char *what) {
    if (!ok) {
        std::fprintf(stderr, "glibc_compat_check: FAILED: %s\n", what);
        ++failures;
    }
}

// volatile so the compiler cannot fold the calls into constants.
volatile double two = 2.0, ten = 10.0, eight = 8.0, e1 = 1.0;

void math() {
    check(std::pow(two, ten) == 1024.0, "pow(2, 10) == 1024");
    check(std::fabs(std::log(std::exp(e1)) - 1.0) < 1e-15, "log(exp(1)) == 1");
    check(std::log2(eight) == 3.0, "log2(8) == 3");
    check(std::isnan(std::log(-e1)), "log(-1) is NaN");
}

[[gnu::noinline]] void throw_deep(int depth) {
    if (depth == 0) {
        throw std::runtime_error("deep");
    }
    throw_deep(depth - 1);
    std::fprintf(stderr, "unreachable\n");
}

void exceptions() {
    bool caught = false;
    try {
        throw_deep(8);
    } catch (const std::runtime_error &e) {
        caught = std::strcmp(e.what(), "deep") == 0;
    }
    check(caught, "a C++ exception unwinds through 8 frames and is caught (_dl_find_object)");
    // Thrown inside libstdc++ itself, unwound through its frames.
    caught = false;
    try {
        std::vector<int>().at(3);
    } catch (const std::out_of_range &) {
        caught = true;
    }
    check(caught, "std::out_of_range from libstdc++ is caught");
}

thread_local std::unique_ptr<int> tls_value;
std::atomic<int> tls_destroyed{0};
struct CountOnExit {
    ~CountOnExit() { tls_destroyed.fetch_add(1); }
};
thread_local CountOnExit tls_counter;

void threads() {
    std::atomic<int> ran{0};
    std::vector<std::thread> pool;
    for (int i = 0; i < 4; ++i) {
        pool.emplace_back([&ran, i] {
            tls_value = std::make_unique<int>(i);
            (void)&tls_counter;  // constructs the thread_local, whose destructor runs at exit
            ran.fetch_add(*tls_value == i ? 1 : 0);
        });
    }
    for (auto &t : pool) {
        t.join();
    }
    check(ran.load() == 4, "4 std::threads ran with their own thread_local (pthread_create/join, keys)");
    check(tls_destroyed.load() == 4, "thread_local destructors ran at thread exit");

    std::thread detached([] {});
    detached.detach();

    std::once_flag once;
    int calls = 0;
    for (int i = 0; i < 3; ++i) {
        std::call_once(once, [&calls] { ++calls; });
    }
    check(calls == 1, "std::call_once runs once (pthread_once)");
}

void condition_variable_waits() {
    std::mutex m;
    std::condition_variable cv;
    std::unique_lock<std::mutex> lock(m);
    auto start = std::chrono::steady_clock::now();
    bool woke = cv.wait_for(lock, std::chrono::milliseconds(50), [] { return false; });
    auto waited = std::chrono::steady_clock::now() - start;
    check(!woke, "wait_for with a false predicate times out");
    check(waited >= std::chrono::milliseconds(50) && waited < std::chrono::seconds(5),
          "wait_for(50 ms) waits about 50 ms (pthread_cond_clockwait)");

    bool ready = false;
    std::thread notifier([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        std::lock_guard<std::mutex> g(m);
        ready = true;
        cv.notify_one();
    });
    bool got = cv.wait_until(lock, std::chrono::steady_clock::now() + std::chrono::seconds(10), [&] { return ready; });
    lock.unlock();
    notifier.join();
    check(got, "wait_until wakes on notify before its deadline");
}

void random_device() {
    std::random_device rd;
    std::set<unsigned> seen;
    for (int i = 0; i < 16; ++i) {
        seen.insert(rd());
    }
    check(seen.size() >= 15, "std::random_device gives distinct values (arc4random)");
}

void file_status() {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / ("lamina_glibc_compat_" + std::to_string(getpid()));
    fs::create_directories(dir);
    fs::path file = dir / "five";
    {
        std::ofstream(file) << "12345";
    }
    struct stat st {};
    check(stat(file.c_str(), &st) == 0 && st.st_size == 5 && S_ISREG(st.st_mode), "stat of a 5-byte file");
    check(lstat(file.c_str(), &st) == 0 && st.st_size == 5, "lstat of a 5-byte file");
    check(fs::file_size(file) == 5 && fs::is_directory(dir), "std::filesystem sizes and kinds");
    FILE *f = std::fopen(file.c_str(), "rb");
    check(f != nullptr && fstat(fileno(f), &st) == 0 && st.st_size == 5, "fstat of an open 5-byte file");
    if (f != nullptr) {
        std::fclose(f);
    }
    check(stat((dir / "missing").c_str(), &st) == -1 && errno == ENOENT, "stat of a missing file fails with ENOENT");
    fs::remove_all(dir);
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int lamina_glibc_compat_check(void) {
    math();
    exceptions();
    threads();
    condition_variable_waits();
    random_device();
    file_status();
    if (failures != 0) {
        std::fprintf(stderr, "glibc_compat_check: %d check(s) failed\n", failures);
    } else {
        std::printf("glibc_compat_check: all checks passed\n");
    }
    return failures;
}
