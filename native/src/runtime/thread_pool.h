// A fixed pool of worker threads that runs one parallel loop at a time.
//
// Work is split into chunks that every participating thread claims from a shared counter, and
// the calling thread takes part too. So a worker that the OS has not scheduled yet (a busy,
// shared machine) delays nothing: the others, at least the caller, take its chunks. Workers
// spin briefly after a loop (a decode step issues hundreds of short loops) and then sleep on a
// condition variable, so an idle pool costs no CPU.
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
    // Throws LaminaError(LM_ERR_OUT_OF_MEMORY) when the OS refuses a thread.
    explicit ThreadPool(int n_threads);
    ~ThreadPool();
    ThreadPool(const ThreadPool &) = delete;
    ThreadPool &operator=(const ThreadPool &) = delete;

    // Threads a loop runs on (the caller included): width(), at most capacity().
    int size() const { return width_; }
    int capacity() const { return n_threads_; }
    // Lets the next loops run on n threads (1..capacity()); workers beyond them sit out. Call it
    // only between loops (see SharedThreadPool).
    void set_width(int n);

    // Calls fn(begin, end, participant) over [0, n) in chunks of `grain` items (the last may be
    // shorter). `participant` (0 = the caller, < size()) names the thread for per-thread
    // scratch. Returns when every chunk is done. fn must not throw.
    using ChunkFn = std::function<void(int64_t begin, int64_t end, int participant)>;
    void for_each_chunk(int64_t n, int64_t grain, const ChunkFn &fn);

    // Splits [0, n) into a few chunks per thread (boundaries multiples of `align`) and calls
    // fn(begin, end) for each.
    void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)> &fn, int64_t align = 1);

private:
    struct Job {
        const ChunkFn *fn;
        int64_t n;
        int64_t grain;
        std::atomic<int64_t> next{0};
    };
    void work_on(Job &job, int participant);
    void stop_workers();  // wakes every worker to exit and joins it
    void worker_loop(int index);

    int n_threads_;
    std::atomic<int> width_;
    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable wake_;      // workers wait for a new job
    std::condition_variable finished_;  // the caller waits for joined workers to leave
    Job *job_ = nullptr;                // the open job; null once the caller has closed it
    int joined_ = 0;                    // workers inside the current job
    std::atomic<uint64_t> generation_{0};
    bool stop_ = false;
};

}  // namespace lamina
