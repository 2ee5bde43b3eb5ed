// A fixed pool of worker threads that run one parallel loop at a time. The calling thread takes
// part in every loop, so a pool of N threads starts N-1 workers. Workers spin briefly after a
// loop (a decode step issues hundreds of short loops) and then sleep on a condition variable,
// so an idle pool costs no CPU.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace lamina {

class ThreadPool {
public:
    explicit ThreadPool(int n_threads);
    ~ThreadPool();
    ThreadPool(const ThreadPool &) = delete;
    ThreadPool &operator=(const ThreadPool &) = delete;

    int size() const { return n_threads_; }

    // Calls fn(thread_index, n_threads) once on every thread of the pool and returns when all
    // have finished. fn must not throw.
    void run(const std::function<void(int, int)> &fn);

    // Splits [0, n) into contiguous chunks, one per thread, and calls fn(begin, end) for each
    // non-empty chunk. `align` rounds chunk boundaries to multiples of it.
    void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)> &fn, int64_t align = 1);

private:
    void worker_loop(int index);

    int n_threads_;
    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable wake_;
    const std::function<void(int, int)> *job_ = nullptr;
    std::atomic<uint64_t> generation_{0};
    std::atomic<int> pending_{0};
    std::atomic<bool> stop_{false};
};

}  // namespace lamina
