#include "server/http/byte_pipe.h"

#include <algorithm>
#include <cstring>

namespace helpline::server::http {
namespace {

void call(const std::shared_ptr<std::function<void()>>& waker) {
    if (waker && *waker) (*waker)();
}

}  // namespace

BytePipe::BytePipe(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

BytePipe::~BytePipe() = default;

std::span<char> BytePipe::prepare() {
    std::lock_guard lock(mutex_);
    if (aborted_ || closed_) return {};
    if (count_ == capacity_) {
        producer_waiting_ = true;
        return {};
    }
    // Not zeroed: memory the system has not been asked to fill is not resident, so an
    // idle or quiet session costs only the pages its bytes have passed through.
    if (!ring_) ring_ = std::make_unique_for_overwrite<char[]>(capacity_);
    const std::size_t tail = (head_ + count_) % capacity_;
    const std::size_t room = capacity_ - count_;
    return {ring_.get() + tail, std::min(room, capacity_ - tail)};
}

void BytePipe::commit(std::size_t n) {
    std::shared_ptr<std::function<void()>> wake;
    {
        std::lock_guard lock(mutex_);
        if (aborted_ || n == 0) return;
        count_ += std::min(n, capacity_ - count_);
        if (consumer_waiting_) {
            consumer_waiting_ = false;
            wake = consumer_waker_;
        }
    }
    call(wake);
}

std::size_t BytePipe::write(std::string_view bytes) {
    std::size_t written = 0;
    while (written < bytes.size()) {
        const auto region = prepare();
        if (region.empty()) break;
        const std::size_t n = std::min(region.size(), bytes.size() - written);
        std::memcpy(region.data(), bytes.data() + written, n);
        commit(n);
        written += n;
    }
    return written;
}

void BytePipe::close() {
    std::shared_ptr<std::function<void()>> wake;
    {
        std::lock_guard lock(mutex_);
        if (closed_ || aborted_) return;
        closed_ = true;
        consumer_waiting_ = false;
        wake = consumer_waker_;
    }
    call(wake);
}

std::span<const char> BytePipe::data() {
    std::lock_guard lock(mutex_);
    if (aborted_) return {};
    if (count_ == 0) {
        consumer_waiting_ = !closed_;
        return {};
    }
    return {ring_.get() + head_, std::min(count_, capacity_ - head_)};
}

void BytePipe::consume(std::size_t n) {
    std::shared_ptr<std::function<void()>> wake;
    {
        std::lock_guard lock(mutex_);
        if (aborted_ || n == 0) return;
        n = std::min(n, count_);
        // The head moves on even when the ring empties: the producer may be receiving into
        // the region after the tail right now, and that region must stay where it is.
        head_ = (head_ + n) % capacity_;
        count_ -= n;
        delivered_ += n;
        if (producer_waiting_) {
            producer_waiting_ = false;
            wake = producer_waker_;
        }
    }
    call(wake);
}

bool BytePipe::finished() const {
    std::lock_guard lock(mutex_);
    return closed_ && count_ == 0;
}

bool BytePipe::closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
}

std::size_t BytePipe::size() const {
    std::lock_guard lock(mutex_);
    return aborted_ ? 0 : count_;
}

void BytePipe::abort() {
    std::shared_ptr<std::function<void()>> producer;
    std::shared_ptr<std::function<void()>> consumer;
    {
        std::lock_guard lock(mutex_);
        if (aborted_) return;
        aborted_ = true;
        producer_waiting_ = consumer_waiting_ = false;
        producer = producer_waker_;
        consumer = consumer_waker_;
    }
    call(producer);
    call(consumer);
}

void BytePipe::set_producer_waker(std::function<void()> waker) {
    std::lock_guard lock(mutex_);
    producer_waker_ = std::make_shared<std::function<void()>>(std::move(waker));
}

void BytePipe::set_consumer_waker(std::function<void()> waker) {
    std::lock_guard lock(mutex_);
    consumer_waker_ = std::make_shared<std::function<void()>>(std::move(waker));
}

}  // namespace helpline::server::http
