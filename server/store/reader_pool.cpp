#include "server/store/reader_pool.h"

namespace helpline::server {

ReaderPool::ReaderPool(const std::function<std::unique_ptr<Db>()>& connect, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) {
        connections_.push_back(connect());
        free_.push_back(connections_.back().get());
    }
}

ReaderPool::Lease::~Lease() {
    pool_->release(*db_);
}

ReaderPool::Lease ReaderPool::acquire() {
    std::unique_lock lock(mutex_);
    released_.wait(lock, [this] { return !free_.empty(); });
    Db* db = free_.back();
    free_.pop_back();
    return {*this, *db};
}

void ReaderPool::release(Db& db) {
    {
        std::lock_guard lock(mutex_);
        free_.push_back(&db);
    }
    released_.notify_one();
}

}  // namespace helpline::server
