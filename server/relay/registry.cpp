#include "server/relay/registry.h"

#include <algorithm>
#include <vector>

#include "server/relay/pair.h"

namespace helpline::server::relay {
namespace {

using Clock = Registry::Clock;

void abort_pipes(const std::vector<std::shared_ptr<Pair>>& pairs) {
    // Outside the registry's lock: aborting runs the connections' wakers.
    for (const auto& pair : pairs) {
        pair->to_viewer.abort();
        pair->to_customer.abort();
    }
}

void earliest(std::optional<Clock::time_point>& next, Clock::time_point candidate) {
    if (!next || candidate < *next) next = candidate;
}

}  // namespace

std::string_view to_string(EndReason reason) {
    switch (reason) {
        case EndReason::customer_closed:
            return "customer-closed";
        case EndReason::viewer_closed:
            return "viewer-closed";
        case EndReason::session_ended:
            return "session-ended";
        case EndReason::pair_timeout:
            return "pair-timeout";
        case EndReason::idle_timeout:
            return "idle-timeout";
        case EndReason::shutdown:
            return "shutdown";
    }
    return "unknown";
}

// --- Core -------------------------------------------------------------------------------

void Registry::Core::begin_closing(Pair& pair, EndReason reason) {
    if (!pair.reason) pair.reason = reason;
    if (pair.state == Pair::State::waiting || pair.state == Pair::State::paired) {
        pair.state = Pair::State::closing;
        pair.closing_since = now();
    }
}

void Registry::Core::settle(const std::shared_ptr<Pair>& pair) {
    if (pair->state == Pair::State::ended || !pair->done()) return;
    pair->state = Pair::State::ended;
    queue.emplace_back(Ended{pair->session_id, pair->reason.value_or(EndReason::customer_closed),
                             pair->counts(), pair->was_paired});
    wake.notify_all();
}

void Registry::Core::opened(const std::shared_ptr<Pair>& pair, Side side) {
    std::lock_guard lock(mutex);
    pair->side(side).opened = true;
    if (pair->state == Pair::State::waiting && pair->customer.opened && pair->viewer.opened) {
        pair->state = Pair::State::paired;
        pair->was_paired = true;
        pair->last_activity = now();
        pair->last_total = pair->counts().to_viewer + pair->counts().to_customer;
        queue.emplace_back(Started{pair->session_id});
        changed();
    }
}

void Registry::Core::closed(const std::shared_ptr<Pair>& pair, Side side) {
    {
        std::lock_guard lock(mutex);
        pair->side(side).closed = true;
        begin_closing(
            *pair, side == Side::customer ? EndReason::customer_closed : EndReason::viewer_closed);
        settle(pair);
        changed();  // the drain deadline is new
    }
    // What this side sent still reaches the other side, then the end; what the other side
    // sends from now on goes nowhere. (The connection does the same; a connection that
    // never opened did not.) Outside the lock: the pipes run wakers.
    http::BytePipe& from_side = side == Side::customer ? pair->to_viewer : pair->to_customer;
    http::BytePipe& to_side = side == Side::customer ? pair->to_customer : pair->to_viewer;
    from_side.close();
    to_side.abort();
}

void Registry::Core::changed() {
    dirty = true;
    wake.notify_all();
}

// --- Endpoint ---------------------------------------------------------------------------

Endpoint::~Endpoint() {
    closed();
}

http::BytePipe& Endpoint::inbound() {
    return side_ == Side::customer ? pair_->to_viewer : pair_->to_customer;
}

http::BytePipe& Endpoint::outbound() {
    return side_ == Side::customer ? pair_->to_customer : pair_->to_viewer;
}

void Endpoint::opened() {
    if (auto core = core_.lock()) core->opened(pair_, side_);
}

void Endpoint::closed() {
    if (closed_.exchange(true)) return;
    if (auto core = core_.lock()) {
        core->closed(pair_, side_);
    } else {
        // The registry is gone: nobody else will end the other side.
        pair_->to_viewer.abort();
        pair_->to_customer.abort();
    }
}

http::CloseStatus Endpoint::close_status() const {
    std::optional<EndReason> reason;
    if (auto core = core_.lock()) {
        std::lock_guard lock(core->mutex);
        reason = pair_->reason;
    }
    switch (reason.value_or(EndReason::customer_closed)) {
        case EndReason::customer_closed:
            return {1000, "The customer's side closed the session."};
        case EndReason::viewer_closed:
            // Only a connection still open hears this, and the viewer's own has closed: in
            // practice nobody does (the tunnel is raw bytes), but it must not blame the customer.
            return {1000, "The operator's viewer closed the session."};
        case EndReason::session_ended:
            return {4000, "The session was ended."};
        case EndReason::pair_timeout:
            return {4001, "The customer's side did not connect in time."};
        case EndReason::idle_timeout:
            return {4002, "The session was idle for too long."};
        case EndReason::shutdown:
            return {1001, "The server is shutting down."};
    }
    return {1000, {}};
}

// --- Registry ---------------------------------------------------------------------------

Registry::Registry(Options options, std::function<Clock::time_point()> now)
    : core_(std::make_shared<Core>(options, std::move(now))) {}

Registry::~Registry() {
    stop();
}

const Options& Registry::options() const {
    return core_->options;
}

void Registry::set_hooks(std::function<void(const Started&)> on_started,
                         std::function<void(const Ended&)> on_ended) {
    std::lock_guard lock(core_->mutex);
    core_->on_started = std::move(on_started);
    core_->on_ended = std::move(on_ended);
}

void Registry::start() {
    if (thread_.joinable()) return;
    thread_ = std::thread([this] { run(); });
}

void Registry::run() {
    std::optional<Clock::time_point> next;
    while (true) {
        {
            std::unique_lock lock(core_->mutex);
            const auto ready = [this] {
                return core_->stopping || core_->dirty || !core_->queue.empty();
            };
            // The injected clock is for tests that drive expire() themselves; the thread
            // waits on the real one.
            if (next)
                core_->wake.wait_until(lock, *next, ready);
            else
                core_->wake.wait(lock, ready);
            if (core_->stopping && core_->queue.empty()) return;
            core_->dirty = false;
        }
        deliver_pending();
        next = expire(core_->now());
    }
}

void Registry::stop(std::chrono::milliseconds grace) {
    end_all(EndReason::shutdown);
    {
        // The connections close on their own threads; their hooks are worth waiting for.
        std::unique_lock lock(core_->mutex);
        core_->wake.wait_for(lock, grace, [this] {
            return std::all_of(core_->pairs.begin(), core_->pairs.end(),
                               [](const auto& p) { return p.second->state == Pair::State::ended; });
        });
        core_->stopping = true;
    }
    core_->wake.notify_all();
    if (thread_.joinable()) thread_.join();
    deliver_pending();
}

std::variant<std::shared_ptr<http::ByteChannel>, Refusal> Registry::claim(
    const std::string& session_id, Side side) {
    std::lock_guard lock(core_->mutex);
    if (core_->stopping) return Refusal::stopping;
    auto& slot = core_->pairs[session_id];
    if (!slot) slot = std::make_shared<Pair>(session_id, core_->options.buffer_size, core_->now());
    Pair& pair = *slot;
    if (pair.state == Pair::State::closing || pair.state == Pair::State::ended)
        return Refusal::ended;
    if (pair.side(side).claimed) return Refusal::taken;
    pair.side(side).claimed = true;
    core_->changed();  // a new pair timeout to keep
    return std::make_shared<Endpoint>(slot, side, core_);
}

std::optional<Counts> Registry::end(const std::string& session_id, EndReason reason) {
    std::shared_ptr<Pair> pair;
    {
        std::lock_guard lock(core_->mutex);
        const auto it = core_->pairs.find(session_id);
        if (it == core_->pairs.end()) return std::nullopt;
        pair = it->second;
        core_->begin_closing(*pair, reason);
        core_->changed();
    }
    abort_pipes({pair});
    // Nothing is delivered after an abort: these are the final counts.
    return pair->counts();
}

void Registry::end_all(EndReason reason) {
    std::vector<std::shared_ptr<Pair>> all;
    {
        std::lock_guard lock(core_->mutex);
        for (auto& [id, pair] : core_->pairs) {
            if (pair->state == Pair::State::ended) continue;
            core_->begin_closing(*pair, reason);
            all.push_back(pair);
        }
        core_->changed();
    }
    abort_pipes(all);
}

std::optional<Clock::time_point> Registry::expire(Clock::time_point now) {
    const Options& o = core_->options;
    std::vector<std::shared_ptr<Pair>> to_abort;
    std::optional<Clock::time_point> next;
    {
        std::lock_guard lock(core_->mutex);
        for (auto it = core_->pairs.begin(); it != core_->pairs.end();) {
            const auto& pair = it->second;
            if (pair->forget_at && now >= *pair->forget_at) {
                it = core_->pairs.erase(it);
                continue;
            }
            switch (pair->state) {
                case Pair::State::waiting:
                    if (now - pair->created >= o.pair_timeout) {
                        core_->begin_closing(*pair, EndReason::pair_timeout);
                        to_abort.push_back(pair);
                        earliest(next, now + o.drain_timeout);
                    } else {
                        earliest(next, pair->created + o.pair_timeout);
                    }
                    break;
                case Pair::State::paired: {
                    if (o.idle_timeout.count() <= 0) break;
                    const auto c = pair->counts();
                    if (c.to_viewer + c.to_customer != pair->last_total) {
                        pair->last_total = c.to_viewer + c.to_customer;
                        pair->last_activity = now;
                    }
                    if (now - pair->last_activity >= o.idle_timeout) {
                        core_->begin_closing(*pair, EndReason::idle_timeout);
                        to_abort.push_back(pair);
                        earliest(next, now + o.drain_timeout);
                    } else {
                        earliest(next, pair->last_activity + o.idle_timeout);
                    }
                    break;
                }
                case Pair::State::closing:
                    // The side still open had its time to deliver what was queued.
                    if (now - pair->closing_since >= o.drain_timeout) {
                        to_abort.push_back(pair);
                    } else {
                        earliest(next, pair->closing_since + o.drain_timeout);
                    }
                    break;
                case Pair::State::ended:
                    if (pair->forget_at) earliest(next, *pair->forget_at);
                    break;
            }
            ++it;
        }
    }
    abort_pipes(to_abort);
    return next;
}

void Registry::deliver_pending() {
    std::deque<Notification> due;
    std::function<void(const Started&)> on_started;
    std::function<void(const Ended&)> on_ended;
    {
        std::lock_guard lock(core_->mutex);
        due.swap(core_->queue);
        on_started = core_->on_started;
        on_ended = core_->on_ended;
    }
    for (const auto& n : due) {
        if (const auto* started = std::get_if<Started>(&n)) {
            if (on_started) on_started(*started);
            continue;
        }
        const auto& ended = std::get<Ended>(n);
        if (on_ended) on_ended(ended);
        // Until the hook has run (the API marks the session ended in the store), the ended
        // pair refuses claims; afterwards the store does too. Its counts stay a while for an
        // end() racing the hook: the API audits the session's end with them.
        std::lock_guard lock(core_->mutex);
        const auto it = core_->pairs.find(ended.session_id);
        if (it != core_->pairs.end() && it->second->state == Pair::State::ended && !it->second->forget_at) {
            it->second->forget_at = core_->now() + core_->options.keep_ended;
            core_->changed();
        }
    }
}

std::size_t Registry::active() const {
    std::lock_guard lock(core_->mutex);
    return static_cast<std::size_t>(
        std::count_if(core_->pairs.begin(), core_->pairs.end(),
                      [](const auto& p) { return p.second->state != Pair::State::ended; }));
}

std::optional<Counts> Registry::counts(const std::string& session_id) const {
    std::lock_guard lock(core_->mutex);
    const auto it = core_->pairs.find(session_id);
    if (it == core_->pairs.end()) return std::nullopt;
    return it->second->counts();
}

}  // namespace helpline::server::relay
