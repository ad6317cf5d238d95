#include "server/api/event_hub.h"

namespace helpline::server {

std::shared_ptr<http::EventSink> EventHub::subscribe_device(const std::string& device_id) {
    auto sink = std::make_shared<http::EventSink>(max_queued_);
    bool first = false;
    {
        std::lock_guard lock(mutex_);
        first = !has_live_device_stream(device_id, nullptr);
        devices_.emplace(device_id, sink);
    }
    sink->on_disconnect([this, device_id, raw = sink.get()] {
        bool last = false;
        {
            std::lock_guard lock(mutex_);
            auto [begin, end] = devices_.equal_range(device_id);
            for (auto it = begin; it != end; ++it) {
                auto live = it->second.lock();
                if (!live || live.get() == raw) {
                    devices_.erase(it);
                    break;
                }
            }
            last = !has_live_device_stream(device_id, raw);
        }
        if (last) notify_presence(device_id, false);
    });
    if (first) notify_presence(device_id, true);
    return sink;
}

bool EventHub::has_live_device_stream(const std::string& device_id, const http::EventSink* except) const {
    auto [begin, end] = devices_.equal_range(device_id);
    for (auto it = begin; it != end; ++it) {
        auto sink = it->second.lock();
        if (sink && sink.get() != except && !sink->closed()) return true;
    }
    return false;
}

void EventHub::notify_presence(const std::string& device_id, bool online) {
    if (presence_ && !closing_) presence_(device_id, online);
}

void EventHub::publish_device(const std::string& device_id, const StoredEvent& event) {
    std::vector<std::shared_ptr<http::EventSink>> targets;
    {
        std::lock_guard lock(mutex_);
        auto [begin, end] = devices_.equal_range(device_id);
        for (auto it = begin; it != end; ++it)
            if (auto sink = it->second.lock()) targets.push_back(std::move(sink));
    }
    const std::string frame = http::EventSink::frame(event.type, event.data, event.id);
    for (auto& sink : targets) sink->push(frame);
}

bool EventHub::device_online(const std::string& device_id) const {
    std::lock_guard lock(mutex_);
    return has_live_device_stream(device_id, nullptr);
}

std::size_t EventHub::connected_devices() const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    std::string last;
    for (const auto& [id, weak] : devices_) {
        if (id == last) continue;
        auto sink = weak.lock();
        if (sink && !sink->closed()) {
            ++n;
            last = id;
        }
    }
    return n;
}

std::shared_ptr<http::EventSink> EventHub::subscribe_console(std::shared_ptr<ConsoleViewer> viewer) {
    auto sink = std::make_shared<http::EventSink>(max_queued_);
    {
        std::lock_guard lock(mutex_);
        consoles_[sink.get()] = ConsoleStream{std::move(viewer), sink};
    }
    sink->on_disconnect([this, raw = sink.get()] {
        std::lock_guard lock(mutex_);
        consoles_.erase(raw);
    });
    return sink;
}

void EventHub::publish_console(const std::string& event, const std::string& data,
                               const std::vector<const Ticket*>& tickets) {
    const std::string frame = http::EventSink::frame(event, data);
    for (auto& [viewer, sink] : console_subscribers()) {
        bool show = tickets.empty();
        for (const Ticket* t : tickets) show = show || (t != nullptr && viewer->can_see(*t));
        if (show) sink->push(frame);
    }
}

void EventHub::publish_ticket_change(const std::string& visible_data, const std::string& hidden_data,
                                     const Ticket& after, const Ticket* before) {
    const std::string visible = http::EventSink::frame("ticket-changed", visible_data);
    const std::string hidden = http::EventSink::frame("ticket-changed", hidden_data);
    for (auto& [viewer, sink] : console_subscribers()) {
        if (viewer->can_see(after)) sink->push(visible);
        else if (before != nullptr && viewer->can_see(*before)) sink->push(hidden);
    }
}

std::vector<EventHub::ConsoleSubscriber> EventHub::console_subscribers() const {
    std::vector<ConsoleSubscriber> out;
    std::lock_guard lock(mutex_);
    out.reserve(consoles_.size());
    for (const auto& [raw, stream] : consoles_)
        if (auto sink = stream.sink.lock()) out.push_back({stream.viewer, std::move(sink)});
    return out;
}

std::size_t EventHub::console_streams() const {
    std::lock_guard lock(mutex_);
    return consoles_.size();
}

void EventHub::close_device_streams() {
    std::vector<std::shared_ptr<http::EventSink>> all;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [id, weak] : devices_)
            if (auto s = weak.lock()) all.push_back(std::move(s));
    }
    for (auto& s : all) s->close();
}

void EventHub::push_consoles(const std::string& event, const std::string& data) {
    const std::string frame = http::EventSink::frame(event, data);
    for (auto& [viewer, sink] : console_subscribers()) sink->push(frame);
}

void EventHub::close_all() {
    closing_ = true;
    std::vector<std::shared_ptr<http::EventSink>> all;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [id, weak] : devices_)
            if (auto s = weak.lock()) all.push_back(std::move(s));
        for (const auto& [raw, stream] : consoles_)
            if (auto s = stream.sink.lock()) all.push_back(std::move(s));
    }
    for (auto& s : all) s->close();
}

}  // namespace helpline::server
