#pragma once
// Capped exponential backoff with full jitter, for retries (outbox) and reconnects
// (event stream): attempt n waits a random time in [0, min(cap, base * 2^n)], at
// least `floor`.

#include <chrono>
#include <random>

namespace helpline::client {

class Backoff {
public:
    Backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap,
            std::chrono::milliseconds floor = std::chrono::milliseconds(100),
            std::uint64_t seed = std::random_device{}())
        : base_(base), cap_(cap), floor_(floor), rng_(seed) {}

    /// The delay before the next attempt; each call counts one more failure.
    std::chrono::milliseconds next();
    /// After a success.
    void reset() { attempt_ = 0; }
    int attempts() const { return attempt_; }

private:
    std::chrono::milliseconds base_, cap_, floor_;
    std::mt19937_64 rng_;
    int attempt_ = 0;
};

}  // namespace helpline::client
