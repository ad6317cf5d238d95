#pragma once
// Fan-out of live events: each device's event stream, and the operators' console
// streams. Device events are stored first (for Last-Event-ID resume) by the caller;
// the hub only delivers. Sinks are copied under the lock and pushed to after it is
// released (STYLE.md §8).

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/api/console_viewer.h"
#include "server/http/message.h"
#include "server/store/model.h"

namespace helpline::server {

class EventHub {
public:
    explicit EventHub(std::size_t max_queued_per_stream = 256) : max_queued_(max_queued_per_stream) {}

    /// A new stream for a device; it unregisters itself when the client goes away.
    std::shared_ptr<http::EventSink> subscribe_device(const std::string& device_id);
    void publish_device(const std::string& device_id, const StoredEvent& event);
    bool device_online(const std::string& device_id) const;
    std::size_t connected_devices() const;

    /// A console stream for `viewer`; its current view decides per ticket whether an event
    /// reaches it.
    std::shared_ptr<http::EventSink> subscribe_console(std::shared_ptr<ConsoleViewer> viewer);
    /// Sends `event` about `ticket` to every console that can see the ticket (before or
    /// after the change: pass both when a change moves it out of someone's view).
    void publish_console(const std::string& event, const std::string& data,
                         const std::vector<const Ticket*>& tickets);
    /// "ticket-changed" for one ticket: `visible_data` to the consoles that can see
    /// `after`, `hidden_data` to those that could see `before` and no longer can.
    void publish_ticket_change(const std::string& visible_data, const std::string& hidden_data,
                               const Ticket& after, const Ticket* before);

    /// Called with (device_id, online) when a device's first event stream opens and when
    /// its last one goes away, outside the hub's lock; set once before serving.
    using PresenceListener = std::function<void(const std::string& device_id, bool online)>;
    void on_presence(PresenceListener listener) { presence_ = std::move(listener); }
    std::size_t console_streams() const;

    struct ConsoleSubscriber {
        std::shared_ptr<ConsoleViewer> viewer;
        std::shared_ptr<http::EventSink> sink;
    };
    /// The open console streams, for refreshing their viewers (copied under the lock).
    std::vector<ConsoleSubscriber> console_subscribers() const;

    /// Closes every stream (shutdown).
    void close_all();
    /// Closes the device streams (their clients come back and resume from Last-Event-ID).
    void close_device_streams();
    /// Sends `event` to every console stream.
    void push_consoles(const std::string& event, const std::string& data);

private:
    struct ConsoleStream {
        std::shared_ptr<ConsoleViewer> viewer;
        std::weak_ptr<http::EventSink> sink;
    };
    /// Whether another live stream of `device_id` is registered (lock held), besides `except`.
    bool has_live_device_stream(const std::string& device_id, const http::EventSink* except) const;
    void notify_presence(const std::string& device_id, bool online);

    std::size_t max_queued_;
    PresenceListener presence_;
    std::atomic<bool> closing_{false};  ///< close_all() ran: presence is no longer reported
    mutable std::mutex mutex_;
    std::multimap<std::string, std::weak_ptr<http::EventSink>> devices_;
    std::map<const http::EventSink*, ConsoleStream> consoles_;
};

}  // namespace helpline::server
