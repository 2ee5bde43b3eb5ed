#include "runtime/thread_pool.h"

#include <algorithm>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define LAMINA_CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define LAMINA_CPU_RELAX() asm volatile("yield")
#else
#define LAMINA_CPU_RELAX() ((void)0)
#endif

namespace lamina {
namespace {
// How many polls a worker makes before it goes to sleep: roughly 50–100 µs, longer than the gap
// between two loops of one decode step, far shorter than a human-visible idle period.
constexpr int kSpinPolls = 4000;
}  // namespace

ThreadPool::ThreadPool(int n_threads) : n_threads_(std::max(1, n_threads)) {
    workers_.reserve(n_threads_ - 1);
    for (int i = 1; i < n_threads_; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_.store(true);
        generation_.fetch_add(1);
    }
    wake_.notify_all();
    for (std::thread &t : workers_) t.join();
}

void ThreadPool::run(const std::function<void(int, int)> &fn) {
    if (n_threads_ == 1) {
        fn(0, 1);
        return;
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        job_ = &fn;
        pending_.store(n_threads_ - 1);
        generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    fn(0, n_threads_);
    while (pending_.load(std::memory_order_acquire) != 0) LAMINA_CPU_RELAX();
}

void ThreadPool::worker_loop(int index) {
    uint64_t seen = 0;
    for (;;) {
        int polls = 0;
        while (generation_.load(std::memory_order_acquire) == seen && polls < kSpinPolls) {
            LAMINA_CPU_RELAX();
            ++polls;
        }
        if (generation_.load(std::memory_order_acquire) == seen) {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [&] { return generation_.load() != seen; });
        }
        seen = generation_.load(std::memory_order_acquire);
        if (stop_.load()) return;
        const std::function<void(int, int)> *job;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            job = job_;
        }
        (*job)(index, n_threads_);
        pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
}

void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t, int64_t)> &fn, int64_t align) {
    if (n <= 0) return;
    const int64_t chunks = std::min<int64_t>(n_threads_, (n + align - 1) / align);
    if (chunks <= 1) {
        fn(0, n);
        return;
    }
    run([&](int index, int) {
        if (index >= chunks) return;
        const int64_t units = (n + align - 1) / align;
        const int64_t begin = std::min(n, units * index / chunks * align);
        const int64_t end = std::min(n, units * (index + 1) / chunks * align);
        if (begin < end) fn(begin, end);
    });
}

}  // namespace lamina
