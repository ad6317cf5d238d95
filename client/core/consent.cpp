#include "client/core/consent.h"

#include <fmt/format.h>

#include <algorithm>

namespace helpline::client {
namespace {

using std::chrono::milliseconds;

milliseconds until(Clock::TimePoint from, Clock::TimePoint to) {
    return to > from ? std::chrono::duration_cast<milliseconds>(to - from) : milliseconds(0);
}

Error answered_error(const ConsentRequest& r) {
    if (r.state == ConsentState::expired)
        return make_error(consent_error::kExpired, "This connection request has expired.",
                          r.request.id);
    return make_error(consent_error::kAnswered,
                      fmt::format("This connection request is already {}.", to_string(r.state)),
                      r.request.id);
}

}  // namespace

std::string_view to_string(ConsentState s) {
    switch (s) {
        case ConsentState::pending:
            return "pending";
        case ConsentState::accepted:
            return "accepted";
        case ConsentState::declined:
            return "declined";
        case ConsentState::expired:
            return "expired";
        case ConsentState::cancelled:
            return "cancelled";
    }
    return "unknown";
}

OfferResult ConsentMachine::offer(const ConnectionRequest& request) {
    if (finished_.count(request.id) != 0 || find_pending(request.id) != pending_.end())
        return OfferResult::duplicate;
    if (pending_.size() >= options_.max_queue) return OfferResult::full;
    ConsentRequest r;
    r.request = request;
    r.received_at = clock_.now();
    const auto lifetime =
        std::chrono::duration_cast<milliseconds>(request.expires_in) - options_.safety_margin;
    r.deadline = r.received_at + std::max(lifetime, milliseconds(0));
    pending_.push_back(std::move(r));
    return pending_.size() == 1 ? OfferResult::current : OfferResult::queued;
}

std::vector<ConsentChange> ConsentMachine::tick() {
    std::vector<ConsentChange> changes;
    const auto now = clock_.now();
    for (auto it = pending_.begin(); it != pending_.end();) {
        if (it->deadline > now) {
            ++it;
            continue;
        }
        changes.push_back({it->request.id, ConsentState::expired});
        ConsentRequest r = std::move(*it);
        it = pending_.erase(it);
        finish(std::move(r), ConsentState::expired);
    }
    return changes;
}

const ConsentRequest* ConsentMachine::current() const {
    return pending_.empty() ? nullptr : &pending_.front();
}

const ConsentRequest* ConsentMachine::show() {
    if (pending_.empty()) return nullptr;
    if (!pending_.front().shown_at) pending_.front().shown_at = clock_.now();
    return &pending_.front();
}

Status ConsentMachine::accept(const std::string& id) {
    if (auto done = finished_.find(id); done != finished_.end())
        return answered_error(done->second);
    const auto it = find_pending(id);
    if (it == pending_.end())
        return make_error(consent_error::kUnknown, "There is no such connection request.", id);
    if (it != pending_.begin() || !it->shown_at)
        return make_error(consent_error::kNotShown,
                          "This connection request has not been shown yet.", id);
    const auto now = clock_.now();
    if (now >= it->deadline) {
        ConsentRequest r = std::move(*it);
        pending_.erase(it);
        finish(std::move(r), ConsentState::expired);
        return make_error(consent_error::kExpired, "This connection request has expired.", id);
    }
    const auto allowed_at = *it->shown_at + options_.min_allow_delay;
    if (now < allowed_at)
        return make_error(
            consent_error::kTooEarly,
            fmt::format("Allow is possible {} ms after the question appears; {} ms to go.",
                        options_.min_allow_delay.count(), until(now, allowed_at).count()),
            id);
    ConsentRequest r = std::move(*it);
    pending_.erase(it);
    finish(std::move(r), ConsentState::accepted);
    return Ok{};
}

Status ConsentMachine::decline(const std::string& id) {
    if (auto done = finished_.find(id); done != finished_.end())
        return answered_error(done->second);
    const auto it = find_pending(id);
    if (it == pending_.end())
        return make_error(consent_error::kUnknown, "There is no such connection request.", id);
    const bool late = clock_.now() >= it->deadline;
    ConsentRequest r = std::move(*it);
    pending_.erase(it);
    finish(std::move(r), late ? ConsentState::expired : ConsentState::declined);
    if (late)
        return make_error(consent_error::kExpired, "This connection request has expired.", id);
    return Ok{};
}

bool ConsentMachine::cancel(const std::string& id) {
    const auto it = find_pending(id);
    if (it == pending_.end()) return false;
    ConsentRequest r = std::move(*it);
    pending_.erase(it);
    finish(std::move(r), ConsentState::cancelled);
    return true;
}

Status ConsentMachine::confirm_accept(const std::string& id) {
    const auto it = finished_.find(id);
    if (it == finished_.end() || it->second.state != ConsentState::accepted) {
        if (it != finished_.end()) return answered_error(it->second);
        return make_error(consent_error::kUnknown, "This connection request was not accepted.", id);
    }
    if (clock_.now() >= it->second.deadline) {
        it->second.state = ConsentState::expired;
        return make_error(consent_error::kExpired,
                          "This connection request expired before the answer could be sent.", id);
    }
    return Ok{};
}

milliseconds ConsentMachine::time_left() const {
    return pending_.empty() ? milliseconds(0) : until(clock_.now(), pending_.front().deadline);
}

milliseconds ConsentMachine::allow_in() const {
    if (pending_.empty()) return milliseconds(0);
    const auto& head = pending_.front();
    if (!head.shown_at) return options_.min_allow_delay;
    return until(clock_.now(), *head.shown_at + options_.min_allow_delay);
}

std::optional<ConsentState> ConsentMachine::state(const std::string& id) const {
    const ConsentRequest* r = find(id);
    return r == nullptr ? std::nullopt : std::optional<ConsentState>(r->state);
}

const ConsentRequest* ConsentMachine::find(const std::string& id) const {
    if (auto done = finished_.find(id); done != finished_.end()) return &done->second;
    for (const auto& r : pending_)
        if (r.request.id == id) return &r;
    return nullptr;
}

void ConsentMachine::finish(ConsentRequest request, ConsentState state) {
    request.state = state;
    const std::string id = request.request.id;
    finished_order_.push_back(id);
    finished_[id] = std::move(request);
    while (finished_order_.size() > options_.remembered) {
        finished_.erase(finished_order_.front());
        finished_order_.pop_front();
    }
}

std::deque<ConsentRequest>::iterator ConsentMachine::find_pending(const std::string& id) {
    return std::find_if(pending_.begin(), pending_.end(),
                        [&](const ConsentRequest& r) { return r.request.id == id; });
}

}  // namespace helpline::client
