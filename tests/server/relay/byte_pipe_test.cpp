// The bounded pipe the relay moves bytes through (server/http/byte_pipe.h): capacity,
// order across the ring's wrap, the wake-ups that drive back-pressure, close and abort.

#include "server/http/byte_pipe.h"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <random>
#include <thread>

using helpline::server::http::BytePipe;

namespace {

std::string take(BytePipe& pipe, std::size_t max = SIZE_MAX) {
    std::string out;
    while (out.size() < max) {
        const auto region = pipe.data();
        if (region.empty()) break;
        const std::size_t n = std::min(region.size(), max - out.size());
        out.append(region.data(), n);
        pipe.consume(n);
    }
    return out;
}

/// Counts the calls of a waker.
struct Calls {
    std::atomic<int> n{0};
    std::function<void()> waker() {
        return [this] { ++n; };
    }
};

}  // namespace

TEST_CASE("a pipe takes bytes up to its capacity and not one more") {
    BytePipe pipe(8);
    CHECK(pipe.write("0123456789") == 8);
    CHECK(pipe.size() == 8);
    CHECK(pipe.prepare().empty());
    CHECK(pipe.write("x") == 0);
    CHECK(take(pipe, 3) == "012");
    CHECK(pipe.write("abcdef") == 3);
    CHECK(take(pipe) == "34567abc");
    CHECK(pipe.delivered() == 11);
}

TEST_CASE("bytes come out in the order they went in, across the ring's wrap") {
    BytePipe pipe(1000);
    std::mt19937 random(7);
    std::string sent, received;
    for (int round = 0; round < 2000; ++round) {
        std::string chunk(random() % 700, '\0');
        for (auto& c : chunk) c = static_cast<char>(random());
        const auto n = pipe.write(chunk);
        sent.append(chunk, 0, n);
        received += take(pipe, random() % 900);
        REQUIRE(pipe.size() <= pipe.capacity());
    }
    received += take(pipe);
    CHECK(received.size() == sent.size());
    CHECK(received == sent);
    CHECK(pipe.delivered() == sent.size());
}

TEST_CASE("a region handed to the producer stays put while the consumer empties the pipe") {
    BytePipe pipe(16);
    pipe.write("abcd");
    const auto region = pipe.prepare();  // after "abcd"
    REQUIRE(region.size() == 12);
    CHECK(take(pipe) == "abcd");  // the consumer drains meanwhile
    std::memcpy(region.data(), "efgh", 4);
    pipe.commit(4);
    CHECK(take(pipe) == "efgh");
}

TEST_CASE("the consumer is woken once bytes arrive after it found the pipe empty") {
    BytePipe pipe(64);
    Calls consumer;
    pipe.set_consumer_waker(consumer.waker());
    pipe.write("a");
    CHECK(consumer.n == 0);  // it has not looked yet: no need to wake it
    CHECK(take(pipe) == "a");
    CHECK(pipe.data().empty());  // now it waits
    pipe.write("b");
    CHECK(consumer.n == 1);
    pipe.write("c");
    CHECK(consumer.n == 1);  // woken already, and has not looked since
}

TEST_CASE("the producer is woken once room appears after it found the pipe full") {
    BytePipe pipe(4);
    Calls producer;
    pipe.set_producer_waker(producer.waker());
    CHECK(pipe.write("abcd") == 4);
    take(pipe, 1);
    CHECK(producer.n == 0);  // it never saw the pipe full
    CHECK(pipe.write("ef") == 1);
    CHECK(pipe.prepare().empty());  // full: it stops and waits
    CHECK(producer.n == 0);
    CHECK(take(pipe, 2) == "bc");
    CHECK(producer.n == 1);
    CHECK(pipe.write("gh") == 2);
}

TEST_CASE("a closed pipe delivers the rest, then reports finished, and the producer cannot add more") {
    BytePipe pipe(16);
    Calls consumer;
    pipe.set_consumer_waker(consumer.waker());
    pipe.write("last words");
    pipe.close();
    CHECK(consumer.n == 1);
    CHECK(pipe.closed());
    CHECK_FALSE(pipe.finished());
    CHECK(pipe.prepare().empty());
    CHECK(pipe.write("more") == 0);
    CHECK(take(pipe) == "last words");
    CHECK(pipe.finished());
}

TEST_CASE("abort drops what is queued, wakes both sides, and nothing more is delivered") {
    BytePipe pipe(16);
    Calls producer, consumer;
    pipe.set_producer_waker(producer.waker());
    pipe.set_consumer_waker(consumer.waker());
    pipe.write("abcdefgh");
    const auto region = pipe.data();
    REQUIRE(region.size() == 8);
    pipe.abort();
    CHECK(pipe.aborted());
    CHECK(producer.n == 1);
    CHECK(consumer.n == 1);
    CHECK(pipe.data().empty());
    CHECK(pipe.prepare().empty());
    CHECK(pipe.size() == 0);
    pipe.consume(region.size());  // a write that was in flight completes
    CHECK(pipe.delivered() == 0);
    pipe.abort();  // once only
    CHECK(producer.n == 1);
}

TEST_CASE("two threads move 16 MiB through a 64 KiB pipe with waker-driven back-pressure") {
    constexpr std::size_t kTotal = 16 * 1024 * 1024;
    BytePipe pipe(64 * 1024);
    std::mutex mutex;
    std::condition_variable changed;
    std::uint64_t wakes = 0;
    const auto waker = [&] {
        std::lock_guard lock(mutex);
        ++wakes;
        changed.notify_all();
    };
    pipe.set_producer_waker(waker);
    pipe.set_consumer_waker(waker);
    const auto wait_change = [&](std::uint64_t seen) {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, std::chrono::seconds(10), [&] { return wakes != seen; });
    };
    const auto current = [&] {
        std::lock_guard lock(mutex);
        return wakes;
    };

    std::atomic<std::size_t> most_queued{0};
    std::thread producer([&] {
        std::mt19937 random(11);
        std::size_t sent = 0;
        while (sent < kTotal) {
            const auto seen = current();
            const auto region = pipe.prepare();
            if (region.empty()) {
                if (!wait_change(seen)) return;
                continue;
            }
            const std::size_t n = std::min(region.size(), kTotal - sent);
            for (std::size_t i = 0; i < n; ++i) region[i] = static_cast<char>((sent + i) * 31);
            pipe.commit(n);
            sent += n;
            most_queued = std::max<std::size_t>(most_queued, pipe.size());
        }
        pipe.close();
    });
    std::size_t received = 0;
    bool in_order = true;
    while (!pipe.finished()) {
        const auto seen = current();
        const auto region = pipe.data();
        if (region.empty()) {
            if (!pipe.finished() && !wait_change(seen)) break;
            continue;
        }
        for (std::size_t i = 0; i < region.size(); ++i)
            in_order = in_order && region[i] == static_cast<char>((received + i) * 31);
        received += region.size();
        pipe.consume(region.size());
    }
    producer.join();
    CHECK(received == kTotal);
    CHECK(in_order);
    CHECK(most_queued <= pipe.capacity());
    CHECK(pipe.delivered() == kTotal);
}
