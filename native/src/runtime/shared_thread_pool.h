// The worker threads of one model, shared by all its sessions: each forward pass leases the
// pool for its duration, so any number of sessions never run more threads than the widest of
// them asked for, and sessions stepping at once take turns in arrival order (a session never
// waits behind another's whole generation, only behind one forward pass).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

#include "runtime/thread_pool.h"

namespace lamina {

class SharedThreadPool {
public:
    SharedThreadPool() = default;
    SharedThreadPool(const SharedThreadPool &) = delete;
    SharedThreadPool &operator=(const SharedThreadPool &) = delete;

    // Exclusive use of the pool, `width` threads wide, until destroyed.
    class Lease {
    public:
        Lease(Lease &&other) noexcept : owner_(other.owner_) { other.owner_ = nullptr; }
        Lease &operator=(Lease &&) = delete;
        ~Lease();
        ThreadPool &pool() const { return *owner_->pool_; }

    private:
        friend class SharedThreadPool;
        explicit Lease(SharedThreadPool *owner) : owner_(owner) {}
        SharedThreadPool *owner_;
    };

    // Waits for the pool (first come, first served), polling should_stop (may be empty) about
    // every millisecond while waiting; throws LaminaError(LM_ERR_CANCELLED) when it says stop.
    // Starts more threads if width exceeds every earlier lease (LM_ERR_OUT_OF_MEMORY if the
    // OS refuses them).
    Lease acquire(int width, const std::function<bool()> &should_stop);

    // Threads started so far (0 before the first lease).
    int capacity() const;

private:
    void release();

    mutable std::mutex mutex_;
    std::condition_variable turn_;
    std::deque<uint64_t> queue_;  // tickets waiting, oldest first
    uint64_t next_ticket_ = 0;
    bool busy_ = false;
    std::unique_ptr<ThreadPool> pool_;
};

}  // namespace lamina
