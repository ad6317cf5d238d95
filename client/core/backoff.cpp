#include "client/core/backoff.h"

#include <algorithm>

namespace helpline::client {

std::chrono::milliseconds Backoff::next() {
    const int shift = std::min(attempt_, 30);
    ++attempt_;
    const auto ceiling = std::min<long long>(cap_.count(), base_.count() << shift);
    std::uniform_int_distribution<long long> pick(0, std::max<long long>(ceiling, 0));
    return std::max(floor_, std::chrono::milliseconds(pick(rng_)));
}

}  // namespace helpline::client
