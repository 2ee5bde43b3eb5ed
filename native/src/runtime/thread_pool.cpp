#include "runtime/thread_pool.h"

#include <algorithm>
#include <string>
#include <system_error>

#include "common/error.h"

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
// How many polls a worker makes before it sleeps: tens of microseconds, longer than the gap
// between two loops of one decode step, far shorter than anything a person would notice.
constexpr int kSpinPolls = 4000;
}  // namespace

ThreadPool::ThreadPool(int n_threads) : n_threads_(std::max(1, n_threads)), width_(n_threads_) {
    workers_.reserve(n_threads_ - 1);
    try {
        for (int i = 1; i < n_threads_; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
    } catch (const std::system_error &e) {
        // The destructor does not run for a half-built pool: stop the started workers here (a
        // joinable std::thread destroyed would terminate the process).
        const size_t started = workers_.size();
        stop_workers();
        fail(LM_ERR_OUT_OF_MEMORY, "cannot start worker thread " + std::to_string(started + 1) + " of " +
                                       std::to_string(n_threads_ - 1) + ": " + e.what());
    }
}

ThreadPool::~ThreadPool() { stop_workers(); }

void ThreadPool::set_width(int n) { width_.store(std::clamp(n, 1, n_threads_), std::memory_order_relaxed); }

void ThreadPool::stop_workers() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
        generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    for (std::thread &t : workers_) t.join();
    workers_.clear();
}

void ThreadPool::work_on(Job &job, int participant) {
    for (;;) {
        const int64_t begin = job.next.fetch_add(job.grain, std::memory_order_relaxed);
        if (begin >= job.n) return;
        (*job.fn)(begin, std::min(job.n, begin + job.grain), participant);
    }
}

void ThreadPool::for_each_chunk(int64_t n, int64_t grain, const ChunkFn &fn) {
    if (n <= 0) return;
    grain = std::max<int64_t>(1, grain);
    if (width_.load(std::memory_order_relaxed) == 1 || n <= grain) {
        for (int64_t b = 0; b < n; b += grain) fn(b, std::min(n, b + grain), 0);
        return;
    }
    Job job;
    job.fn = &fn;
    job.n = n;
    job.grain = grain;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        job_ = &job;
        generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    work_on(job, 0);
    // Close the job so late workers skip it, then wait for those that joined to finish.
    std::unique_lock<std::mutex> lock(mutex_);
    job_ = nullptr;
    finished_.wait(lock, [&] { return joined_ == 0; });
}

void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t, int64_t)> &fn, int64_t align) {
    if (n <= 0) return;
    align = std::max<int64_t>(1, align);
    // A few chunks per thread balance uneven progress without much claiming overhead.
    const int64_t chunks = static_cast<int64_t>(size()) * 4;
    const int64_t grain = std::max(align, ((n + chunks - 1) / chunks + align - 1) / align * align);
    for_each_chunk(n, grain, [&](int64_t b, int64_t e, int) { fn(b, e); });
}

void ThreadPool::worker_loop(int index) {
    // Start from the generation at construction (0): a worker that starts late still sees a
    // stop or an open job that happened before it ran.
    uint64_t seen = 0;
    for (;;) {
        for (int polls = 0; generation_.load(std::memory_order_acquire) == seen && polls < kSpinPolls; ++polls) {
            LAMINA_CPU_RELAX();
        }
        Job *job = nullptr;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [&] { return stop_ || generation_.load(std::memory_order_relaxed) != seen; });
            seen = generation_.load(std::memory_order_relaxed);
            if (stop_) return;
            job = job_;
            if (job == nullptr) continue;  // the caller already finished and closed it
            if (index >= width_.load(std::memory_order_relaxed)) continue;  // this loop runs narrower
            ++joined_;
        }
        work_on(*job, index);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            --joined_;
        }
        finished_.notify_one();
    }
}

}  // namespace lamina
