#include "runtime/shared_thread_pool.h"

#include <algorithm>
#include <chrono>

#include "common/error.h"

namespace lamina {

SharedThreadPool::Lease::~Lease() {
    if (owner_ != nullptr) owner_->release();
}

SharedThreadPool::Lease SharedThreadPool::acquire(int width, const std::function<bool()> &should_stop) {
    width = std::max(1, width);
    std::unique_lock<std::mutex> lock(mutex_);
    const uint64_t ticket = next_ticket_++;
    queue_.push_back(ticket);
    while (busy_ || queue_.front() != ticket) {
        turn_.wait_for(lock, std::chrono::milliseconds(1));
        if ((busy_ || queue_.front() != ticket) && should_stop && should_stop()) {
            queue_.erase(std::find(queue_.begin(), queue_.end(), ticket));
            lock.unlock();
            turn_.notify_all();  // the next in line may be first now
            fail(LM_ERR_CANCELLED, "cancelled while waiting for the model's worker threads");
        }
    }
    queue_.pop_front();
    busy_ = true;
    try {
        if (!pool_ || pool_->capacity() < width) {
            pool_.reset();  // stop the narrower pool's threads before starting the wider one's
            pool_ = std::make_unique<ThreadPool>(width);
        }
    } catch (...) {
        busy_ = false;
        lock.unlock();
        turn_.notify_all();
        throw;
    }
    pool_->set_width(width);
    return Lease(this);
}

void SharedThreadPool::release() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        busy_ = false;
    }
    turn_.notify_all();
}

int SharedThreadPool::capacity() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return pool_ ? pool_->capacity() : 0;
}

}  // namespace lamina
