#pragma once
// A bounded byte queue from one producer to one consumer, shared between threads: what an
// upgraded connection (server/http) and the relay (server/relay) move bytes through. No
// Beast here.
//
// It is a ring of `capacity` bytes. The producer receives straight into the ring
// (prepare() + commit()) and the consumer sends straight from it (data() + consume()), so
// a socket read or write needs no copy of its own; the two regions never overlap, so each
// side may hold its region across an asynchronous operation without the lock. When the
// ring is full the producer gets an empty region and stops reading its socket: that is
// the back-pressure, and nothing ever queues beyond `capacity`.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>

namespace helpline::server::http {

class BytePipe {
  public:
    /// The ring is allocated on first use, so an idle pipe costs only this object.
    explicit BytePipe(std::size_t capacity);
    ~BytePipe();
    BytePipe(const BytePipe&) = delete;
    BytePipe& operator=(const BytePipe&) = delete;

    std::size_t capacity() const { return capacity_; }

    // Producer side.

    /// The free region after the queued bytes (contiguous, so it may be less than all the
    /// free space). Empty when the ring is full, or the pipe is closed or aborted; the
    /// producer's waker then runs once there is room again (or on abort).
    std::span<char> prepare();
    /// Makes the first `n` bytes of the last prepare() region readable; wakes the consumer
    /// if it was waiting. Ignored after abort().
    void commit(std::size_t n);
    /// Copies as much of `bytes` as fits (prepare + commit); returns how much.
    std::size_t write(std::string_view bytes);
    /// No more bytes will come: the consumer sees finished() once it has taken the rest.
    void close();

    // Consumer side.

    /// The oldest queued bytes (contiguous, so possibly not all of them). Empty when
    /// nothing is queued; the consumer's waker then runs once something is (or on close or
    /// abort).
    std::span<const char> data();
    /// Drops the first `n` bytes of the last data() region and counts them as delivered;
    /// wakes the producer if it was waiting for room. Ignored after abort().
    void consume(std::size_t n);
    /// The producer closed and every byte was consumed.
    bool finished() const;

    // Either side.

    /// Ends the pipe at once for both sides: queued bytes are dropped. Both wakers run.
    /// The ring's memory stays valid until the pipe is destroyed, so an operation still
    /// reading or writing a region handed out earlier is safe.
    void abort();
    bool aborted() const { return aborted_.load(); }
    bool closed() const;
    /// Bytes queued now.
    std::size_t size() const;
    /// Bytes consumed so far (delivered to the consumer's peer).
    std::uint64_t delivered() const { return delivered_.load(); }

    /// Wakers are called outside the pipe's lock, on the thread that changed the pipe;
    /// they must only post work (to a strand, a queue), never call back into the pipe
    /// synchronously in a way that could wait for the other side.
    void set_producer_waker(std::function<void()> waker);
    void set_consumer_waker(std::function<void()> waker);

  private:
    const std::size_t capacity_;
    mutable std::mutex mutex_;
    std::unique_ptr<char[]> ring_;
    std::size_t head_ = 0;   ///< first queued byte
    std::size_t count_ = 0;  ///< queued bytes
    bool closed_ = false;
    bool producer_waiting_ = false;  ///< the producer saw no room
    bool consumer_waiting_ = false;  ///< the consumer saw no bytes
    std::atomic<bool> aborted_{false};
    std::atomic<std::uint64_t> delivered_{0};
    std::shared_ptr<std::function<void()>> producer_waker_;
    std::shared_ptr<std::function<void()>> consumer_waker_;
};

}  // namespace helpline::server::http
