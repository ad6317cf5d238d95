#include "client/core/device_link.h"

#include <fmt/format.h>

#include "client/core/backoff.h"
#include "client/core/identity.h"
#include "client/core/profile_refresh.h"

namespace helpline::client {
namespace {

ServerEndpoint endpoint_for(const Profile& profile, const std::string& version) {
    ServerEndpoint endpoint = ServerEndpoint::from_profile(profile);
    endpoint.user_agent = fmt::format("helpline/{} ({})", version, profile.id);
    return endpoint;
}

}  // namespace

DeviceLink::DeviceLink(Brand brand, ClientPaths paths, MyRequests& requests,
                       DeviceLinkOptions options, DeviceLinkCallbacks callbacks)
    : brand_(std::move(brand)),
      paths_(std::move(paths)),
      requests_(requests),
      options_(std::move(options)),
      callbacks_(std::move(callbacks)),
      api_(endpoint_for(brand_.profile, options_.client_version)) {}

DeviceLink::~DeviceLink() {
    stop();
}

void DeviceLink::start() {
    if (worker_.joinable()) return;
    worker_ = std::thread([this] { run(); });
}

void DeviceLink::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (worker_.joinable()) worker_.join();
}

void DeviceLink::refresh_requests() {
    {
        std::lock_guard lock(mutex_);
        refresh_wanted_ = true;
    }
    wake_.notify_all();
}

void DeviceLink::post(std::function<void(const ApiClient&)> job) {
    {
        std::lock_guard lock(mutex_);
        jobs_.push_back(std::move(job));
    }
    wake_.notify_all();
}

std::optional<ApiClient> DeviceLink::api() const {
    std::lock_guard lock(mutex_);
    return registered_;
}

void DeviceLink::log(const std::string& line) const {
    if (callbacks_.on_log) callbacks_.on_log(line);
}

void DeviceLink::report(LinkStatus status) {
    if (callbacks_.on_status) callbacks_.on_status(status);
}

bool DeviceLink::wait(std::chrono::milliseconds delay) {
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, delay, [this] { return stopping_; });
    return !stopping_;
}

bool DeviceLink::register_device() {
    auto identity = ensure_registered(api_, paths_, brand_.profile, options_.client_version);
    if (!identity) {
        report({LinkState::offline, identity.error().message});
        log(fmt::format("Not registered with the support server: {}", identity.error().message));
        return false;
    }
    // Once per start: a newer signed profile is cached and used from the next start on.
    ProfileInForce current{brand_.profile, {}, {}, ProfileSource::stamp};
    std::vector<std::string> notes;
    if (refresh_profile(api_, brand_.stamp.key, paths_, current, notes) ==
        RefreshResult::unauthorized) {
        // The server's data was reset or the device removed: this token is worthless.
        notes.push_back("The support server no longer knows this device; registering again.");
        (void)forget_identity(paths_);
        api_.set_token({});
        for (const auto& n : notes) log(n);
        return false;  // the next round registers again
    }
    for (const auto& n : notes) log(n);
    {
        std::lock_guard lock(mutex_);
        registered_ = api_;
    }
    if (callbacks_.on_registered) callbacks_.on_registered(api_);

    EventStreamOptions stream_options;
    stream_options.endpoint = api_.endpoint();
    stream_options.device_token = identity->device_token;
    stream_options.backoff_base = options_.stream_backoff_base;
    stream_options.backoff_cap = options_.stream_backoff_cap;
    stream_ = std::make_unique<EventStream>(
        stream_options, EventStreamCallbacks{[this](const DeviceEvent& e) { on_stream_event(e); },
                                             [this](const StreamStatus& s) { on_stream_status(s); },
                                             [this](const std::string& line) { log(line); }});
    stream_->start();
    return true;
}

void DeviceLink::on_stream_event(const DeviceEvent& event) {
    if (const auto* t = std::get_if<TicketUpdated>(&event)) {
        if (!requests_.apply_ticket_update(t->number, t->status, t->operator_name))
            refresh_requests();  // a ticket this list does not know yet
    } else if (const auto* m = std::get_if<TicketMessage>(&event)) {
        if (!requests_.note_team_message(m->number)) refresh_requests();
    }
    if (callbacks_.on_event) callbacks_.on_event(event);
}

void DeviceLink::on_stream_status(const StreamStatus& status) {
    switch (status.state) {
        case StreamState::connected:
            refresh_requests();  // updates missed while away
            report({LinkState::connected, {}});
            break;
        case StreamState::reconnecting:
            report({LinkState::offline, status.reason});
            break;
        case StreamState::connecting:
        case StreamState::stopped:
            break;
    }
}

void DeviceLink::run() {
    report({LinkState::connecting, {}});
    Backoff backoff(options_.register_base, options_.register_cap);
    bool registered = false;
    while (true) {
        if (!registered) {
            registered = register_device();
            if (!registered) {
                if (!wait(backoff.next())) break;
                continue;
            }
        }
        std::function<void(const ApiClient&)> job;
        bool refresh = false;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || refresh_wanted_ || !jobs_.empty(); });
            if (stopping_) break;
            refresh = std::exchange(refresh_wanted_, false);
            if (!jobs_.empty()) {
                job = std::move(jobs_.front());
                jobs_.pop_front();
            }
        }
        if (job) job(api_);
        if (refresh) {
            if (auto loaded = requests_.refresh(api_); !loaded)
                log(fmt::format("Your requests could not be loaded: {}", loaded.error().message));
        }
    }
    if (stream_) stream_->stop();
    stream_.reset();
    // Jobs left are answers the customer gave (a decline while closing): send them.
    std::deque<std::function<void(const ApiClient&)>> left;
    {
        std::lock_guard lock(mutex_);
        left.swap(jobs_);
    }
    if (registered)
        for (auto& job : left) job(api_);
    report({LinkState::stopped, {}});
}

}  // namespace helpline::client
